import type { CaseResult, Level, Report, VerdictKind } from '../../src/results/types.ts';

/** A case of a made-up report: id, verdict, and optionally level and clauses. */
export interface CaseSpec {
  id: string;
  verdict: VerdictKind;
  level?: Level;
  clauses?: string[];
  waived?: boolean;
}

/** What varies between the made-up reports of the ledger tests. */
export interface ReportSpec {
  firmware?: string | undefined;
  cases: CaseSpec[];
  startedAt?: string;
  specHash?: string;
  complete?: boolean;
  rerun?: boolean;
  licenseKey?: string;
  target?: string;
  /** Clauses the catalogue lists beyond those the cases cite (uncovered unless a case cites them). */
  clauses?: { id: string; level: Level }[];
}

/** A report.json as a run writes it, small enough to state in a test. */
export function makeReport(spec: ReportSpec): Report {
  const startedAt = spec.startedAt ?? '2026-12-01T10:00:00.000Z';
  const results: CaseResult[] = spec.cases.map((c) => ({
    id: c.id,
    title: c.id,
    level: c.level ?? 'MUST',
    clauses: c.clauses ?? [c.id.toUpperCase()],
    transport: 'http',
    tags: [],
    source: 'specs/http/wipedata.yaml:1:1',
    verdict: c.verdict,
    message: `${c.id} ${c.verdict}`,
    checks: [],
    startedAt,
    durationMs: 1,
    evidence: {},
    ...(c.waived ? { waived: { reason: 'known', expires: '2099-01-01', case: c.id, status: 'waived' as const } } : {}),
  }));
  const cited = new Map<string, Level>();
  for (const r of results) for (const id of r.clauses) cited.set(id, r.level);
  for (const c of spec.clauses ?? []) cited.set(c.id, c.level);
  const fail = results.filter((r) => r.verdict === 'fail' && !r.waived).length;
  const cnt = results.filter((r) => r.verdict === 'could-not-test').length;
  return {
    tool: 'sophon-conformance',
    version: '0.1.0',
    target: spec.target ?? 'http://127.0.0.1:5555',
    profile: 'strict',
    suite: 'certification',
    startedAt,
    finishedAt: startedAt,
    complete: spec.complete ?? true,
    specHash: spec.specHash ?? 'spec-a',
    ...(spec.firmware !== undefined || spec.licenseKey
      ? {
          device: {
            ...(spec.firmware !== undefined ? { firmware: { app_gate_version: spec.firmware } } : {}),
            ...(spec.licenseKey ? { licenseKey: spec.licenseKey } : {}),
          },
        }
      : {}),
    exitCode: fail ? 1 : cnt ? 3 : 0,
    summary: {
      total: results.length,
      pass: results.filter((r) => r.verdict === 'pass').length,
      fail: results.filter((r) => r.verdict === 'fail').length,
      warn: results.filter((r) => r.verdict === 'warn').length,
      notApplicable: results.filter((r) => r.verdict === 'not-applicable').length,
      couldNotTest: cnt,
    },
    clauses: [...cited.entries()].map(([id, level]) => ({
      id,
      level,
      text: id,
      source: 'x',
      cases: results.filter((r) => r.clauses.includes(id)).map((r) => r.id),
      verdict: 'pass' as const,
    })),
    results,
    ...(spec.rerun
      ? { origin: { rerunOf: { report: 'earlier/report.json', startedAt, target: 'http://x', cases: results.length } } }
      : {}),
  };
}
