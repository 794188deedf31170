import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffBuilds, mergeBuild, runEvidence } from '../../src/ledger/index.ts';
import type { RunEvidence } from '../../src/ledger/types.ts';
import type { VerdictKind } from '../../src/results/types.ts';
import { type CaseSpec, makeReport, type ReportSpec } from './make-report.ts';

let clock = 0;
// Each run a minute after the one before, in the order a test states them.
function run(spec: Partial<ReportSpec> & { cases: CaseSpec[] }, setAside?: string): RunEvidence {
  clock++;
  const startedAt = new Date(Date.UTC(2026, 11, 1, 10, clock)).toISOString();
  const e = runEvidence(makeReport({ firmware: '6.2.4', startedAt, ...spec }), `run-${clock}`);
  return setAside ? { ...e, run: { ...e.run, setAside: { why: setAside, at: startedAt } } } : e;
}

const two = (a: VerdictKind, b: VerdictKind): CaseSpec[] => [
  { id: 'http.a', verdict: a },
  { id: 'mq.b', verdict: b },
];

describe('ledger status: the rule that merges the runs of one build', () => {
  it('certifies a build whose one complete run passed everything (exit 0)', () => {
    const status = mergeBuild('6.2.4', [run({ cases: two('pass', 'pass') })]);
    expect(status).toMatchObject({ gate: 'certified', exitCode: 0, blocking: [], missing: { cases: [], clauses: [] } });
    expect(status.clauses.map((c) => [c.id, c.verdict])).toEqual([
      ['HTTP.A', 'pass'],
      ['MQ.B', 'pass'],
    ]);
  });

  it('lets a later verdict fill in a could-not-test, and names the run that gave it', () => {
    const first = run({ cases: two('pass', 'could-not-test') });
    const rerun = run({ cases: [{ id: 'mq.b', verdict: 'pass' }], rerun: true });
    const status = mergeBuild('6.2.4', [first, rerun]);
    expect(status.gate).toBe('certified');
    expect(status.cases.find((c) => c.id === 'mq.b')).toMatchObject({ verdict: 'pass', decidedBy: rerun.run.id });
    expect(status.clauses.find((c) => c.id === 'MQ.B')?.decidedBy).toBe(rerun.run.id);
  });

  it('is incomplete (exit 3) while a case has no evidence, and says which', () => {
    const status = mergeBuild('6.2.4', [run({ cases: two('pass', 'could-not-test') })]);
    expect(status).toMatchObject({ gate: 'incomplete', exitCode: 3, missing: { cases: ['mq.b'] } });
  });

  it('never hides a failure behind a later pass on the same build: the case is flaky, exit 1', () => {
    const failing = run({ cases: two('pass', 'fail') });
    const passing = run({ cases: [{ id: 'mq.b', verdict: 'pass' }], rerun: true });
    const status = mergeBuild('6.2.4', [failing, passing]);
    expect(status).toMatchObject({ gate: 'not-certified', exitCode: 1, blocking: ['mq.b'] });
    const mq = status.cases.find((c) => c.id === 'mq.b');
    expect(mq).toMatchObject({ verdict: 'flaky', decidedBy: failing.run.id, message: 'mq.b fail' });
    expect(mq?.history.map((h) => h.verdict)).toEqual(['fail', 'pass']);
    expect(status.counts.flaky).toBe(1);
  });

  it('calls a pass followed by a failure flaky as well', () => {
    const status = mergeBuild('6.2.4', [run({ cases: two('pass', 'pass') }), run({ cases: two('pass', 'fail') })]);
    expect(status.cases.find((c) => c.id === 'mq.b')?.verdict).toBe('flaky');
    expect(status.exitCode).toBe(1);
  });

  it('calls a failure on one device and a pass on another a failure, not flaky', () => {
    const a = run({ cases: two('pass', 'fail'), target: 'http://10.0.0.1:5555' });
    const b = run({ cases: two('pass', 'pass'), target: 'http://10.0.0.2:5555' });
    const status = mergeBuild('6.2.4', [a, b]);
    expect(status.cases.find((c) => c.id === 'mq.b')).toMatchObject({ verdict: 'fail', decidedBy: a.run.id });
    expect(status.exitCode).toBe(1);
    expect(diffBuilds(status, status).flaky).toEqual([]);
  });

  it('fails (exit 1) when every run of a case failed', () => {
    const status = mergeBuild('6.2.4', [run({ cases: two('fail', 'pass') }), run({ cases: two('fail', 'pass') })]);
    expect(status.cases[0]).toMatchObject({ id: 'http.a', verdict: 'fail' });
    expect(status.gate).toBe('not-certified');
  });

  it('leaves out a run set aside with a reason, and shows it as excluded', () => {
    const bad = run({ cases: two('pass', 'fail') }, 'broker restarted mid-run (INC-42)');
    const good = run({ cases: two('pass', 'pass') });
    const status = mergeBuild('6.2.4', [bad, good]);
    expect(status.gate).toBe('certified');
    expect(status.excluded).toEqual([{ run: bad.run, why: 'set-aside' }]);
    expect(status.runs.map((r) => r.id)).toEqual([good.run.id]);
  });

  it('a failure outranks missing evidence: exit 1 when a case fails and another could not be tested', () => {
    const status = mergeBuild('6.2.4', [run({ cases: two('fail', 'could-not-test') })]);
    expect(status).toMatchObject({ gate: 'not-certified', exitCode: 1, missing: { cases: ['mq.b'] } });
  });

  it('is incomplete while a MUST clause no case covers, but not for an uncovered SHOULD clause', () => {
    const must = mergeBuild('6.2.4', [run({ cases: two('pass', 'pass'), clauses: [{ id: 'MQ-9', level: 'MUST' }] })]);
    expect(must).toMatchObject({ gate: 'incomplete', missing: { clauses: ['MQ-9'] } });
    const should = mergeBuild('6.2.4', [
      run({ cases: two('pass', 'pass'), clauses: [{ id: 'MQ-9', level: 'SHOULD' }] }),
    ]);
    expect(should.gate).toBe('certified');
    expect(should.clauses.find((c) => c.id === 'MQ-9')?.verdict).toBe('uncovered');
  });

  it('needs one run that finished its whole plan: reruns alone are incomplete', () => {
    const status = mergeBuild('6.2.4', [run({ cases: two('pass', 'pass'), rerun: true })]);
    expect(status.gate).toBe('incomplete');
    const cut = mergeBuild('6.2.4', [run({ cases: two('pass', 'pass'), complete: false })]);
    expect(cut.gate).toBe('incomplete');
  });

  it('merges on one spec hash, the latest run’s unless one is given; the others are excluded', () => {
    const oldSpec = run({ cases: two('pass', 'fail'), specHash: 'spec-a' });
    const newSpec = run({ cases: two('pass', 'pass'), specHash: 'spec-b' });
    const latest = mergeBuild('6.2.4', [oldSpec, newSpec]);
    expect(latest).toMatchObject({ specHash: 'spec-b', gate: 'certified' });
    expect(latest.excluded).toEqual([{ run: oldSpec.run, why: 'other-spec-hash' }]);
    expect(mergeBuild('6.2.4', [oldSpec, newSpec], { specHash: 'spec-a' }).gate).toBe('not-certified');
  });

  it('does not count a failure under a waiver in force, as the run’s own gate does not', () => {
    const status = mergeBuild('6.2.4', [run({ cases: [{ id: 'http.a', verdict: 'fail', waived: true }] })]);
    expect(status.cases[0]).toMatchObject({ verdict: 'fail', waived: true });
    expect(status.gate).toBe('certified');
  });

  it('gives a clause the worst merged verdict of its cases', () => {
    const status = mergeBuild('6.2.4', [
      run({
        cases: [
          { id: 'http.a', verdict: 'pass', clauses: ['HTTP-2'] },
          { id: 'http.b', verdict: 'warn', clauses: ['HTTP-2'], level: 'SHOULD' },
        ],
      }),
    ]);
    expect(status.clauses).toMatchObject([{ id: 'HTTP-2', verdict: 'warn', cases: ['http.a', 'http.b'] }]);
  });

  it('property: a failure in a standing run always blocks the build, whatever else the runs said', () => {
    const verdict = fc.constantFrom<VerdictKind>('pass', 'fail', 'warn', 'could-not-test', 'not-applicable');
    fc.assert(
      fc.property(fc.array(verdict, { minLength: 1, maxLength: 6 }), (verdicts) => {
        const runs = verdicts.map((v) => run({ cases: [{ id: 'http.a', verdict: v }] }));
        const forward = mergeBuild('6.2.4', runs);
        const backward = mergeBuild('6.2.4', [...runs].reverse());
        // The input order is not the time order: both give the same answer.
        expect(backward.cases[0]?.verdict).toBe(forward.cases[0]?.verdict);
        if (verdicts.includes('fail')) expect(forward.exitCode).toBe(1);
        else if (verdicts.every((v) => v === 'could-not-test')) expect(forward.exitCode).toBe(3);
        else expect(forward.exitCode).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ledger diff: one build against another', () => {
  const build = (firmware: string, ...runs: RunEvidence[]) => mergeBuild(firmware, runs);

  it('lists a regression (passed on OLD, fails on NEW) and exits 1 for a MUST case', () => {
    const diff = diffBuilds(
      build('6.2.3', run({ firmware: '6.2.3', cases: two('pass', 'fail') })),
      build('6.2.4', run({ cases: two('fail', 'pass') })),
    );
    expect(diff.regressions.map((r) => [r.id, r.from, r.to])).toEqual([['http.a', 'pass', 'fail']]);
    expect(diff.progressions.map((r) => [r.id, r.from, r.to])).toEqual([['mq.b', 'fail', 'pass']]);
    expect(diff.exitCode).toBe(1);
  });

  it('exits 0 when only a SHOULD case regressed, and lists new could-not-test cases', () => {
    const diff = diffBuilds(
      build(
        '6.2.3',
        run({
          cases: [
            { id: 'http.a', verdict: 'pass', level: 'SHOULD' },
            { id: 'mq.b', verdict: 'pass' },
          ],
        }),
      ),
      build(
        '6.2.4',
        run({
          cases: [
            { id: 'http.a', verdict: 'fail', level: 'SHOULD' },
            { id: 'mq.b', verdict: 'could-not-test' },
          ],
        }),
      ),
    );
    expect(diff.regressions.map((r) => r.id)).toEqual(['http.a']);
    expect(diff.newCouldNotTest.map((r) => r.id)).toEqual(['mq.b']);
    expect(diff.exitCode).toBe(0);
  });

  it('counts a flaky case’s verdicts on its build, and a flaky case on NEW is a regression', () => {
    const diff = diffBuilds(
      build('6.2.3', run({ cases: two('pass', 'pass') })),
      build(
        '6.2.4',
        run({ cases: two('pass', 'fail') }),
        run({ cases: two('pass', 'pass') }),
        run({ cases: two('pass', 'pass') }),
      ),
    );
    expect(diff.flaky).toEqual([{ build: '6.2.4', id: 'mq.b', verdicts: { fail: 1, pass: 2 } }]);
    expect(diff.regressions.map((r) => [r.id, r.to])).toEqual([['mq.b', 'flaky']]);
    expect(diff.exitCode).toBe(1);
  });
});
