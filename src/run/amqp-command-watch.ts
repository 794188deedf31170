import type { RebootTimeline, StateEvidence } from '../results/types.ts';
import type { ReplyChannel } from '../specs/case-schema.ts';
import type { Arrival, ReplyInbox } from '../transports/reply-inbox.ts';
import { type Published, saysDone } from './amqp-replies.ts';
import type { ConsumerWatch } from './await-consumer.ts';
import { type PhaseReport, reportWatch } from './case-progress.ts';
import { quietWindow } from './case-steps.ts';
import { type UptimeRead, type WatchStep, watchReboot } from './reboot-watcher.ts';
import type { RunContext } from './run-context.ts';
import { watchTransports } from './run-transports.ts';

/** Waits for an arrival that matches, until a deadline (performance.now()). */
export type ArrivalWait = (
  since: number,
  match: (a: Arrival) => boolean,
  deadline: number,
) => Promise<Arrival | undefined>;

/**
 * An arrival matching, or none once `gone` is aborted: nothing consumes the command queue, so nothing more will
 * come of what the case published (what is there already is still taken).
 */
export function arrivalWait(inbox: ReplyInbox, gone: AbortSignal): ArrivalWait {
  return (since, match, deadline) =>
    gone.aborted ? Promise.resolve(inbox.since(since).find(match)) : inbox.waitFor(since, match, deadline, gone);
}

/** What a case expects of its command, decided before it is published. */
export interface CommandPlan {
  /** The channels a reply is expected on. */
  expected: ReplyChannel[];
  /** An outcome requires or allows a reboot. */
  mayReboot: boolean;
  /** A reply is waited for (a case that expects nothing of replies, as one to an unreachable notify_path, does not). */
  listens: boolean;
  /** No reply can be seen, but the wipe the command asks for can: the state is watched for it. */
  awaitsEffect: boolean;
  /** How long the command's reply (or effect) may take. */
  commandWindow: number;
}

/** What the watch after the command saw: the reboot timeline, and the reply when one was awaited and came. */
export interface CommandOutcome {
  timeline: RebootTimeline;
  replyAt: number | undefined;
  /** The reply said result true: the command was executed, and a reboot may follow whatever the case expected. */
  replySaysDone: boolean;
}

/**
 * Watches what the command does: its reply (or, when none can be seen, its effect on the state) and the device's
 * reboot, all at once. The watch ends a down window (or a quiet window) after the reply or the effect, or after the
 * reply window when neither came; at once when nothing took the command (nothing can follow a command nobody
 * consumed).
 */
export async function watchCommand(
  ctx: RunContext,
  state: StateEvidence | undefined,
  command: Published,
  plan: CommandPlan,
  take: { wait: ArrivalWait; attributable: (a: Arrival) => boolean },
  watch: ConsumerWatch,
  report: PhaseReport,
  uptimeBefore: UptimeRead | undefined,
): Promise<CommandOutcome> {
  const progress = new CommandProgress(ctx, plan, report);
  if (plan.listens) report('waiting-reply', { windowMs: plan.commandWindow });
  const reply = (
    plan.listens
      ? take.wait(
          command.at,
          (a) => plan.expected.includes(a.channel) && take.attributable(a),
          command.at + plan.commandWindow,
        )
      : Promise.resolve(undefined)
  ).then((a) => progress.replied(a));
  // A wipe it cannot see answered is seen done in the state instead (a device that stays up after an MQ wipe
  // would otherwise hold the case for the whole wipe window).
  const effect = plan.awaitsEffect
    ? watchEffect(ctx, state, () => progress.watchingEffect && !watch.signal.aborted)
    : undefined;
  void effect?.then((at) => progress.effectSeen(at));
  const timeline = await watchReboot({
    ...watchTransports(ctx.transports),
    target: ctx.target,
    systemUrl: ctx.systemUrl,
    uptimeBefore,
    downWithinMs: ctx.downWithinMs,
    upWithinMs: ctx.upWithinMs,
    watchMs: plan.commandWindow + ctx.downWithinMs,
    watchUntil: () => progress.watchEnd(command.at, watch.goneAt),
    probeIntervalMs: ctx.probeIntervalMs,
    since: command.at,
    signal: ctx.signal,
    onStep: (step, atMs) => {
      if (step !== 'watch') watch.rebootPossible();
      progress.step(step, atMs);
    },
  });
  // A read still in flight is left to finish on its own: it only reads, and a device rebooting may hold it.
  progress.stopWatchingEffect();
  await reply;
  return { timeline, replyAt: progress.replyAt, replySaysDone: progress.replySaysDone };
}

/**
 * What is known of the command while the reply wait, the effect watch and the reboot watcher run at once: when its
 * reply or its effect came. The watcher asks it how long to watch and which phase to show, so this is the one
 * state the three share (each of them a promise, none can hand it to the others as a return value).
 */
class CommandProgress {
  replyAt: number | undefined;
  replySaysDone = false;
  private effectAt: number | undefined;
  private watching = true;
  // While the reply is awaited that is the phase shown; the watch's own phases follow once it has come.
  private awaitingReply: boolean;
  private onWatch: (step: WatchStep, atMs: number) => void;

  constructor(
    private readonly ctx: RunContext,
    private readonly plan: CommandPlan,
    private readonly report: PhaseReport,
  ) {
    this.awaitingReply = plan.listens;
    this.onWatch = this.watchPhases();
  }

  /** The effect watch goes on while this holds. */
  get watchingEffect(): boolean {
    return this.watching;
  }

