import { randomUUID } from 'node:crypto';
import { checkAmqpCase } from '../checks/check-amqp-case.ts';
import type { ReplyObservation } from '../checks/check-reply.ts';
import { couldNotTest, foldVerdict } from '../results/fold-verdict.ts';
import type {
  AmqpEvidence,
  AmqpPublishEvidence,
  Evidence,
  RebootTimeline,
  ReplyEvidence,
  StateEvidence,
} from '../results/types.ts';
import type { AmqpCase, AmqpExpectSpec, AmqpMessageSpec, ReplyChannel } from '../specs/case-schema.ts';
import { outcomesOf } from '../specs/outcomes.ts';
import { redactUrl } from '../transports/amqp-transport.ts';
import { wireBody } from '../transports/http-transport.ts';
import type { Arrival } from '../transports/reply-inbox.ts';
import type { MessageIds } from './amqp-learning.ts';
import { awaitConsumer, ConsumerWatch } from './await-consumer.ts';
import { NO_REPORT, type PhaseReport, reportWatch } from './case-progress.ts';
import { type CaseRun, establishGiven, note, quietWindow, readStateAfter, wipeWindowFor } from './case-steps.ts';
import { interpolate } from './interpolate.ts';
import { readUptime, waitReady, watchReboot } from './reboot-watcher.ts';
import type { AmqpContext, RunContext } from './run-context.ts';
import { watchTransports } from './run-transports.ts';

type Role = AmqpPublishEvidence['role'];

interface Published {
  role: Role;
  at: number;
  messageId: string | undefined;
  correlationId: string | undefined;
}

/**
 * Runs one MQ case: precondition, any `before` messages, the command (a duplicate publishes it twice
 * with a fresh seed between), then the reply on the expected channel, nothing on the other, the
 * reboot and the state.
 */
export async function runAmqpCase(
  spec: AmqpCase,
  ctx: RunContext,
  shares = false,
  report: PhaseReport = NO_REPORT,
): Promise<CaseRun> {
  const evidence: Evidence = {};
  const mq = ctx.amqp;
  if (!mq) {
    const message = 'no broker given: pass --amqp URL --command-queue Q --up-queue Q to test the MQ channel';
    return { verdict: couldNotTest('transport', message), evidence };
  }
  // A broker that went away (or stopped confirming) leaves the case unobservable, never failed:
  // the device may have answered where the checker could no longer listen.
  if (mq.session.lost) {
    const message = `the broker connection was lost earlier in the run (${mq.session.lost})`;
    return { verdict: couldNotTest('transport', message), evidence };
  }
  let run: CaseRun;
  const ids: string[] = [];
  try {
    run = await observeAmqpCase(spec, ctx, mq, evidence, ids, shares, report);
  } catch (error) {
    const message = `the MQ channel failed: ${(error as Error).message}`;
    note(evidence, message);
    return { verdict: couldNotTest('transport', message), evidence };
  } finally {
    mq.learnt.messageIds.remember(ids);
    await purgeLeftovers(mq, evidence);
  }
  const lost = mq.session.lost;
  if (!lost || run.verdict.kind === 'could-not-test') return run;
  const message = `the broker connection was lost during the case (${lost}): replies could not be received`;
  note(evidence, message);
  const checks = run.verdict.kind === 'not-applicable' ? [] : run.verdict.checks;
  return { verdict: couldNotTest('transport', message, checks), evidence: run.evidence };
}

// A command the device never consumed would otherwise run in the middle of a later case (a consumer that
// stopped, then came back with a reboot): the case is over, so what it left in the queue goes.
async function purgeLeftovers(mq: AmqpContext, evidence: Evidence): Promise<void> {
  if (mq.session.lost) return;
  const left = await mq.session.purgeCommands().catch(() => 0);
  if (left > 0) {
    note(evidence, `${left} command(s) the device never consumed were purged from the command queue after the case`);
  }
}

