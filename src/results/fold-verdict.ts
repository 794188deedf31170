import type { CheckOutcome, CouldNotTestPhase, Verdict, VerdictKind } from './types.ts';

/**
 * Folds the checks that ran into the case's verdict, worst first: a MUST check that failed fails the
 * case; an unobservable check makes it could-not-test (never a pass); a SHOULD miss or a lenient
 * allowance warns; MAY misses are recorded but do not lower the verdict. No check, no pass.
 */
export function foldVerdict(checks: CheckOutcome[]): Verdict {
  if (checks.length === 0) {
    return { kind: 'could-not-test', phase: 'observe', message: 'no check ran', checks };
  }
  const failures = checks.filter((c) => c.result === 'fail' && c.level === 'MUST');
  if (failures.length) return { kind: 'fail', failures, checks };
  const unobservable = checks.filter((c) => c.result === 'unobservable' && c.level !== 'MAY');
  const first = unobservable[0];
  if (first) {
    return { kind: 'could-not-test', phase: 'observe', message: `${first.check}: ${first.received}`, checks };
  }
  const warnings = checks.filter(
    (c) => (c.result === 'fail' && c.level === 'SHOULD') || (c.result === 'lenient' && c.level !== 'MAY'),
  );
  if (warnings.length) return { kind: 'warn', failures: warnings, checks };
  return { kind: 'pass', checks };
}

/** A verdict for a case that could not reach its checks. */
export function couldNotTest(phase: CouldNotTestPhase, message: string, checks: CheckOutcome[] = []): Verdict {
  return { kind: 'could-not-test', phase, message, checks };
}

const SEVERITY: Record<VerdictKind, number> = {
  fail: 5,
  'could-not-test': 4,
  warn: 3,
  pass: 2,
  'not-applicable': 1,
};

/** The worse of two verdict kinds (worst wins). */
export function worst(a: VerdictKind, b: VerdictKind): VerdictKind {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}
