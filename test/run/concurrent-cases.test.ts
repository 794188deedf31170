import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../../src/results/types.ts';
import { groupCases, laneCases, runGrouped } from '../../src/run/concurrent-cases.ts';
import type { RunContext } from '../../src/run/run-context.ts';
import type { LoadedCase } from '../../src/specs/load-specs.ts';

type Reboot = 'required' | 'any' | 'none';

function httpCase(id: string, reboot: Reboot = 'none', tags: string[] = ['negative']): LoadedCase {
  const spec = { id, title: id, clauses: [], level: 'MUST', tags, given: 'seeded', send: {}, expect: { reboot } };
  return { transport: 'http', spec, source: 'test' } as unknown as LoadedCase;
}

function mqCase(id: string, reboot: Reboot = 'none', tags: string[] = ['negative']): LoadedCase {
  const spec = { id, title: id, clauses: [], level: 'MUST', tags, given: 'seeded', send: {}, expect: { reboot } };
  return { transport: 'amqp', spec, source: 'test' } as unknown as LoadedCase;
}

const ctx = { signal: new AbortController().signal } as RunContext;

interface Call {
  id: string;
  shares: boolean;
  /** What was in flight (other cases) when this one started. */
  beside: string[];
}

/** A fake device run: each case takes `ms`, gives the verdict `verdictOf` says, and the calls are recorded. */
function fakeRunner(verdictOf: (id: string, shares: boolean) => CaseResult['verdict'] = () => 'pass', ms = 5) {
  const calls: Call[] = [];
  const inFlight = new Set<string>();
  const runOne = async (c: LoadedCase, shares: boolean): Promise<CaseResult> => {
    const id = c.spec.id;
    calls.push({ id, shares, beside: [...inFlight] });
    inFlight.add(id);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight.delete(id);
    return { id, verdict: verdictOf(id, shares), evidence: {} } as CaseResult;
  };
  return { calls, runOne };
}