async function observeAmqpCase(
  spec: AmqpCase,
  ctx: RunContext,
  mq: AmqpContext,
  evidence: Evidence,
  pendingIds: string[],
  shares: boolean,
  report: PhaseReport,
): Promise<CaseRun> {
  const given = await establishGiven(spec.given, ctx, evidence, shares, report);
  if ('stop' in given) return given.stop;
  const state = given.state;

  const uuid = randomUUID();
  let send: AmqpCase['send'];
  try {
    send = interpolate(spec.send, {
      uuid,
      'callback.url': mq.callbacks.urlFor(`${spec.id}/${uuid}`),
      'callback.unreachable': mq.callbacks.unreachableUrl,
      'case.id': spec.id,
      'run.tag': ctx.runTag,
    });
  } catch (error) {
    return { verdict: couldNotTest('seed', `case ${spec.id}: ${(error as Error).message}`), evidence };
  }
  const { session } = mq;
  const origin = performance.now();
  // A command a correct device executes may take as long as the wipe takes (HTTP-12's synchronous wipe: a
  // full face library takes tens of seconds); a refusal is quick. The duplicate's second delivery executes
  // nothing on a correct device, so it gets the plain window.
  const wipeWindow = wipeWindowFor(spec, ctx, mq.replyWithinMs);
  const commandWindow = spec.send.duplicate ? mq.replyWithinMs : wipeWindow;
  const amqpEvidence: AmqpEvidence = {
    broker: redactUrl(session.endpoint.url),
    commandQueue: session.endpoint.commandQueue,
    upQueue: session.endpoint.upQueue,
    published: [],
    replies: [],
  };
  evidence.amqp = amqpEvidence;
  await awaitConsumer(ctx, mq, evidence, report, spec.id);
  // From the first publish on, the command queue is watched: a command nothing will take ends the waits for what
  // it would have done (design §5), with the verdicts they would have given at their windows' end.
  const watch = new ConsumerWatch(ctx, mq, spec.id);
  try {
    return await publishAndObserve(spec, ctx, mq, evidence, pendingIds, report, {
      send,
      state,
      origin,
      wipeWindow,
      commandWindow,
      amqpEvidence,
      watch,
    });
  } finally {
    await watch.stop();
  }
}

interface CaseSetup {
  send: AmqpCase['send'];
  state: StateEvidence | undefined;
  origin: number;
  wipeWindow: number;
  commandWindow: number;
  amqpEvidence: AmqpEvidence;
  watch: ConsumerWatch;
}

