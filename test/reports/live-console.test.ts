import { describe, expect, it } from 'vitest';
import { LiveConsole, type StatusLine } from '../../reports/live-console.ts';
import { ProgressEstimate } from '../../reports/progress-estimate.ts';
import { colorWanted } from '../../reports/render-console.ts';
import type { RunPlan } from '../../src/results/progress.ts';
import type { CaseResult } from '../../src/results/types.ts';

const PLAN: RunPlan = {
  total: 4,
  suite: 'certification',
  target: 'http://127.0.0.1:5555',
  specHash: 'abc',
  startedAt: '2026-12-01T00:00:00.000Z',
  cases: [
    { id: 'http.wipedata.flags.users', reboots: true, shares: false },
    { id: 'http.wipedata.flags.all', reboots: true, shares: false },
    { id: 'http.wipedata.content-type.text-plain', reboots: false, shares: true },
    { id: 'http.wipedata.flags.none', reboots: false, shares: true },
  ],
  kept: [],
  concurrency: 2,
};

function result(id: string, durationMs: number, verdict: CaseResult['verdict'] = 'pass'): CaseResult {
  return {
    id,
    title: id,
    level: 'MUST',
    clauses: ['HTTP-1'],
    transport: 'http',
    tags: [],
    source: 'specs/http/wipedata.yaml:1:1',
    verdict,
    message: verdict === 'pass' ? '3 checks passed' : 'status: expected 200; received 500',
    checks: [],
    startedAt: '2026-12-01T00:00:00.000Z',
    durationMs,
    evidence: {},
  };
}

/** A console on a pinned clock, writing into `lines`, with a status line that records what it shows. */
function harness(mode: 'live' | 'plain' | 'quiet', heartbeatMs?: number) {
  let now = 0;
  const written: string[] = [];
  const shown: string[] = [];
  const status: StatusLine = {
    update: (text) => shown.push(text),
    print: (text) => written.push(`${text}\n`),
    done: () => shown.push('<done>'),
  };
  const live = new LiveConsole(
    { write: (text: string) => written.push(text) },
    { mode, style: { color: false }, status, heartbeatMs, now: () => now, tickMs: 0 },
  );
  return {
    live,
    written,
    shown,
    at: (ms: number) => {
      now = ms;
    },
  };
}

describe('the live console', () => {
  it('shows the case count, id, phase with its window, time spent and the time left learnt from the boots', () => {
    const h = harness('live');
    h.live.start(PLAN, 'header');
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'sending' });
    h.at(1_800);
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'waiting-up', downAfterMs: 1_800, windowMs: 180_000 });
    h.at(35_800);
    expect(h.live.statusText()).toBe(
      '[1/4] http.wipedata.flags.users · waiting for the device to come back (down 1.8 s after the answer; 34 s of 180 s) · 0:35 elapsed · estimating the time left',
    );
    // The boot is over at 40 s: a rebooting case is now estimated from that boot.
    h.at(40_000);
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'waiting-api', windowMs: 140_000 });
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'reading-state' });
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'done' });
    h.live.result(result('http.wipedata.flags.users', 42_000));
    expect(h.written.join('')).toContain('PASS http.wipedata.flags.users  [MUST HTTP-1]  42000 ms');
    h.live.phase({ id: 'http.wipedata.flags.all', phase: 'seeding' });
    h.at(41_000);
    // One rebooting case left (40 s from its first phase to its end, 1 s spent), two sharing cases guessed from
    // the mean so far, side by side (concurrency 2).
    expect(h.live.statusText()).toBe('[2/4] http.wipedata.flags.all · seeding state (1 s) · 0:41 elapsed · ~79 s left');
    expect(h.shown.at(-1)).toMatch(/^\[2\/4\] http\.wipedata\.flags\.all · seeding state/);
  });

  it('names the other cases in flight and the MQ command a reboot follows', () => {
    const h = harness('live');
    h.live.start(PLAN, 'header');
    h.live.phase({ id: 'http.wipedata.content-type.text-plain', phase: 'watching-quiet', windowMs: 5_000 });
    h.live.phase({ id: 'http.wipedata.flags.none', phase: 'sending' });
    h.at(2_000);
    expect(h.live.statusText()).toMatch(
      /^\[1\/4\] http\.wipedata\.content-type\.text-plain \(\+1 in flight\) · watching that the device stays up \(2 s of 5 s\)/,
    );
  });

  it('off a terminal prints plain lines, and a heartbeat only after a long silence during a case', () => {
    const h = harness('plain', 30_000);
    h.live.start(PLAN, 'header');
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'watching-down', windowMs: 30_000 });
    h.at(29_000);
    h.live.tick();
    expect(h.written).toEqual(['header\n']);
    h.at(30_500);
    h.live.tick();
    expect(h.written[1]).toBe(
      '… [1/4] http.wipedata.flags.users · waiting for the device to go down (30 s of 30 s) · 0:30 elapsed · estimating the time left\n',
    );
    h.at(45_000);
    h.live.tick();
    expect(h.written).toHaveLength(2);
    expect(h.shown).toEqual([]);
  });

  it('--quiet prints only the closing lines', () => {
    const h = harness('quiet');
    h.live.start(PLAN, 'header');
    h.live.phase({ id: 'http.wipedata.flags.users', phase: 'sending' });
    h.live.result(result('http.wipedata.flags.users', 1_000, 'fail'));
    h.live.note('platform login endpoint: …');
    h.live.finish(['Gate: FAIL (exit 1)', '0 passed, 1 failed, 0 skipped']);
    expect(h.written.join('')).toBe('Gate: FAIL (exit 1)\n0 passed, 1 failed, 0 skipped\n');
  });
});

