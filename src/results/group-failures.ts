import type { CaseResult, CheckOutcome, ClauseCoverage, Level, Report, VerdictKind } from './types.ts';

/** The verdicts a reader has to look at: the ones grouped. */
export type ProblemVerdict = 'fail' | 'could-not-test' | 'warn';

/** Cases that did not pass for the same observed reason: the same checks failing with the same expected and received. */
export interface FailureGroup {
  /** Stable within a report: the verdict, the waiver state and the shared checks (or could-not-test message). */
  key: string;
  verdict: ProblemVerdict;
  /** Every case of the group is under a waiver in force: it does not count against the gate. */
  waived: boolean;
  /** The checks that did not pass, identical in every case of the group; empty for could-not-test without checks. */
  checks: CheckOutcome[];
  /** The shared reason in one line (a could-not-test case's message, or the checks' expected and received). */
  reason: string;
  /** The group's cases, in report order. */
  cases: string[];
  /** The clauses the group's cases cite, in catalogue order (then any the catalogue does not list). */
  clauses: string[];
}

/** A clause with the cases citing it that did not pass. */
export interface ClauseFailures {
  clause: string;
  level: Level;
  /** The clause's worst verdict (ClauseCoverage.verdict). */
  verdict: VerdictKind | 'uncovered';
  /** How many cases cite the clause in all. */
  total: number;
  /** The cases citing it that did not pass, in report order. */
  cases: string[];
}

/** The problems of a run two ways: by shared cause and by clause. */
export interface FailureGroups {
  byCause: FailureGroup[];
  byClause: ClauseFailures[];
}

const ORDER: Record<ProblemVerdict, number> = { fail: 0, 'could-not-test': 1, warn: 2 };

function isProblem(verdict: VerdictKind | 'uncovered'): verdict is ProblemVerdict {
  return verdict in ORDER;
}

/** The checks that did not pass, as the case recorded them (their order is the case's own). */
function problemChecks(result: CaseResult): CheckOutcome[] {
  return result.checks.filter((c) => c.result !== 'pass');
}

function checkLine(c: CheckOutcome): string {
  return `${c.check}: expected ${c.expected}; received ${c.received}`;
}

/**
 * Groups the cases that did not pass by what they share, so that 60 failures from three causes read as
 * three groups. Two cases share a cause when they have the same verdict and waiver state and the same
 * checks did not pass with the same level, result, expected and received text (a could-not-test case
 * without checks: the same message). Nothing is normalised: a group is only what the report says
 * verbatim, so a reader never sees a reason that one of the listed cases did not have.
 * Groups come worst verdict first, then largest, then in the order of their first case.
 */
export function groupFailures(report: Pick<Report, 'results' | 'clauses'>): FailureGroups {
  const clauseOrder = new Map((report.clauses ?? []).map((c, i) => [c.id, i]));
  const byKey = new Map<string, FailureGroup & { first: number; clauseSet: Set<string> }>();
  report.results.forEach((result, index) => {
    if (!isProblem(result.verdict)) return;
    const checks = problemChecks(result);
    const waived = result.waived?.status === 'waived';
    const shared = checks.length
      ? checks.map((c) => [c.check, c.level, c.result, c.expected, c.received])
      : [result.message];
    const key = JSON.stringify([result.verdict, waived, shared]);
    let group = byKey.get(key);
    if (!group) {
      group = {
        key,
        verdict: result.verdict,
        waived,
        checks,
        reason: checks.length ? checks.map(checkLine).join(' · ') : result.message,
        cases: [],
        clauses: [],
        first: index,
        clauseSet: new Set(),
      };
      byKey.set(key, group);
    }
    group.cases.push(result.id);
    for (const clause of result.clauses) group.clauseSet.add(clause);
  });
  const rank = (id: string) => clauseOrder.get(id) ?? Number.MAX_SAFE_INTEGER;
  const byCause = [...byKey.values()]
    .sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || b.cases.length - a.cases.length || a.first - b.first)
    .map(({ first: _first, clauseSet, ...group }) => ({
      ...group,
      clauses: [...clauseSet].sort((x, y) => rank(x) - rank(y) || x.localeCompare(y)),
    }));
  return { byCause, byClause: clauseFailures(report.clauses ?? [], report.results) };
}

/** Clauses with a case that did not pass, worst verdict first, then in catalogue order. */
function clauseFailures(clauses: readonly ClauseCoverage[], results: readonly CaseResult[]): ClauseFailures[] {
  const verdictOf = new Map(results.map((r) => [r.id, r.verdict]));
  const severity = (v: ClauseFailures['verdict']) => (isProblem(v) ? ORDER[v] : 3);
  return clauses
    .map((c, index) => ({
      index,
      clause: c.id,
      level: c.level,
      verdict: c.verdict,
      total: c.cases.length,
      cases: c.cases.filter((id) => {
        const verdict = verdictOf.get(id);
        return verdict !== undefined && isProblem(verdict);
      }),
    }))
    .filter((c) => c.cases.length > 0)
    .sort((a, b) => severity(a.verdict) - severity(b.verdict) || a.index - b.index)
    .map(({ index: _index, ...c }) => c);
}