async function publishAndObserve(
  spec: AmqpCase,
  ctx: RunContext,
  mq: AmqpContext,
  evidence: Evidence,
  pendingIds: string[],
  report: PhaseReport,
  setup: CaseSetup,
): Promise<CaseRun> {
  const { send, origin, wipeWindow, commandWindow, amqpEvidence, watch } = setup;
  let state = setup.state;
  const { session, inbox } = mq;
  const waitSignal = AbortSignal.any([ctx.signal, watch.signal]);
  // An arrival matching, or none once nothing consumes the command queue (then nothing more will come of it).
  const waitArrival = (since: number, match: (a: Arrival) => boolean, deadline: number) =>
    waitSignal.aborted
      ? Promise.resolve(inbox.since(since).find(match))
      : inbox.waitFor(since, match, deadline, waitSignal);
  const published: Published[] = [];
  const publish = async (message: AmqpMessageSpec, role: Role): Promise<Published> => {
    const body = encode(message);
    report('publishing');
    const at = await session.publish(body, message.properties ?? {});
    amqpEvidence.published.push({
      queue: session.endpoint.commandQueue,
      properties: { ...(message.properties ?? {}) },
      body: wireBody(body),
      atMs: Math.round(at - origin),
      role,
    });
    const record = { role, at, messageId: messageIdOf(message), correlationId: message.properties?.correlationId };
    if (record.messageId !== undefined) pendingIds.push(record.messageId);
    published.push(record);
    watch.start();
    return record;
  };

  // A `before` command the documents promise a reply to is waited for (as long as the command's own watch
  // would wait), and its reply is set aside: a slow device's reply to it must never be taken for the command's.
  const beforeReplies = new Set<Arrival>();
  let beforeRepliesMissing = 0;
  if (send.before) {
    const firstAt = performance.now();
    for (const message of send.before) await publish(message, 'before');
    const owed = send.before.filter((m) => repliesPromised(m, mq.callbacks.unreachableUrl)).length;
    const deadline = firstAt + wipeWindow + ctx.downWithinMs;
    const unclaimed = (a: Arrival) => !beforeReplies.has(a) && !answersEarlierCase(a, mq.learnt.messageIds);
    // These waits are phases of their own on the live line, not more of "publishing".
    if (owed > 0) report('waiting-reply', { windowMs: Math.max(0, Math.round(deadline - performance.now())) });
    while (beforeReplies.size < owed) {
      const arrival = await waitArrival(firstAt, unclaimed, deadline);
      if (!arrival) break;
      beforeReplies.add(arrival);
      // A wipe done before the command may be followed by a reboot that is over before the command is published,
      // its consumer not back yet: the command then waits in the queue, and only the up window proves anything.
      if (saysDone(arrival)) watch.rebootPossible();
    }
    beforeRepliesMissing = owed - beforeReplies.size;
    if (beforeRepliesMissing > 0) {
      note(
        evidence,
        `${beforeRepliesMissing} reply to the commands sent before did not come within ${Math.round(deadline - firstAt)} ms: only a reply that names the command (message_id, correlation_id) is taken for its reply`,
      );
    }
    report('watching-quiet', { windowMs: quietWindow(ctx) });
    await waitArrival(performance.now(), () => false, performance.now() + quietWindow(ctx));
  }

  if (send.duplicate) {
    const first = await publish(send, 'first-of-duplicate');
    report('waiting-reply', { windowMs: wipeWindow });
    const firstReply = await waitArrival(first.at, () => true, first.at + wipeWindow);
    if (firstReply && saysDone(firstReply)) watch.rebootPossible();
    const since = performance.now();
    const onWatch = reportWatch(report, { watchMs: ctx.downWithinMs, upWithinMs: ctx.upWithinMs, quiet: false });
    await watchReboot({
      ...watchTransports(ctx.transports),
      target: ctx.target,
      downWithinMs: ctx.downWithinMs,
      upWithinMs: ctx.upWithinMs,
      watchMs: ctx.downWithinMs,
      // A first delivery nothing took did nothing: there is no reboot to wait for.
      watchUntil: () => (watch.goneAt === undefined ? ctx.downWithinMs : 0),
      probeIntervalMs: ctx.probeIntervalMs,
      since,
      signal: ctx.signal,
      onStep: (step, atMs) => {
        if (step !== 'watch') watch.rebootPossible();
        onWatch(step, atMs);
      },
    });
    report('waiting-ready', { windowMs: ctx.upWithinMs });
    await waitReady(ctx.target, ctx.upWithinMs, ctx.probeIntervalMs, ctx.signal, ctx.transports.callApi);
    const again = await establishGiven(spec.given, ctx, evidence, false, report);
    if ('stop' in again) return again.stop;
    state = again.state;
    await awaitConsumer(ctx, mq, evidence, report, spec.id);
    note(
      evidence,
      'duplicate: the same bytes were published again after the first delivery was answered and the state re-seeded',
    );
  }

  // Read before the command: after it the device may already be going down (MQ-10 reports what the reboot was).
  const uptimeBefore = ctx.systemUrl ? await readUptime(ctx.systemUrl, ctx.signal, ctx.transports.callApi) : undefined;
  const command = await publish(send, 'command');
  const expected = channelsExpected(spec.expect);
  const mayReboot = outcomesOf(spec.expect).some((o) => o.reboot === 'required' || o.reboot === 'any');
  const before = published.filter((p) => p.role !== 'command');
  // A reply matched by timing alone could be the late one a `before` command still owes: then it is not taken.
  const attributable = (a: Arrival) =>
    answers(a, command) !== undefined ||
    (beforeRepliesMissing === 0 &&
      !beforeReplies.has(a) &&
      !answersOneOf(a, before) &&
      !answersEarlierCase(a, mq.learnt.messageIds));
  let replyAt: number | undefined;
  // A reply with result true says the command was executed: a reboot may follow whatever the case expected.
  let replySaysDone = false;
  // A case that expects nothing of replies (a reply to an unreachable notify_path cannot be seen) does not
  // wait for one; a duplicate does, as what its second delivery does within it is the point. A wipe it cannot
  // see answered is given the wipe window to happen instead (the device's reboot ends the watch sooner).
  const listens = listensForReplies(spec.expect) || send.duplicate === true;
  const awaitsEffect = !listens && (spec.tags?.includes('destructive') ?? false);
  // While the reply is awaited that is the phase shown; the watch's own phases follow once it has come.
  const watchPhases = () => {
    const mayGoDown = mayReboot || replySaysDone;
    // With no reply to wait for, the watch starts at the command and holds the wipe window before the down window.
    const effectMs = awaitsEffect && replyAt === undefined ? commandWindow : 0;
    const watchMs = effectMs + (mayGoDown ? ctx.downWithinMs : quietWindow(ctx));
    return reportWatch(report, { watchMs, upWithinMs: ctx.upWithinMs, quiet: !mayGoDown });
  };
  let onWatch = watchPhases();
  let awaitingReply = listens;
  if (listens) report('waiting-reply', { windowMs: commandWindow });
  const waitReply = (
    listens
      ? waitArrival(command.at, (a) => expected.includes(a.channel) && attributable(a), command.at + commandWindow)
      : Promise.resolve(undefined)
  ).then((a) => {
    replyAt = a?.at;
    replySaysDone = (a?.json as { result?: unknown } | undefined)?.result === true;
    if (awaitingReply) {
      awaitingReply = false;
      onWatch = watchPhases();
      onWatch('watch', 0);
    }
    return a;
  });
  // A wipe it cannot see answered is seen done in the state instead (a device that stays up after an MQ wipe
  // would otherwise hold the case for the whole wipe window).
  let effectAt: number | undefined;
  let watching = true;
  const effectSeen = awaitsEffect ? watchEffect(ctx, state, () => watching && !watch.signal.aborted) : undefined;
  void effectSeen?.then((at) => {
    effectAt = at;
  });
  // The watch ends a down window (or a quiet window) after the reply or the effect, or after the reply window
  // when neither came; at once when nothing took the command (nothing can follow a command nobody consumed).
  let timeline = await watchReboot({
    ...watchTransports(ctx.transports),
    target: ctx.target,
    systemUrl: ctx.systemUrl,
    uptimeBefore,
    downWithinMs: ctx.downWithinMs,
    upWithinMs: ctx.upWithinMs,
    watchMs: commandWindow + ctx.downWithinMs,
    watchUntil: () => {
      const seenAt = replyAt ?? effectAt;
      if (seenAt === undefined && watch.goneAt !== undefined) return Math.max(0, watch.goneAt - command.at);
      const awaited = seenAt !== undefined ? seenAt - command.at : expected.length || awaitsEffect ? commandWindow : 0;
      return awaited + (mayReboot || replySaysDone ? ctx.downWithinMs : quietWindow(ctx));
    },
    probeIntervalMs: ctx.probeIntervalMs,
    since: command.at,
    signal: ctx.signal,
    onStep: (step, atMs) => {
      if (step !== 'watch') watch.rebootPossible();
      if (step === 'watch' && awaitingReply) return;
      awaitingReply = false;
      onWatch(step, atMs);
    },
  });
  // A read still in flight is left to finish on its own: it only reads, and a device rebooting may hold it.
  watching = false;
  await waitReply;
  const decidedEarly = replyAt === undefined && watch.goneAt !== undefined && mq.learnt.consumer.gone !== undefined;
  if (decidedEarly) {
    note(
      evidence,
      `${mq.learnt.consumer.gone}: decided ${Math.round((watch.goneAt ?? command.at) - command.at)} ms after the command was published, without waiting out the ${commandWindow} ms window (nothing took the command, so no reply or effect can follow)`,
    );
  }
  // A command queued while the device rebooted (for an earlier command) is executed once it is back,
  // and its own reboot follows its reply: watch that one too, or the state would be read mid-reboot.
  // Only a reboot seen after the reply replaces the first timeline; otherwise the first one stands (a
  // reply sent after a reboot must still be judged against that reboot, MQ-10).
  if (
    (mayReboot || replySaysDone) &&
    replyAt !== undefined &&
    timeline.downAtMs !== undefined &&
    replyAt - command.at > timeline.downAtMs
  ) {
    const earlier = timeline;
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
    if (own.outcome !== 'stayed-up') {
      note(
        evidence,
        `the device went down ${earlier.downAtMs} ms after the command was published, before executing it; its reply came at ${Math.round(offset)} ms, and the timeline shown is the reboot that followed the reply`,
      );
      timeline = shiftTimeline(own, offset);
    }
  }
  evidence.reboot = timeline;
  await readStateAfter(ctx, state, timeline, evidence, report);
  if (state) evidence.state = state;

  const arrivals = inbox.since(origin);
  const forCommand = inbox.since(command.at).filter(attributable);
  amqpEvidence.replies = arrivals.map((a) => describeArrival(a, origin, published));
  const replies = observeReplies(forCommand, command, mq, timeline.downAtMs, commandWindow);
  const unfinished = mq.callbacks.unfinished(command.at);
  if (unfinished.length) {
    replies.unfinishedCallbacks = unfinished.length;
    for (const u of unfinished) {
      note(
        evidence,
        `notify_path: a request to ${u.path} began ${Math.round(u.at - command.at)} ms after the command and never completed; it is not a reply`,
      );
    }
  }

  const judged = checkAmqpCase(
    spec.expect,
    {
      replies,
      reboot: { timeline, answered: true },
      state,
      settingDefaults: ctx.adapter?.settingDefaults ?? {},
    },
    spec.level,
    ctx.profile,
  );
  const key = Object.values(replies.matched)
    .map((m) => (m.arrival.json as { mq_license_key?: unknown } | undefined)?.mq_license_key)
    .find((k): k is string => typeof k === 'string' && k.length > 0);
  mq.learnt.licenseKey.learn(key);
  if (judged.outcome) evidence.outcome = judged.unmatched ? `none of: ${judged.unmatched.join(', ')}` : judged.outcome;
  if (decidedEarly) {
    const gone = `${mq.learnt.consumer.gone} (the command was never taken)`;
    evidence.outcome = evidence.outcome ? `${evidence.outcome}; ${gone}` : gone;
  }
  // MQ-10 holds "if the device reboots": one that stays up after the wipe never lost its consumer, so a case about
  // the consumer coming back passes without having seen it come back. Said plainly, as the clause wants it reported.
  if (!evidence.outcome && spec.requires?.includes('reboots-after-mq-wipe') && timeline.outcome === 'stayed-up') {
    evidence.outcome =
      'the device did not reboot after the MQ wipe (MQ-10 allows it): its consumer never went away, so it being back held trivially';
  }
  evidence.reproduce = reproduceFor(amqpEvidence);
  return { verdict: foldVerdict(judged.checks), evidence };
}

