import { couldNotTest } from '../results/fold-verdict.ts';
import type { Evidence, RebootTimeline, StateEvidence, Verdict } from '../results/types.ts';
import { NO_REPORT, type PhaseReport, reportWatch } from './case-progress.ts';
import { findSeeded, isEmpty, PreconditionError, readState, seedState } from './prepare-state.ts';
import { waitReady, watchReboot } from './reboot-watcher.ts';
import type { RunContext } from './run-context.ts';
import { watchTransports } from './run-transports.ts';

export const WIPEDATA_PATH = '/sophon/v2/face/wipedata';

/** What running one case produced: its verdict and its evidence. */
export interface CaseRun {
  verdict: Verdict;
  evidence: Evidence;
}

/**
 * How long the answer to a case's request may take: a case whose request a correct device carries out
 * (`destructive`) gets the wipe window when the run has one (HTTP-12: the answer waits for the deletion),
 * any other the plain one (`fallbackMs`: the request timeout, or the MQ reply window).
 */
export function wipeWindowFor(spec: { tags?: string[] | undefined }, ctx: RunContext, fallbackMs: number): number {
  const destructive = spec.tags?.includes('destructive') ?? false;
  return destructive && ctx.wipeWithinMs !== undefined ? Math.max(fallbackMs, ctx.wipeWithinMs) : fallbackMs;
}

/**
 * How long a device that must stay up is watched: the quiet window, or longer once the device has shown that it
 * takes longer to go down after a wipe. A wrongful reboot after a refusal comes no faster than a rightful one,
 * and a device allowed to shut down slowly (design §5: within the down window) must not escape the watch.
 */
export function quietWindow(ctx: RunContext): number {
  const slowest = ctx.learnt.timings.slowestDownMs;
  const learnt = slowest === undefined ? 0 : Math.ceil(slowest * 2);
  return Math.min(ctx.downWithinMs, Math.max(ctx.quietMs, learnt));
}

/** Appends a note to the evidence. */
export function note(evidence: Evidence, text: string): void {
  evidence.notes = [...(evidence.notes ?? []), text];
}

/**
 * The steps every case starts with: the device is ready, and the state the case is `given` is
 * established and read back. Returns the state evidence, or the could-not-test run that ends the case.
 * A case that `shares` the device with others finds the seeded state in place instead of seeding it.
 */
export async function establishGiven(
  given: 'seeded' | 'empty' | undefined,
  ctx: RunContext,
  evidence: Evidence,
  shares = false,
  report: PhaseReport = NO_REPORT,
): Promise<{ state: StateEvidence | undefined } | { stop: CaseRun }> {
  // Once the device has been gone for a whole up window, each later case looks once instead of
  // waiting the window again: a device that never came back must not stretch the run by hours.
  const device = ctx.learnt.device;
  const window = device.lostSince ? 0 : ctx.upWithinMs;
  report('waiting-ready', { windowMs: window });
  if (!(await waitReady(ctx.target, window, ctx.probeIntervalMs, ctx.signal, ctx.transports.callApi))) {
    const since = device.lostSince ? ` (unavailable since ${device.lostSince})` : '';
    device.lost();
    const verdict = couldNotTest('transport', `the device was not ready before the case within ${window} ms${since}`);
    return { stop: { verdict, evidence } };
  }
  device.found();
  const { adapter, signal } = ctx;
  if (!given || !adapter) return { state: undefined };
  try {
    if (given === 'empty') {
      report('wiping-clean');
      await wipeClean(ctx, evidence, report);
      const before = await readState(adapter, signal, 'read the state after wiping clean');
      if (!isEmpty(before)) throw new PreconditionError('the device still holds data after a clean wipe');
      return { state: { before } };
    }
    const { unseedable } = ctx.learnt;
    if (shares) {
      report('finding-seed');
      const state = await findSeeded(adapter, signal, unseedable.known);
      note(evidence, 'the device was shared with other cases: the state seeded before them was found in place');
      return { state };
    }
    report('seeding');
    const state = await seedState(adapter, signal);
    unseedable.learn(state.unseedable ?? []);
    return { state };
  } catch (error) {
    if (error instanceof PreconditionError) return { stop: { verdict: couldNotTest('seed', error.message), evidence } };
    throw error;
  }
}

/** Reads the state after the request, once the device is up (or back); a failed read is noted, never fatal. */
export async function readStateAfter(
  ctx: RunContext,
  state: StateEvidence | undefined,
  timeline: RebootTimeline,
  evidence: Evidence,
  report: PhaseReport = NO_REPORT,
): Promise<void> {
  if (!state || !ctx.adapter) return;
  if (timeline.outcome === 'not-back' || timeline.outcome === 'not-ready') return;
  report('reading-state');
  try {
    state.after = await readState(ctx.adapter, ctx.signal, 'read the state after the request');
  } catch (error) {
    if (!(error instanceof PreconditionError)) throw error;
    note(evidence, error.message);
  }
}

// `given: empty` (HTTP-15): the device is wiped clean with `all` over HTTP, and the checker waits out the reboot.
async function wipeClean(ctx: RunContext, evidence: Evidence, report: PhaseReport): Promise<void> {
  const origin = performance.now();
  const exchange = await ctx.transports.sendHttp(
    {
      method: 'POST',
      url: new URL(WIPEDATA_PATH, ctx.target).toString(),
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"all":true}'),
    },
    { timeoutMs: Math.max(ctx.requestTimeoutMs, ctx.wipeWithinMs ?? 0), origin, signal: ctx.signal },
  );
  note(evidence, `precondition: wiped clean with {"all":true} → ${exchange.status ?? exchange.error}`);
  const refused = exchange.status !== undefined && exchange.status !== 200;
  if (refused) throw new PreconditionError(`the clean wipe was not accepted (${exchange.status})`);
  // Without an answer the device may be rebooting (it dropped the connection to do so): the case is over,
  // but the device is let come back first, or the next case would find it going down under its seeding.
  const timeline = await watchReboot({
    ...watchTransports(ctx.transports),
    target: ctx.target,
    downWithinMs: ctx.downWithinMs,
    upWithinMs: ctx.upWithinMs,
    watchMs: ctx.downWithinMs,
    probeIntervalMs: ctx.probeIntervalMs,
    since: exchange.completedAt,
    signal: ctx.signal,
    onStep: reportWatch(report, { watchMs: ctx.downWithinMs, upWithinMs: ctx.upWithinMs, quiet: false }),
  });
  if (timeline.outcome === 'not-back' || timeline.outcome === 'not-ready') {
    throw new PreconditionError(`the device did not come back after the clean wipe (${timeline.outcome})`);
  }
  if (!(await waitReady(ctx.target, ctx.upWithinMs, ctx.probeIntervalMs, ctx.signal, ctx.transports.callApi))) {
    throw new PreconditionError('the device was not ready after the clean wipe');
  }
  if (exchange.status === undefined) {
    throw new PreconditionError(`the clean wipe was not answered (${exchange.error}); the device ${timeline.outcome}`);
  }
}
