import { describe, expect, it } from 'vitest';
import { judgeFaultRun } from '../../cli/kill-matrix.ts';
import type { CaseResult, Report } from '../../src/results/types.ts';

const levels = new Map([
  ['x.must', 'MUST'],
  ['x.should', 'SHOULD'],
]);

function reportWith(verdicts: Record<string, CaseResult['verdict']>): Report {
  const results = Object.entries(verdicts).map(([id, verdict]) => ({ id, verdict, message: verdict }));
  return { results } as unknown as Report;
}

describe('judging one fault run of the kill matrix', () => {
  it('counts a failed MUST case as a catch that stops a release', () => {
    const judged = judgeFaultRun(reportWith({ 'x.must': 'fail', 'x.should': 'pass' }), ['x.must'], 'MUST', levels);
    expect(judged).toMatchObject({ caughtBy: ['x.must'], caughtByMust: ['x.must'], exact: true });
  });

  it('does not count a MUST case that only warned (its SHOULD block) as a MUST catch', () => {
    const judged = judgeFaultRun(
      reportWith({ 'x.must': 'warn', 'x.should': 'warn' }),
      ['x.must', 'x.should'],
      'MUST',
      levels,
    );
    expect(judged.caughtBy).toEqual(['x.must', 'x.should']);
    expect(judged.caughtByMust).toEqual([]);
    expect(judged.exact).toBe(false);
    // The same warns are the catch of a fault the design keeps at SHOULD.
    expect(
      judgeFaultRun(reportWith({ 'x.must': 'warn', 'x.should': 'warn' }), ['x.must', 'x.should'], 'SHOULD', levels)
        .exact,
    ).toBe(true);
  });

  it('is not exact when a case fails that the fault does not declare', () => {
    const judged = judgeFaultRun(reportWith({ 'x.must': 'fail', 'x.should': 'warn' }), ['x.must'], 'MUST', levels);
    expect(judged.exact).toBe(false);
    expect(judged.mismatches).toEqual([{ id: 'x.should', verdict: 'warn', message: 'warn' }]);
  });
});
