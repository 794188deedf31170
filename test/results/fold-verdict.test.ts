import { describe, expect, it } from 'vitest';
import { exitCodeFor, summarize } from '../../src/results/build-report.ts';
import { foldVerdict } from '../../src/results/fold-verdict.ts';
import type { CaseResult, CheckOutcome } from '../../src/results/types.ts';

const check = (result: CheckOutcome['result'], level: CheckOutcome['level'] = 'MUST'): CheckOutcome => ({
  check: 'status',
  level,
  result,
  expected: 'x',
  received: 'y',
});

describe('foldVerdict', () => {
  it('never passes a case that ran no check', () => {
    expect(foldVerdict([]).kind).toBe('could-not-test');
  });
  it('fails on a MUST failure, whatever else happened', () => {
    expect(foldVerdict([check('pass'), check('unobservable'), check('fail')]).kind).toBe('fail');
  });
  it('is could-not-test when an outcome was unobservable', () => {
    expect(foldVerdict([check('pass'), check('unobservable')]).kind).toBe('could-not-test');
  });
  it('warns on SHOULD misses and lenient allowances', () => {
    expect(foldVerdict([check('pass'), check('fail', 'SHOULD')]).kind).toBe('warn');
    expect(foldVerdict([check('lenient')]).kind).toBe('warn');
  });
  it('records MAY misses without lowering the verdict', () => {
    expect(foldVerdict([check('pass'), check('fail', 'MAY')]).kind).toBe('pass');
  });
});

describe('exitCodeFor', () => {
  const result = (verdict: CaseResult['verdict']) => ({ verdict }) as CaseResult;
  it('follows design §3', () => {
    expect(exitCodeFor(summarize([result('pass'), result('warn')]), true)).toBe(0);
    expect(exitCodeFor(summarize([result('pass'), result('fail'), result('could-not-test')]), true)).toBe(1);
    expect(exitCodeFor(summarize([result('pass'), result('could-not-test')]), true)).toBe(3);
    expect(exitCodeFor(summarize([result('pass')]), false)).toBe(3);
  });
});