describe('the estimate of the time left', () => {
  const ids = PLAN.cases.map((c) => c.id);
  const [users, all, textPlain] = ids as [string, string, string];

  it('has none before anything is known, then learns as each case ends, not when its result is printed', () => {
    const estimate = new ProgressEstimate(PLAN);
    expect(estimate.leftMs()).toBeUndefined();
    // The sharing cases end first; their results wait for the rebooting cases before them (plan order).
    estimate.phase({ id: textPlain, phase: 'sending' }, 0);
    estimate.phase({ id: textPlain, phase: 'done' }, 5_000);
    expect(estimate.done).toBe(1);
    // The other sharing case is guessed from the one seen (two in flight: half its time); the two that must
    // reboot the device cannot be told before a boot is seen: they are counted, not guessed.
    expect(estimate.remaining()).toEqual({ ms: 2_500, reboots: 2 });
    expect(estimate.leftMs()).toBeUndefined();
    // Its result, printed later, is not counted twice.
    estimate.result(result(textPlain, 5_000));
    expect(estimate.done).toBe(1);
  });

  it('guesses a rebooting case from the boots seen plus the least a rebooting case took besides its boot', () => {
    const plan: RunPlan = {
      ...PLAN,
      cases: [
        { id: 'amqp.wipedata.flags.users', reboots: false, mayReboot: true, shares: false },
        { id: 'amqp.wipedata.malformed.not-json-then-valid', reboots: false, mayReboot: true, shares: false },
        { id: users, reboots: true, shares: false },
        { id: all, reboots: true, shares: false },
      ],
    };
    const estimate = new ProgressEstimate(plan);
    const rebooting = (id: string, start: number, down: number, up: number, end: number) => {
      estimate.phase({ id, phase: 'sending' }, start);
      estimate.phase({ id, phase: 'waiting-up' }, down);
      estimate.phase({ id, phase: 'waiting-api' }, up - 200);
      estimate.phase({ id, phase: 'reading-state' }, up);
      estimate.phase({ id, phase: 'done' }, end);
    };
    rebooting('amqp.wipedata.flags.users', 0, 500, 3_500, 3_600); // 3 s boot, 0.6 s besides
    rebooting('amqp.wipedata.malformed.not-json-then-valid', 3_600, 9_100, 12_100, 12_200); // 3 s boot, 5.6 s besides
    expect(estimate.meanBootMs).toBe(3_000);
    expect(estimate.leftMs()).toBe(2 * (3_000 + 600));
  });

  it('before a sharing case has ended, guesses it from its watch window; the MQ and HTTP lanes overlap', () => {
    const plan: RunPlan = {
      ...PLAN,
      concurrency: 4,
      windows: { quietMs: 5_000, downWithinMs: 30_000 },
      cases: [
        { id: 'amqp.wipedata.flags.all-false', reboots: false, mayReboot: true, shares: true },
        { id: 'amqp.wipedata.message-key.missing', reboots: false, shares: true },
        ...Array.from({ length: 6 }, (_, i) => ({ id: `http.wipedata.body.b${i}`, reboots: false, shares: true })),
        { id: users, reboots: true, shares: false },
      ],
    };
    const estimate = new ProgressEstimate(plan);
    estimate.phase({ id: users, phase: 'sending' }, 0);
    estimate.phase({ id: users, phase: 'done' }, 4_000);
    // MQ lane one at a time: 30 s + 5 s; HTTP lane three wide: 6 × 5 s / 3. The longer lane counts.
    expect(estimate.leftMs()).toBe(35_000);
    // What a case in flight has spent is not counted again.
    estimate.phase({ id: 'amqp.wipedata.flags.all-false', phase: 'watching-down' }, 4_000);
    expect(estimate.leftMs(new Map([['amqp.wipedata.flags.all-false', 10_000]]))).toBe(25_000);
  });

  it('an MQ case that publishes commands before its own is guessed a quiet window longer until one is seen', () => {
    const plan: RunPlan = {
      ...PLAN,
      windows: { quietMs: 5_000, downWithinMs: 30_000 },
      cases: [
        { id: 'amqp.wipedata.flags.users', reboots: false, mayReboot: true, shares: false },
        {
          id: 'amqp.wipedata.malformed.empty-then-valid',
          reboots: false,
          mayReboot: true,
          shares: false,
          publishesBefore: true,
        },
        {
          id: 'amqp.wipedata.malformed.binary-then-valid',
          reboots: false,
          mayReboot: true,
          shares: false,
          publishesBefore: true,
        },
      ],
    };
    const estimate = new ProgressEstimate(plan);
    estimate.phase({ id: 'amqp.wipedata.flags.users', phase: 'publishing' }, 0);
    estimate.phase({ id: 'amqp.wipedata.flags.users', phase: 'done' }, 3_500);
    expect(estimate.leftMs()).toBe(2 * (3_500 + 5_000));
    estimate.phase({ id: 'amqp.wipedata.malformed.empty-then-valid', phase: 'publishing' }, 3_500);
    estimate.phase({ id: 'amqp.wipedata.malformed.empty-then-valid', phase: 'done' }, 12_000);
    expect(estimate.leftMs()).toBe(8_500);
  });

  it('learns nothing from a case that could not test (no broker given): its end was quick for that reason', () => {
    const estimate = new ProgressEstimate(PLAN);
    estimate.phase({ id: users, phase: 'waiting-ready' }, 0);
    estimate.phase({ id: users, phase: 'done' }, 10);
    expect(estimate.leftMs()).toBe(10 + 10 / 2 + 10 / 2);
    estimate.result(result(users, 10, 'could-not-test'));
    expect(estimate.done).toBe(1);
    expect(estimate.leftMs()).toBeUndefined();
  });

  it('a resumed run counts its kept results as done and learns from them', () => {
    const kept = [result(users, 40_000)];
    const estimate = new ProgressEstimate({ ...PLAN, kept: [users] }, kept);
    expect(estimate.done).toBe(1);
    // The other rebooting case as the kept one; the sharing ones from the same mean, two at a time.
    expect(estimate.leftMs()).toBe(40_000 + 40_000);
  });
});