function observeReplies(
  forCommand: Arrival[],
  command: Published,
  mq: AmqpContext,
  downAtMs: number | undefined,
  windowMs: number,
): ReplyObservation {
  const byChannel: Record<ReplyChannel, Arrival[]> = {
    up_queue: forCommand.filter((a) => a.channel === 'up_queue'),
    notify_path: forCommand.filter((a) => a.channel === 'notify_path'),
  };
  const matched: ReplyObservation['matched'] = {};
  for (const channel of ['up_queue', 'notify_path'] as const) {
    const first = byChannel[channel][0];
    if (!first) continue;
    const tied = byChannel[channel].find((a) => answers(a, command) !== undefined);
    matched[channel] = tied
      ? { arrival: tied, matchedBy: answers(tied, command) ?? 'timing' }
      : { arrival: first, matchedBy: channel === 'notify_path' ? 'callback-path' : 'timing' };
  }
  return {
    byChannel,
    matched,
    publishedAt: command.at,
    windowMs,
    messageId: command.messageId,
    knownLicenseKey: mq.learnt.licenseKey.value,
    downAt: downAtMs === undefined ? undefined : command.at + downAtMs,
  };
}

/** How a reply is tied to a published message, if it is: its echoed message_id, or the AMQP correlation id. */
function answers(arrival: Arrival, message: Published): ReplyEvidence['matchedBy'] | undefined {
  if (message.messageId !== undefined && echoedId(arrival) === message.messageId) return 'message_id';
  if (message.correlationId !== undefined && arrival.meta.correlationId === message.correlationId)
    return 'correlation_id';
  // A device may carry the command's message_id in the reply's AMQP correlation_id instead (MQ-7).
  if (message.messageId !== undefined && arrival.meta.correlationId === message.messageId) return 'correlation_id';
  return undefined;
}

