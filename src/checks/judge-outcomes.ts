import type { CheckOutcome, Level } from '../results/types.ts';
import { weaker } from './check-outcome.ts';

/** The checks of a case, and the `oneOf` outcome they were judged against, if any. */
export interface JudgedCase {
  checks: CheckOutcome[];
  outcome?: string;
  /** Set when no allowed outcome matched: names them, for the message. */
  unmatched?: string[];
}

type WithShould<B> = B & { should?: B };

/**
 * Judges an expectation (or a `oneOf` of them) with a transport's block checker: the `should` block
 * at SHOULD level, and for `oneOf` the outcome the device chose.
 */
export function judgeOutcomes<B extends object>(
  expect: WithShould<B> | { oneOf: (WithShould<B> & { outcome: string })[] },
  level: Level,
  checkBlock: (block: B, level: Level) => CheckOutcome[],
  /** Checks of the answer itself (status, error, reply...), used to find the outcome the device chose. */
  isAnswerCheck: (check: CheckOutcome) => boolean,
): JudgedCase {
  const judge = (e: WithShould<B>) => ({
    main: checkBlock(e, level),
    should: e.should ? checkBlock(e.should, weaker(level, 'SHOULD')) : [],
  });
  if (!('oneOf' in expect)) {
    const { main, should } = judge(expect);
    return { checks: [...main, ...should] };
  }
  const judged = expect.oneOf.map((alternative) => {
    const { main, should } = judge(alternative);
    return { alternative, main, checks: [...main, ...should] };
  });
  // An outcome holds when its own expectations hold at the case's level; its `should` block, and a check
  // its own block judges at a weaker level (a tolerated code), only warn.
  const holds = (c: CheckOutcome) => c.result === 'pass' || c.result === 'lenient' || weaker(c.level, level) !== level;
  const clean = judged.find((j) => j.main.every(holds));
  if (clean) return { checks: clean.checks, outcome: clean.alternative.outcome };
  // None held: judge against the outcome whose answer the device gave, else the one it came closest
  // to, so the failures shown are the ones that matter.
  const answerMisses = (checks: CheckOutcome[]) => checks.filter((c) => isAnswerCheck(c) && c.result === 'fail').length;
  const misses = (checks: CheckOutcome[]) => checks.filter((c) => c.result !== 'pass').length;
  const closest = [...judged].sort(
    (a, b) => answerMisses(a.checks) - answerMisses(b.checks) || misses(a.checks) - misses(b.checks),
  )[0];
  if (!closest) return { checks: [] };
  return {
    checks: closest.checks,
    outcome: closest.alternative.outcome,
    unmatched: expect.oneOf.map((o) => o.outcome),
  };
}