describe('running the cases that leave the device alone together', () => {
  const plan = [
    httpCase('h.first'),
    httpCase('h.wipe', 'required', ['destructive']),
    httpCase('h.a'),
    mqCase('m.a'),
    httpCase('h.b'),
    mqCase('m.b'),
    httpCase('h.may-reboot', 'any', ['flags']),
    mqCase('m.wipe', 'any', ['destructive']),
    httpCase('h.c'),
    mqCase('m.may-reboot', 'any', ['flags']),
    mqCase('m.after-the-others', 'none', ['reply', 'ordered']),
  ];

  it('gathers every case that may share the device into one step, where the first of them stands', () => {
    const ids = groupCases(plan).map((group) => group.map((i) => plan[i]?.spec.id));
    expect(ids).toEqual([
      ['h.first', 'h.a', 'm.a', 'h.b', 'm.b', 'h.may-reboot', 'h.c', 'm.may-reboot'],
      ['h.wipe'],
      ['m.wipe'],
      ['m.after-the-others'],
    ]);
  });

  it('puts MQ cases in a lane of one beside the HTTP cases, the down-window watches first', () => {
    const [shared] = groupCases(plan);
    const lanes = laneCases((shared ?? []).slice(1), plan, 4).map((l) => ({
      width: l.width,
      ids: l.positions.map((i) => plan[i]?.spec.id),
    }));
    expect(lanes).toEqual([
      { width: 1, ids: ['m.may-reboot', 'm.a', 'm.b'] },
      { width: 3, ids: ['h.may-reboot', 'h.a', 'h.b', 'h.c'] },
    ]);
  });

  it('runs destructive cases alone, the first shared case alone, and never two MQ cases at once', async () => {
    const { calls, runOne } = fakeRunner();
    const reported: string[] = [];
    const { results, complete } = await runGrouped(plan, ctx, runOne, (r) => reported.push(r.id), 4);
    expect(complete).toBe(true);
    expect(results.map((r) => r.id)).toEqual(plan.map((c) => c.spec.id));
    expect(reported).toEqual(plan.map((c) => c.spec.id));
    const call = (id: string) => calls.find((c) => c.id === id) as Call;
    for (const alone of ['h.first', 'h.wipe', 'm.wipe', 'm.after-the-others']) {
      expect(call(alone)).toMatchObject({ shares: false, beside: [] });
      expect(calls.filter((c) => c.beside.includes(alone))).toEqual([]);
    }
    const mq = new Set(['m.a', 'm.b', 'm.may-reboot']);
    const sharing = new Set(['h.a', 'h.b', 'h.c', 'h.may-reboot', ...mq]);
    for (const c of calls.filter((c) => sharing.has(c.id))) {
      expect(c.shares).toBe(true);
      if (mq.has(c.id)) expect(c.beside.filter((b) => mq.has(b))).toEqual([]);
      expect(c.beside.length).toBeLessThan(4);
    }
    // Concurrency happened at all: some case started beside another.
    expect(calls.some((c) => c.beside.length > 0)).toBe(true);
  });

  it('runs first, alone, a shared case that is given a seeded device, so the others find the seed', async () => {
    const unseeded = mqCase('m.no-state');
    delete (unseeded.spec as { given?: string }).given;
    const { calls, runOne } = fakeRunner();
    await runGrouped([unseeded, ...plan], ctx, runOne, () => {}, 4);
    expect(calls[0]).toMatchObject({ id: 'h.first', shares: false, beside: [] });
    expect(calls.find((c) => c.id === 'm.no-state')?.shares).toBe(true);
  });

  it('without a broker, has an HTTP case seed: the MQ cases cannot run, so they seed nothing', async () => {
    const plan = [mqCase('m.first'), httpCase('h.a'), httpCase('h.b'), httpCase('h.c')];
    const { calls, runOne } = fakeRunner();
    await runGrouped(plan, ctx, runOne, () => {}, 4);
    expect(calls[0]).toMatchObject({ id: 'h.a', shares: false, beside: [] });
    // With a broker the MQ case seeds, as the plan has it first.
    const broker = fakeRunner();
    await runGrouped(plan, { ...ctx, amqp: {} } as RunContext, broker.runOne, () => {}, 4);
    expect(broker.calls[0]).toMatchObject({ id: 'm.first', shares: false, beside: [] });
  });

  it('does not share the device when nothing can run beside a case (MQ cases only)', async () => {
    const mqOnly = plan.filter((c) => c.transport === 'amqp');
    const { calls, runOne } = fakeRunner((id, shares) => (id === 'm.a' && shares ? 'fail' : 'pass'));
    const { results } = await runGrouped(mqOnly, ctx, runOne, () => {}, 4);
    expect(calls.every((c) => !c.shares && c.beside.length === 0)).toBe(true);
    expect(calls.filter((c) => c.id === 'm.a')).toHaveLength(1);
    expect(results.map((r) => r.id)).toEqual(mqOnly.map((c) => c.spec.id));
  });

  it('runs again alone a case that did not pass beside others, and reports that run with a note', async () => {
    const { calls, runOne } = fakeRunner((id, shares) => (id === 'h.b' && shares ? 'fail' : 'pass'));
    const { results } = await runGrouped(plan, ctx, runOne, () => {}, 4);
    const b = results.find((r) => r.id === 'h.b');
    expect(b?.verdict).toBe('pass');
    expect(b?.evidence.notes?.join(' ')).toMatch(/alongside other cases this case was fail; run again alone/);
    const runsOfB = calls.filter((c) => c.id === 'h.b');
    expect(runsOfB.map((c) => c.shares)).toEqual([true, false]);
    expect(runsOfB[1]?.beside).toEqual([]);
  });

  it('keeps a failure that the case gives alone too', async () => {
    const { runOne } = fakeRunner((id) => (id === 'm.a' ? 'fail' : 'pass'));
    const { results } = await runGrouped(plan, ctx, runOne, () => {}, 4);
    expect(results.find((r) => r.id === 'm.a')?.verdict).toBe('fail');
  });

  it('runs everything one at a time, in plan order, without sharing, at concurrency 1', async () => {
    const { calls, runOne } = fakeRunner();
    await runGrouped(plan, ctx, runOne, () => {}, 1);
    expect(calls.every((c) => !c.shares && c.beside.length === 0)).toBe(true);
    const order = calls.map((c) => c.id);
    // The shared step keeps plan order among its cases; the destructive steps follow it.
    expect(order).toEqual([
      'h.first',
      'h.a',
      'm.a',
      'h.b',
      'm.b',
      'h.may-reboot',
      'h.c',
      'm.may-reboot',
      'h.wipe',
      'm.wipe',
      'm.after-the-others',
    ]);
  });
});