/** Whether a message is a wipedata command whose reply can reach us (MQ-2…MQ-6: every such command is answered). */
function repliesPromised(message: AmqpMessageSpec, unreachableUrl: string): boolean {
  const value = message.body === undefined && message.bodyBase64 === undefined ? message.message : undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const command = value as { message_key?: unknown; notify_path?: unknown };
  return command.message_key === 'wipedata' && command.notify_path !== unreachableUrl;
}

/** A reply echoing a message_id an earlier case published: a straggler that answers that case. */
function answersEarlierCase(arrival: Arrival, earlier: MessageIds): boolean {
  const echoed = echoedId(arrival);
  return typeof echoed === 'string' && earlier.isEarlier(echoed);
}

/** The message_id a reply echoes, at the top level or in ext_data (MQ-7). */
function echoedId(arrival: Arrival): unknown {
  const json = arrival.json as { message_id?: unknown; ext_data?: { message_id?: unknown } } | undefined;
  return json?.message_id ?? json?.ext_data?.message_id;
}

function answersOneOf(arrival: Arrival, messages: Published[]): boolean {
  return messages.some((m) => answers(arrival, m) !== undefined);
}

function describeArrival(arrival: Arrival, origin: number, published: Published[]): ReplyEvidence {
  const tied = [...published].reverse().find((p) => answers(arrival, p) !== undefined);
  const matchedBy = tied ? answers(arrival, tied) : undefined;
  return {
    channel: arrival.channel,
    atMs: Math.round(arrival.at - origin),
    body: wireBody(arrival.body),
    meta: arrival.meta,
    ...(matchedBy ? { matchedBy } : {}),
    ...(tied ? { answers: tied.role } : {}),
  };
}