  replied(arrival: Arrival | undefined): void {
    this.replyAt = arrival?.at;
    this.replySaysDone = arrival !== undefined && saysDone(arrival);
    if (this.awaitingReply) {
      this.awaitingReply = false;
      this.onWatch = this.watchPhases();
      this.onWatch('watch', 0);
    }
  }

  effectSeen(at: number | undefined): void {
    this.effectAt = at;
  }

  stopWatchingEffect(): void {
    this.watching = false;
  }

  /** When the reboot watch ends, in ms after the command; asked again at every probe. */
  watchEnd(commandAt: number, goneAt: number | undefined): number {
    const { plan, ctx } = this;
    const seenAt = this.replyAt ?? this.effectAt;
    if (seenAt === undefined && goneAt !== undefined) return Math.max(0, goneAt - commandAt);
    const awaited =
      seenAt !== undefined ? seenAt - commandAt : plan.expected.length || plan.awaitsEffect ? plan.commandWindow : 0;
    return awaited + (plan.mayReboot || this.replySaysDone ? ctx.downWithinMs : quietWindow(ctx));
  }

  /** A step of the reboot watcher, shown unless the reply is still the phase shown. */
  step(step: WatchStep, atMs: number): void {
    if (step === 'watch' && this.awaitingReply) return;
    this.awaitingReply = false;
    this.onWatch(step, atMs);
  }

  private watchPhases(): (step: WatchStep, atMs: number) => void {
    const { plan, ctx } = this;
    const mayGoDown = plan.mayReboot || this.replySaysDone;
    // With no reply to wait for, the watch starts at the command and holds the wipe window before the down window.
    const effectMs = plan.awaitsEffect && this.replyAt === undefined ? plan.commandWindow : 0;
    const watchMs = effectMs + (mayGoDown ? ctx.downWithinMs : quietWindow(ctx));
    return reportWatch(this.report, { watchMs, upWithinMs: ctx.upWithinMs, quiet: !mayGoDown });
  }
}

/**
 * A command queued while the device rebooted (for an earlier command) is executed once it is back, and its own
 * reboot follows its reply: that one is watched too, or the state would be read mid-reboot. Only a reboot seen
 * after the reply replaces the first timeline (with a note saying so); otherwise the first one stands (a reply
 * sent after a reboot must still be judged against that reboot, MQ-10).
 */
export async function followOwnReboot(
  ctx: RunContext,
  seen: CommandOutcome,
  command: Published,
  mayReboot: boolean,
  report: PhaseReport,
): Promise<{ timeline: RebootTimeline; note?: string }> {
  const { timeline: earlier, replyAt } = seen;
  const after =
    (mayReboot || seen.replySaysDone) &&
    replyAt !== undefined &&
    earlier.downAtMs !== undefined &&
    replyAt - command.at > earlier.downAtMs;
  if (!after || replyAt === undefined) return { timeline: earlier };
  const offset = replyAt - command.at;
  const own = await watchReboot({
    ...watchTransports(ctx.transports),
    target: ctx.target,
    systemUrl: ctx.systemUrl,
    downWithinMs: ctx.downWithinMs,
    upWithinMs: ctx.upWithinMs,
    watchMs: ctx.downWithinMs,
    probeIntervalMs: ctx.probeIntervalMs,
    since: replyAt,
    signal: ctx.signal,
    onStep: reportWatch(report, { watchMs: ctx.downWithinMs, upWithinMs: ctx.upWithinMs, quiet: false }),
  });
  if (own.outcome === 'stayed-up') return { timeline: earlier };
  return {
    timeline: shiftTimeline(own, offset),
    note: `the device went down ${earlier.downAtMs} ms after the command was published, before executing it; its reply came at ${Math.round(offset)} ms, and the timeline shown is the reboot that followed the reply`,
  };
}

/** How often the state is read while a wipe whose reply cannot be seen is awaited. */
const EFFECT_EVERY_MS = 500;

/**
 * Reads the state until a category seeded before has fewer items (the wipe is being done), while `goesOn`; returns
 * when that was first seen, or undefined. A read that fails (the device rebooting) is no answer, never an error.
 */
async function watchEffect(
  ctx: RunContext,
  state: StateEvidence | undefined,
  goesOn: () => boolean,
): Promise<number | undefined> {
  const before = state?.before;
  const adapter = ctx.adapter;
  if (!before || !adapter) return undefined;
  while (goesOn() && !ctx.signal.aborted) {
    const now = await adapter.read(ctx.signal).catch(() => undefined);
    if (now && COUNTED_CATEGORIES.some((c) => before[c].count > 0 && now[c].count < before[c].count)) {
      return performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, EFFECT_EVERY_MS));
  }
  return undefined;
}

const COUNTED_CATEGORIES = ['identities', 'permissions', 'mediaDevices', 'events'] as const;

/** A timeline watched from a later moment, expressed from the command's publish like the rest of the case. */
function shiftTimeline(timeline: RebootTimeline, offsetMs: number): RebootTimeline {
  const shift = (ms: number | undefined) => (ms === undefined ? undefined : Math.round((ms + offsetMs) * 10) / 10);
  const downAtMs = shift(timeline.downAtMs);
  const upAtMs = shift(timeline.upAtMs);
  const readyAtMs = shift(timeline.readyAtMs);
  return {
    ...timeline,
    watchedMs: Math.round(timeline.watchedMs + offsetMs),
    ...(downAtMs !== undefined ? { downAtMs } : {}),
    ...(upAtMs !== undefined ? { upAtMs } : {}),
    ...(readyAtMs !== undefined ? { readyAtMs } : {}),
  };
}
