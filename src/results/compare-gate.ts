import type { CaseOnlyIn, RunComparison, VerdictChange } from './compare-runs.ts';
import type { Report } from './types.ts';

/** What the regression gate decides from a comparison (compare BASE NEW). */
export interface CompareGate {
  /** 1 when a MUST case newly fails in the new run, else 0. */
  exitCode: 0 | 1;
  /** MUST cases failing in the new run that did not fail in the base (a case new to the suite counts too). */
  mustNewlyFailing: string[];
  /** Newly failing MUST cases a waiver in force covers in the new run: listed, but they do not fail the gate. */
  waived: string[];
}

/**
 * The gate of `compare`: a MUST case that fails in NEW and did not in BASE fails it, as does a MUST case
 * NEW has and BASE had not, that fails (a regression the base never saw); a waiver in force in NEW lets a
 * failure through, as it does for `run`. SHOULD and MAY cases, and could-not-test, never fail it.
 */
export function compareGate(comparison: RunComparison, b: Report): CompareGate {
  const waivedInB = new Set(b.results.filter((r) => r.waived?.status === 'waived').map((r) => r.id));
  const failing = [...comparison.newlyFailing, ...comparison.added.filter((c) => c.verdict === 'fail')].filter(
    (c: VerdictChange | CaseOnlyIn) => c.level === 'MUST',
  );
  const mustNewlyFailing = failing.filter((c) => !waivedInB.has(c.id)).map((c) => c.id);
  const waived = failing.filter((c) => waivedInB.has(c.id)).map((c) => c.id);
  return { exitCode: mustNewlyFailing.length > 0 ? 1 : 0, mustNewlyFailing, waived };
}