describe('colours', () => {
  it('follow the terminal, NO_COLOR and FORCE_COLOR', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ TERM: 'dumb' }, true)).toBe(false);
  });
});

describe('lab mode on a terminal', () => {
  it('draws one status line per device, and prints each device’s lines above them, prefixed', async () => {
    const { StatusBoard } = await import('../../reports/status-line.ts');
    const frames: string[] = [];
    const printed: string[] = [];
    const board = new StatusBoard({ update: (t) => frames.push(t), print: (t) => printed.push(t), done: () => {} });
    const a = board.slot('[bench-a] ');
    const b = board.slot('[bench-b] ');
    a.update('[1/92] http.wipedata.flags.users · seeding state');
    b.update('[4/92] http.wipedata.flags.all · waiting for the device to come back');
    b.print('PASS http.wipedata.flags.events\n  -> two lines');
    expect(frames.at(-1)).toBe(
      '[bench-a] [1/92] http.wipedata.flags.users · seeding state\n[bench-b] [4/92] http.wipedata.flags.all · waiting for the device to come back',
    );
    expect(printed).toEqual(['[bench-b] PASS http.wipedata.flags.events\n[bench-b]   -> two lines']);
    a.done();
    expect(frames.at(-1)).toBe('[bench-b] [4/92] http.wipedata.flags.all · waiting for the device to come back');
  });
});
