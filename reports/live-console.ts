import type { CasePhase, PhaseEvent, RunPlan } from '../src/results/progress.ts';
import type { CaseResult } from '../src/results/types.ts';
import { ProgressEstimate } from './progress-estimate.ts';
import { type ConsoleStyle, renderCaseLines } from './render-console.ts';
import { fitStatus } from './status-text.ts';

/**
 * How the run talks to a person: `live` on a terminal (a status line redrawn in place under the finished
 * cases), `plain` for logs (the finished cases, and a heartbeat line during a long silence), `quiet` (only the
 * summary).
 */
export type ConsoleMode = 'live' | 'plain' | 'quiet';

/** A status area at the bottom of a terminal (reports/status-line.ts draws it with log-update). */
export interface StatusLine {
  /** Shows `text` in place of the previous status. */
  update(text: string): void;
  /** Writes text that stays, above the status. */
  print(text: string): void;
  /** Removes the status for good. */
  done(): void;
  /** How many characters fit on one of its lines (a terminal's width); undefined: no limit. */
  columns?(): number | undefined;
}

export interface LiveConsoleOptions {
  mode: ConsoleMode;
  style: ConsoleStyle;
  /** Where `live` draws its status line. */
  status?: StatusLine | undefined;
  /** `plain`: a heartbeat line when nothing was printed for this long during a case (default 30 s). */
  heartbeatMs?: number | undefined;
  /** The clock, in ms (tests pin it). */
  now?: () => number;
  /** How often the status is redrawn and the heartbeat considered (default 1 s; 0: never, tests tick by hand). */
  tickMs?: number;
}

/** A case under way. */
interface InFlight {
  id: string;
  startedAt: number;
  phase: CasePhase;
  phaseAt: number;
  windowMs: number | undefined;
  downAfterMs: number | undefined;
}

export const HEARTBEAT_MS = 30_000;

/**
 * The console of a run: each finished case as it ends (in plan order), and what the run is doing meanwhile.
 * It only renders what the run reports (src/results/progress.ts); the engine never imports it.
 */
