import { createHash } from 'node:crypto';
import { firmwareVersion } from '../results/build-fleet.ts';
import { redactUrl } from '../results/redact.ts';
import type { Level, Report, VerdictKind } from '../results/types.ts';
import type { DeviceIdentity, LedgerCase, LedgerClause, LedgerRun, RunEvidence } from './types.ts';

const VERDICTS: ReadonlySet<string> = new Set<VerdictKind>([
  'pass',
  'fail',
  'warn',
  'not-applicable',
  'could-not-test',
]);
const LEVELS: ReadonlySet<string> = new Set<Level>(['MUST', 'SHOULD', 'MAY']);

/** A report the ledger refuses, with the reason in one line. */
export class ReportRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ReportRefused';
  }
}

/**
 * What a report contributes to the ledger: the run (identity, firmware, spec hash, …) and each case's verdict.
 * The run id is a hash of the report itself, so recording the same report twice adds nothing. Anything that
 * is not a whole sophon-conformance report is refused with why: a verdict in the ledger gates a release.
 */
export function runEvidence(report: Report, source: string, recordedAt: Date = new Date()): RunEvidence {
  checkShape(report);
  const id = runId(report);
  const login = report.platform?.logins.find((l) => l.serialNumber || l.licenseKey);
  const licenseKey = report.device?.licenseKey ?? login?.licenseKey;
  const serial = login?.serialNumber;
  const target = redactUrl(report.target);
  const device: DeviceIdentity = {
    key: licenseKey ?? serial ?? target,
    ...(licenseKey ? { licenseKey } : {}),
    ...(serial ? { serial } : {}),
    target,
  };
  const origin = report.origin?.rerunOf ? 'rerun' : report.origin?.resumed ? 'resume' : 'run';
  const run: LedgerRun = {
    id,
    device,
    firmware: firmwareVersion(report.device?.firmware) ?? '',
    ...(report.device?.firmware ? { firmwareDetail: report.device.firmware } : {}),
    tool: report.tool,
    toolVersion: report.version,
    specHash: report.specHash,
    suite: report.suite,
    profile: report.profile,
    ...(report.capabilities
      ? {
          capabilities: {
            mode: report.capabilities.mode,
            ...(report.capabilities.manifest ? { manifest: report.capabilities.manifest } : {}),
            declared: report.capabilities.declared,
          },
        }
      : {}),
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    recordedAt: recordedAt.toISOString(),
    complete: report.complete,
    exitCode: report.exitCode,
    origin,
    source,
  };
  const cases: LedgerCase[] = report.results.map((r) => ({
    runId: id,
    caseId: r.id,
    level: r.level,
    clauses: r.clauses,
    verdict: r.verdict,
    message: r.message,
    waived: r.waived?.status === 'waived',
  }));
  const clauses: LedgerClause[] = report.clauses.map((c) => ({ id: c.id, level: c.level }));
  return { run, cases, clauses };
}

/** The run id: the first 16 hex digits of the SHA-256 of the report as JSON. */
export function runId(report: Report): string {
  return createHash('sha256').update(JSON.stringify(report)).digest('hex').slice(0, 16);
}

function checkShape(report: Report): void {
  const r = report as Partial<Report> | null;
  const refuse = (why: string): never => {
    throw new ReportRefused(why);
  };
  if (!r || typeof r !== 'object') refuse('not a JSON object');
  const text = (key: keyof Report) => {
    if (typeof r?.[key] !== 'string') refuse(`no ${key} (not a sophon-conformance report)`);
  };
  for (const key of ['tool', 'version', 'target', 'suite', 'profile', 'startedAt', 'finishedAt', 'specHash'] as const) {
    text(key);
  }
  if (!Array.isArray(r?.results) || !Array.isArray(r?.clauses)) refuse('no results or clauses list');
  if (typeof r?.exitCode !== 'number' || typeof r.complete !== 'boolean') refuse('no exitCode or complete flag');
  for (const [i, c] of (r?.results ?? []).entries()) {
    if (!c || typeof c.id !== 'string' || !c.id) refuse(`results[${i}] has no case id`);
    if (!VERDICTS.has(c.verdict)) refuse(`results[${i}] (${c.id}) has an unknown verdict ${JSON.stringify(c.verdict)}`);
    if (!LEVELS.has(c.level)) refuse(`results[${i}] (${c.id}) has an unknown level ${JSON.stringify(c.level)}`);
    if (!Array.isArray(c.clauses)) refuse(`results[${i}] (${c.id}) has no clauses list`);
  }
  for (const [i, c] of (r?.clauses ?? []).entries()) {
    if (!c || typeof c.id !== 'string' || !LEVELS.has(c.level)) refuse(`clauses[${i}] has no id or level`);
  }
  const ids = new Set<string>();
  for (const c of r?.results ?? []) {
    if (ids.has(c.id)) refuse(`case ${c.id} appears twice in results`);
    ids.add(c.id);
  }
}
