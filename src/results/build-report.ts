import { worst } from './fold-verdict.ts';
import { redactDeep } from './redact.ts';
import type { CaseResult, CheckOutcome, ClauseCoverage, Level, Report, Summary, Verdict } from './types.ts';

/** The one line a tester reads first: why this verdict. */
export function verdictMessage(verdict: Verdict, outcome?: string): string {
  const chose = outcome ? ` (outcome: ${outcome})` : '';
  switch (verdict.kind) {
    case 'pass':
      return `${verdict.checks.length} checks passed${chose}`;
    case 'fail':
    case 'warn': {
      const first = verdict.failures[0] as CheckOutcome;
      const more = verdict.failures.length > 1 ? ` (+${verdict.failures.length - 1} more)` : '';
      return `${first.check}: expected ${first.expected}; received ${first.received}${more}${chose}`;
    }
    case 'not-applicable':
      return verdict.reason;
    case 'could-not-test':
      return `could not test (${verdict.phase}): ${verdict.message}`;
  }
}

export function summarize(results: readonly CaseResult[]): Summary {
  const summary: Summary = { total: results.length, pass: 0, fail: 0, warn: 0, notApplicable: 0, couldNotTest: 0 };
  for (const r of results) {
    if (r.verdict === 'pass') summary.pass++;
    else if (r.verdict === 'fail') summary.fail++;
    else if (r.verdict === 'warn') summary.warn++;
    else if (r.verdict === 'not-applicable') summary.notApplicable++;
    else summary.couldNotTest++;
  }
  return { ...summary, ...policyCounts(results) };
}

/** Exit code of `run` (design §3): 0 every MUST case passed, 1 a MUST case failed, 3 incomplete. */
export function exitCodeFor(summary: Summary, complete: boolean): number {
  // A failure under a waiver in force stays `fail` but does not fail the gate; an expired one does.
  if (summary.fail - (summary.waived ?? 0) > 0) return 1;
  if (summary.couldNotTest > 0 || !complete) return 3;
  return 0;
}

export interface ClauseInfo {
  id: string;
  level: Level;
  text: string;
  source: string;
  documentTitle?: string;
}

/** Clause → cases → worst verdict; a clause no selected case cites is `uncovered`. */
export function coverClauses(clauses: readonly ClauseInfo[], results: readonly CaseResult[]): ClauseCoverage[] {
  return clauses.map((clause) => {
    const citing = results.filter((r) => r.clauses.includes(clause.id));
    const verdict = citing.length ? citing.map((r) => r.verdict).reduce((a, b) => worst(a, b)) : ('uncovered' as const);
    return { ...clause, cases: citing.map((r) => r.id), verdict };
  });
}

export interface ReportInput {
  tool: string;
  version: string;
  target: string;
  profile: Report['profile'];
  suite: string;
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  specHash: string;
  device?: Report['device'];
  clauses: readonly ClauseInfo[];
  results: CaseResult[];
  capabilities?: Report['capabilities'];
  waivers?: Report['waivers'];
  repeat?: number;
  platform?: Report['platform'];
  origin?: Report['origin'];
}

/** Assembles report.json from the run's results: the canonical record every other report renders. */
export function buildReport(input: ReportInput): Report {
  const summary = summarize(input.results);
  // Every report is a view of this one: redacting it here keeps credentials out of all of them.
  return redactDeep({
    tool: input.tool,
    version: input.version,
    target: input.target,
    profile: input.profile,
    suite: input.suite,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    complete: input.complete,
    specHash: input.specHash,
    ...(input.device ? { device: input.device } : {}),
    exitCode: exitCodeFor(summary, input.complete),
    summary,
    clauses: coverClauses(input.clauses, input.results),
    results: input.results,
    ...(input.capabilities ? { capabilities: input.capabilities } : {}),
    ...(input.waivers ? { waivers: input.waivers } : {}),
    ...(input.repeat ? { repeat: input.repeat } : {}),
    ...(input.platform ? { platform: input.platform } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  });
}

/** The summary counts of waivers and repeats (zero in a plain run). */
export function policyCounts(
  results: readonly CaseResult[],
): Required<Pick<Summary, 'waived' | 'waiversExpired' | 'waiversNoLongerNeeded' | 'flaky'>> {
  const status = (s: string) => results.filter((r) => r.waived?.status === s).length;
  return {
    waived: status('waived'),
    waiversExpired: status('expired'),
    waiversNoLongerNeeded: status('no-longer-needed'),
    flaky: results.filter((r) => r.flaky).length,
  };
}
