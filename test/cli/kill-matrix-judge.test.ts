import { describe, expect, it } from 'vitest';
import { judgeFaultRun } from '../../matrix/kill-matrix.ts';
import { judgeVariantRun } from '../../matrix/variant-matrix.ts';
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

describe('judging on devices that also carry variants', () => {
  const departures = new Set(['x.should']);

  it('does not count a warning the variants declare as a catch, but counts a failure there', () => {
    const warned = judgeFaultRun(
      reportWith({ 'x.must': 'fail', 'x.should': 'warn' }),
      ['x.must'],
      'MUST',
      levels,
      departures,
    );
    expect(warned).toMatchObject({ caughtBy: ['x.must'], exact: true });
    const failed = judgeFaultRun(
      reportWith({ 'x.must': 'pass', 'x.should': 'fail' }),
      ['x.should'],
      'MUST',
      levels,
      departures,
    );
    expect(failed.caughtBy).toEqual(['x.should']);
  });

  it('holds a masked fault (nothing left to break) to nothing caught', () => {
    expect(judgeFaultRun(reportWith({ 'x.must': 'pass' }), [], 'MUST', levels, departures, true).exact).toBe(true);
    expect(judgeFaultRun(reportWith({ 'x.must': 'fail' }), [], 'MUST', levels, departures, true).exact).toBe(false);
    // Unmasked, a fault that declares nothing is never exact: that is how its catches are found.
    expect(judgeFaultRun(reportWith({ 'x.must': 'pass' }), [], 'MUST', levels).exact).toBe(false);
  });
});

describe('judging one run of the allowed-behaviour matrix', () => {
  it('passes a run with exactly the declared warnings, and names what is off otherwise', () => {
    expect(judgeVariantRun(reportWith({ 'x.must': 'pass', 'x.should': 'warn' }), ['x.should']).exact).toBe(true);
    const off = judgeVariantRun(reportWith({ 'x.must': 'warn', 'x.should': 'pass' }), ['x.should']);
    expect(off).toMatchObject({ exact: false, missingWarns: ['x.should'], unexpectedWarns: [{ id: 'x.must' }] });
    const failed = judgeVariantRun(reportWith({ 'x.must': 'fail', 'x.should': 'could-not-test' }), []);
    expect(failed.failed.map((m) => m.id)).toEqual(['x.must']);
    expect(failed.couldNotTest.map((m) => m.id)).toEqual(['x.should']);
    expect(failed.exact).toBe(false);
  });
});