/** A reply with result true: the command was executed, and a reboot may follow. */
function saysDone(arrival: Arrival): boolean {
  return (arrival.json as { result?: unknown } | undefined)?.result === true;
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

function encode(message: AmqpMessageSpec): Buffer {
  if (message.body !== undefined) return Buffer.from(message.body, 'utf8');
  if (message.bodyBase64 !== undefined) return Buffer.from(message.bodyBase64, 'base64');
  let value = message.message;
  if (message.padTo !== undefined && value && typeof value === 'object' && !Array.isArray(value)) {
    const bare = Buffer.byteLength(JSON.stringify({ ...value, padding: '' }));
    value = { ...value, padding: 'x'.repeat(Math.max(0, message.padTo - bare)) };
  }
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function messageIdOf(message: AmqpMessageSpec): string | undefined {
  const value = message.message as { message_id?: unknown } | undefined;
  return value && typeof value === 'object' && typeof value.message_id === 'string' ? value.message_id : undefined;
}

function listensForReplies(expect: AmqpExpectSpec): boolean {
  return outcomesOf(expect).some((o) => o.reply || o.noReply || o.should?.reply || o.should?.noReply);
}

function channelsExpected(expect: AmqpExpectSpec): ReplyChannel[] {
  const channels = outcomesOf(expect).flatMap((o) => [o.reply?.via, o.should?.reply?.via]);
  return [...new Set(channels.filter((c): c is ReplyChannel => c !== undefined))];
}

function reproduceFor(amqp: AmqpEvidence): string {
  const last = amqp.published.at(-1);
  const payload = last?.body.text ?? '';
  const quoted = `'${payload.length > 2000 ? `${payload.slice(0, 2000)}…` : payload.replace(/'/g, `'\\''`)}'`;
  return `rabbitmqadmin publish exchange=amq.default routing_key=${amqp.commandQueue} payload=${quoted}  # then read ${amqp.upQueue}`;
}

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
