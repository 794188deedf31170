import { describe, expect, it } from 'vitest';
import { buildReport, type ClauseInfo } from '../../src/results/build-report.ts';
import { groupFailures } from '../../src/results/group-failures.ts';
import type { CaseResult, CheckOutcome, Level, VerdictKind } from '../../src/results/types.ts';

const CLAUSES: ClauseInfo[] = ['HTTP-2', 'HTTP-5', 'HTTP-6', 'HTTP-14'].map((id) => ({
  id,
  level: 'MUST',
  text: `clause ${id} text`,
  source: '000_2427abba6c145ae1.txt § 错误码',
}));

function check(name: string, result: CheckOutcome['result'], expected: string, received: string): CheckOutcome {
  return { check: name, level: 'MUST' as Level, result, expected, received };
}

const PASSED = check('reboot', 'pass', 'no reboot', 'no reboot');
const STATUS_200 = check('status', 'fail', 'status 4xx', 'status 200');
const CODE_200 = check('error.code', 'fail', 'INVALID_ARGUMENTS', '200 {"result":true}');
const PERMISSIONS = check('state.permissions', 'fail', 'permission groups emptied (2 before)', '2 left');

function result(id: string, verdict: VerdictKind, clauses: string[], checks: CheckOutcome[], message = ''): CaseResult {
  return {
    id,
    title: id,
    level: 'MUST',
    clauses,
    transport: 'http',
    tags: [],
    source: 'specs/http/wipedata.yaml:1:5',
    verdict,
    message: message || checks.map((c) => c.check).join(', '),
    checks,
    startedAt: '2026-12-04T00:00:00.000Z',
    durationMs: 10,
    evidence: {},
  };
}

function report(results: CaseResult[]) {
  return buildReport({
    tool: 'sophon-conformance',
    version: '0',
    target: 'http://127.0.0.1:5555',
    profile: 'strict',
    suite: 'certification',
    startedAt: '2026-12-04T00:00:00.000Z',
    finishedAt: '2026-12-04T00:01:00.000Z',
    complete: true,
    specHash: 'x',
    clauses: CLAUSES,
    results,
  });
}

describe('groupFailures', () => {
  it('puts cases whose checks failed the same way in one group, with the shared reason once, largest first', () => {
    const groups = groupFailures(
      report([
        result('http.a.users', 'fail', ['HTTP-6'], [PASSED, PERMISSIONS]),
        result('http.b.string-true', 'fail', ['HTTP-5', 'HTTP-14'], [CODE_200, STATUS_200, PASSED]),
        result('http.c.pass', 'pass', ['HTTP-5'], [PASSED]),
        result('http.d.number-1', 'fail', ['HTTP-5'], [CODE_200, STATUS_200]),
        result('http.e.text-plain', 'fail', ['HTTP-2', 'HTTP-14'], [CODE_200, STATUS_200]),
      ]),
    );
    expect(groups.byCause.map((g) => [g.verdict, g.cases])).toEqual([
      ['fail', ['http.b.string-true', 'http.d.number-1', 'http.e.text-plain']],
      ['fail', ['http.a.users']],
    ]);
    const [first] = groups.byCause;
    expect(first?.reason).toBe(
      'error.code: expected INVALID_ARGUMENTS; received 200 {"result":true} · status: expected status 4xx; received status 200',
    );
    expect(first?.checks).toEqual([CODE_200, STATUS_200]);
    // Catalogue order, not the order the cases cite them in.
    expect(first?.clauses).toEqual(['HTTP-2', 'HTTP-5', 'HTTP-14']);
  });

  it('keeps apart what differs in any word: received text, verdict, waiver, could-not-test message', () => {
    const other = { ...CODE_200, received: '200 {"result":false}' };
    const waived = {
      ...result('http.w.waived', 'fail', ['HTTP-5'], [CODE_200]),
      waived: { reason: 'known', expires: '2027-01-01', case: 'http.w.*', status: 'waived' as const },
    };
    const groups = groupFailures(
      report([
        result('http.a', 'fail', ['HTTP-5'], [CODE_200]),
        result('http.b', 'fail', ['HTTP-5'], [other]),
        result('http.c', 'warn', ['HTTP-5'], [{ ...CODE_200, level: 'SHOULD' }]),
        waived,
        result('http.d', 'could-not-test', ['HTTP-6'], [], 'could not test (seed): the adapter refused'),
        result('http.e', 'could-not-test', ['HTTP-6'], [], 'could not test (seed): the adapter refused'),
        result('http.f', 'could-not-test', ['HTTP-6'], [], 'could not test (transport): connection refused'),
      ]),
    );
    expect(groups.byCause.map((g) => [g.verdict, g.waived, g.cases])).toEqual([
      ['fail', false, ['http.a']],
      ['fail', false, ['http.b']],
      ['fail', true, ['http.w.waived']],
      ['could-not-test', false, ['http.d', 'http.e']],
      ['could-not-test', false, ['http.f']],
      ['warn', false, ['http.c']],
    ]);
    expect(groups.byCause[3]?.reason).toBe('could not test (seed): the adapter refused');
  });

  it('lists each clause with the cases citing it that did not pass, failing clauses first', () => {
    const groups = groupFailures(
      report([
        result('http.a', 'warn', ['HTTP-2'], [{ ...STATUS_200, level: 'SHOULD' }]),
        result('http.b', 'pass', ['HTTP-5'], [PASSED]),
        result('http.c', 'fail', ['HTTP-5', 'HTTP-14'], [CODE_200]),
        result('http.d', 'pass', ['HTTP-14'], [PASSED]),
      ]),
    );
    expect(groups.byClause).toEqual([
      { clause: 'HTTP-5', level: 'MUST', verdict: 'fail', total: 2, cases: ['http.c'] },
      { clause: 'HTTP-14', level: 'MUST', verdict: 'fail', total: 2, cases: ['http.c'] },
      { clause: 'HTTP-2', level: 'MUST', verdict: 'warn', total: 1, cases: ['http.a'] },
    ]);
  });

  it('has nothing to group in a run where every case passed', () => {
    expect(groupFailures(report([result('http.b', 'pass', ['HTTP-5'], [PASSED])]))).toEqual({
      byCause: [],
      byClause: [],
    });
  });
});
