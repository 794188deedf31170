import { describe, expect, it } from 'vitest';
import { LiveConsole, type StatusLine } from '../../reports/live-console.ts';
import { fitStatus, shrinkId } from '../../reports/status-text.ts';
import type { RunPlan } from '../../src/results/progress.ts';
import type { CaseResult } from '../../src/results/types.ts';

// The live line as a terminal of 80 or 60 columns shows it (one column kept free, as status-line.ts does).

const ID = 'http.wipedata.combination.all-three';
const PLAN: RunPlan = {
  total: 63,
  suite: 'certification',
  target: 'http://127.0.0.1:5555',
  specHash: 'abc',
  startedAt: '2026-12-01T00:00:00.000Z',
  cases: Array.from({ length: 63 }, (_, i) => ({
    id: i === 9 ? ID : `http.wipedata.case-${i}`,
    reboots: true,
    shares: false,
  })),
  kept: [],
  concurrency: 1,
};

function result(id: string, startedAt: string, durationMs: number): CaseResult {
  return {
    id,
    title: id,
    level: 'MUST',
    clauses: ['HTTP-1'],
    transport: 'http',
    tags: [],
    source: 'specs/http/wipedata.yaml:1:1',
    verdict: 'pass',
    message: '3 checks passed',
    checks: [],
    startedAt,
    durationMs,
    evidence: {},
  };
}

/** A live console on a pinned clock whose status line is `columns` wide; returns what it last drew. */
function consoleOf(columns: number, plan: RunPlan = PLAN, kept: CaseResult[] = []) {
  let now = 0;
  const shown: string[] = [];
  const status: StatusLine = {
    update: (t) => shown.push(t),
    print: () => {},
    done: () => {},
    columns: () => columns - 1,
  };
  const live = new LiveConsole(
    { write: () => true },
    { mode: 'live', style: { color: false }, status, now: () => now, tickMs: 0 },
  );
  live.start(plan, 'header', kept);
  return {
    live,
    at: (ms: number) => {
      now = ms;
    },
    line: () => {
      live.tick();
      return shown.at(-1) as string;
    },
  };
}

/** Nine cases done, 70 s each (a 60 s boot), then the tenth case down for 34 s. */
function tenthRebooting(columns: number) {
  const c = consoleOf(columns);
  for (let i = 0; i < 9; i++) {
    const id = PLAN.cases[i]?.id as string;
    c.at(i * 70_000);
    c.live.phase({ id, phase: 'sending' });
    c.at(i * 70_000 + 5_000);
    c.live.phase({ id, phase: 'waiting-up', downAfterMs: 1_800, windowMs: 180_000 });
    c.at(i * 70_000 + 65_000);
    c.live.phase({ id, phase: 'waiting-api', windowMs: 120_000 });
    c.live.phase({ id, phase: 'reading-state' });
    c.at((i + 1) * 70_000);
    c.live.phase({ id, phase: 'done' });
  }
  c.live.phase({ id: ID, phase: 'sending' });
  c.at(630_000 + 5_000);
  c.live.phase({ id: ID, phase: 'waiting-up', downAfterMs: 1_800, windowMs: 180_000 });
  c.at(630_000 + 39_000);
  return c;
}

describe('the status line at the width of the terminal', () => {
  it('wide, says everything', () => {
    expect(tenthRebooting(200).line()).toBe(
      `[10/63] ${ID} · waiting for the device to come back (down 1.8 s after the answer; 34 s of 180 s) · 11:09 elapsed · ~62 min left`,
    );
  });

  it('at 80 columns keeps count, case, phase, time spent and time left whole', () => {
    const line = tenthRebooting(80).line();
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toBe(`[10/63] ${ID} · rebooting · 11:09 · ~62 min left`);
  });

  it('at 60 columns shortens the case id in the middle, never the times', () => {
    const line = tenthRebooting(60).line();
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line).toBe('[10/63] http.…all-three · rebooting · 11:09 · ~62 min left');
  });

  it('with several in flight and a long phase, still fits 60 and 80 columns', () => {
    for (const columns of [60, 80]) {
      const text = fitStatus(
        {
          count: '[77/92]',
          id: 'amqp.wipedata.malformed.very-large-then-valid',
          others: 3,
          phase: 'waiting-consumer',
          inPhaseS: 12,
          windowS: 180,
          elapsed: '1:02:03',
        },
        columns - 1,
      );
      expect(text.length, text).toBeLessThanOrEqual(columns - 1);
      expect(text).toContain('1:02:03');
      expect(text).toContain('estimating');
      expect(text.startsWith('[77/92] ')).toBe(true);
    }
  });

  it('never shows more seconds of a window than it has, nor a window of 0 s', () => {
    const c = consoleOf(200);
    c.live.phase({ id: ID, phase: 'waiting-reply', windowMs: 10_000 });
    c.at(9_500);
    expect(c.line()).toContain('waiting for the reply (9 s of 10 s)');
    // The phase outlasted its window (a watch extended after the reply): its seconds alone.
    c.at(29_200);
    expect(c.line()).toContain('waiting for the reply (29 s)');
    c.live.phase({ id: ID, phase: 'watching-quiet', windowMs: 300 });
    c.at(29_300);
    expect(c.line()).toContain('watching that the device stays up ·');
    expect(c.line()).not.toMatch(/of 0 s/);
  });

  it('a resumed run counts the time of its kept results, and has an estimate at once', () => {
    const kept = [
      result('http.wipedata.case-0', '2026-12-01T00:00:00.000Z', 60_000),
      result('http.wipedata.case-1', '2026-12-01T00:01:00.000Z', 60_000),
    ];
    const c = consoleOf(200, { ...PLAN, kept: kept.map((r) => r.id) }, kept);
    c.live.phase({ id: 'http.wipedata.case-2', phase: 'seeding' });
    c.at(5_000);
    expect(c.line()).toBe('[3/63] http.wipedata.case-2 · seeding state (5 s) · 2:05 elapsed · ~61 min left');
  });

  it('cuts an id in the middle down to a floor, below which the phase gives way instead', () => {
    expect(shrinkId(ID, 100)).toBe(ID);
    // The transport and the last segments that fit; the characters at both ends when not even the last does.
    expect(shrinkId(ID, 30)).toBe('http.…combination.all-three');
    expect(shrinkId(ID, 20)).toBe('http.…all-three');
    expect(shrinkId('http.wipedata.arguments.missing-capitalised-users', 20)).toBe('http.wiped…sed-users');
    expect(shrinkId(ID, 10)).toBeUndefined();
  });
});