export class LiveConsole {
  private plan: RunPlan | undefined;
  private estimate: ProgressEstimate | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly now: () => number;
  private readonly startedAt: number;
  /** The time the kept results of a resumed run took. */
  private keptMs = 0;
  private lastWrite: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly options: LiveConsoleOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.lastWrite = this.startedAt;
    if (options.mode === 'live' && !options.status) throw new Error('a live console needs a status line');
    const tick = options.tickMs ?? 1_000;
    if (options.mode !== 'quiet' && tick > 0) {
      this.timer = setInterval(() => this.tick(), tick);
      this.timer.unref();
    }
  }

  /**
   * The run has planned its cases; `header` is the line that opens it. `kept`: the results a resumed run kept
   * (--resume): they count as done, their time as spent, and the estimate learns from them.
   */
  start(plan: RunPlan, header: string, kept: readonly CaseResult[] = []): void {
    this.plan = plan;
    this.estimate = new ProgressEstimate(plan, kept);
    this.keptMs = timeSpent(kept);
    this.note(header);
    if (plan.kept.length > 0) {
      this.note(
        `kept ${plan.kept.length} results of the interrupted run; running the other ${plan.total - plan.kept.length}`,
      );
    }
  }

  /** A case entered a phase. */
  phase(event: PhaseEvent): void {
    const now = this.now();
    this.estimate?.phase(event, now);
    if (event.phase === 'done') {
      this.inFlight.delete(event.id);
    } else {
      const current = this.inFlight.get(event.id);
      this.inFlight.set(event.id, {
        id: event.id,
        startedAt: current?.startedAt ?? now,
        phase: event.phase,
        phaseAt: now,
        windowMs: event.windowMs,
        downAfterMs: event.downAfterMs ?? (event.phase === 'waiting-api' ? current?.downAfterMs : undefined),
      });
    }
    this.redraw();
  }

  /** A case's result, in plan order. */
  result(result: CaseResult): void {
    this.estimate?.result(result);
    if (this.options.mode === 'quiet') return;
    this.write(renderCaseLines(result, this.options.style).join('\n'));
    this.redraw();
  }

  /** Any other line the run prints (not in quiet mode). */
  note(text: string): void {
    if (this.options.mode === 'quiet') return;
    this.write(text);
  }

  /** The closing lines (the summary): printed in every mode; the status line goes. */
  finish(lines: readonly string[]): void {
    this.stop();
    this.out.write(`${lines.join('\n')}\n`);
  }

  /** Stops the timer and removes the status line. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.options.status?.done();
  }

  /**
   * The status line as it reads now, fitted to `width` characters (reports/status-text.ts), or undefined
   * before the run has started.
   */
  statusText(width?: number): string | undefined {
    const plan = this.plan;
    const estimate = this.estimate;
    if (!plan || !estimate) return undefined;
    const now = this.now();
    const shown = [...this.inFlight.values()].sort((a, b) => a.startedAt - b.startedAt)[0];
    const left = estimate.remaining(this.spent());
    const parts = {
      count: `[${Math.min(plan.total, estimate.done + 1)}/${plan.total}]`,
      others: Math.max(0, this.inFlight.size - 1),
      elapsed: clock(this.keptMs + now - this.startedAt),
      left: left === undefined ? undefined : describeLeft(left),
    };
    return fitStatus(shown ? { ...parts, ...phaseParts(shown, now) } : parts, width);
  }

  /** The estimate of the time left, in ms; undefined until it can be told (every boot to come included). */
  remainingMs(): number | undefined {
    return this.estimate?.leftMs(this.spent());
  }

  // How long each case under way has run.
  private spent(): Map<string, number> {
    const now = this.now();
    return new Map([...this.inFlight.values()].map((c) => [c.id, now - c.startedAt]));
  }

  /** What the timer does: redraws the status; off a terminal, writes a heartbeat after a long silence. */
  tick(): void {
    if (this.stopped) return;
    if (this.options.mode === 'live') {
      this.redraw();
      return;
    }
    if (this.options.mode !== 'plain' || this.inFlight.size === 0) return;
    if (this.now() - this.lastWrite < (this.options.heartbeatMs ?? HEARTBEAT_MS)) return;
    const text = this.statusText();
    if (text) this.write(`… ${text}`);
  }

  private write(text: string): void {
    this.lastWrite = this.now();
    if (this.options.mode === 'live') this.options.status?.print(text);
    else this.out.write(`${text}\n`);
  }

  private redraw(): void {
    if (this.options.mode !== 'live' || this.stopped) return;
    const text = this.statusText(this.options.status?.columns?.());
    if (text) this.options.status?.update(text);
  }
}

/**
 * The phase of the case shown, as the status line says it. Its window is shown while the phase is within it
 * (whole seconds, of a window of at least one): a phase that outlasts the window it announced is shown with its
 * seconds alone, never as "29 s of 10 s".
 */
function phaseParts(c: InFlight, now: number) {
  const inPhaseS = Math.floor((now - c.phaseAt) / 1000);
  const windowS = c.windowMs === undefined ? undefined : Math.round(c.windowMs / 1000);
  const rebooting = c.phase === 'waiting-up' || c.phase === 'waiting-api';
  return {
    id: c.id,
    phase: c.phase,
    down:
      c.downAfterMs !== undefined && rebooting
        ? `down ${(c.downAfterMs / 1000).toFixed(1)} s after ${c.id.startsWith('amqp.') ? 'the command' : 'the answer'}`
        : undefined,
    inPhaseS,
    windowS: windowS !== undefined && windowS >= 1 && inPhaseS <= windowS ? windowS : undefined,
  };
}

/** The time the results took, overlaps counted once (cases that shared the device ran together). */
export function timeSpent(results: readonly CaseResult[]): number {
  const spans = results
    .map((r) => [Date.parse(r.startedAt), Date.parse(r.startedAt) + r.durationMs] as const)
    .filter(([from]) => Number.isFinite(from))
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

/** `12:40`, `1:02:03`. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** `4 min`, or `4 min + 17 reboots` while no boot has been seen to tell how long those take. */
function describeLeft(left: { ms: number; reboots: number }): string {
  if (left.reboots === 0) return roughly(left.ms);
  const reboots = `${left.reboots} reboot${left.reboots === 1 ? '' : 's'}`;
  return left.ms < 1_000 ? reboots : `${roughly(left.ms)} + ${reboots}`;
}

/** `40 s`, `21 min`, `1 h 5 min`. */
export function roughly(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 90 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}
