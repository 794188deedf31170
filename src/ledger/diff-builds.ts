import { verdictCounts } from './merge-build.ts';
import type { BuildDiff, BuildStatus, CaseChange, CaseStatus, MergedVerdict } from './types.ts';

const PASSING: ReadonlySet<MergedVerdict | 'absent'> = new Set(['pass', 'warn']);
const FAILING: ReadonlySet<MergedVerdict | 'absent'> = new Set(['fail', 'flaky']);

/**
 * What changed from build OLD to build NEW, each merged by the ledger's rule: regressions (passed on OLD,
 * fails or is flaky on NEW), progressions, cases that had evidence on OLD and could not be tested on NEW, and
 * the flaky cases of either build. Exit 1 on a MUST regression that no waiver covers.
 */
export function diffBuilds(older: BuildStatus, newer: BuildStatus): BuildDiff {
  const before = new Map(older.cases.map((c) => [c.id, c]));
  const after = new Map(newer.cases.map((c) => [c.id, c]));
  const ids = [...new Set([...before.keys(), ...after.keys()])];
  const regressions: CaseChange[] = [];
  const progressions: CaseChange[] = [];
  const newCouldNotTest: CaseChange[] = [];
  for (const id of ids) {
    const o = before.get(id);
    const n = after.get(id);
    const from = o?.verdict ?? 'absent';
    const to = n?.verdict ?? 'absent';
    const change: CaseChange = {
      id,
      level: (n ?? o)?.level ?? 'MUST',
      from,
      to,
      ...(n?.decidedBy ? { decidedBy: n.decidedBy } : {}),
    };
    if (PASSING.has(from) && FAILING.has(to)) regressions.push(change);
    else if (FAILING.has(from) && PASSING.has(to)) progressions.push(change);
    else if (to === 'could-not-test' && from !== 'could-not-test') newCouldNotTest.push(change);
  }
  const flaky = [...flakyOf(older), ...flakyOf(newer)];
  const mustRegressed = regressions.some((r) => r.level === 'MUST' && !after.get(r.id)?.waived);
  return {
    old: older.firmware,
    new: newer.firmware,
    ...(newer.device !== undefined ? { device: newer.device } : {}),
    regressions,
    progressions,
    newCouldNotTest,
    flaky,
    exitCode: mustRegressed ? 1 : 0,
  };
}

// Flaky here is wider than the status's: any two verdicts that differ (a pass and a warn too), device by device.
function flakyOf(status: BuildStatus): BuildDiff['flaky'] {
  return status.cases.filter(disagrees).map((c) => ({
    build: status.firmware,
    id: c.id,
    verdicts: verdictCounts(c.history.filter((h) => h.verdict !== 'could-not-test')),
  }));
}

// Two runs of the same device that gave a case different verdicts (could-not-test is no verdict).
function disagrees(c: CaseStatus): boolean {
  const seen = new Map<string, Set<string>>();
  for (const h of c.history) {
    if (h.verdict === 'could-not-test') continue;
    seen.set(h.device, (seen.get(h.device) ?? new Set()).add(h.verdict));
  }
  return [...seen.values()].some((verdicts) => verdicts.size > 1);
}
