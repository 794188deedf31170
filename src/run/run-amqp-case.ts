import { randomUUID } from 'node:crypto';
import { checkAmqpCase } from '../checks/check-amqp-case.ts';
import { couldNotTest, foldVerdict } from '../results/fold-verdict.ts';
import type { AmqpEvidence, Evidence, RebootTimeline, StateEvidence } from '../results/types.ts';
import type { AmqpCase, AmqpExpectSpec, AmqpMessageSpec, ReplyChannel } from '../specs/case-schema.ts';
import { outcomesOf } from '../specs/outcomes.ts';
import { redactUrl } from '../transports/amqp-transport.ts';
import type { Arrival } from '../transports/reply-inbox.ts';
import {
  type ArrivalWait,
  arrivalWait,
  type CommandPlan,
  followOwnReboot,
  watchCommand,
} from './amqp-command-watch.ts';
import type { CaseMessageIds, MessageIds } from './amqp-learning.ts';
import { Publications, reproduceFor } from './amqp-publications.ts';
import {
  answers,
  answersEarlierCase,
  answersOneOf,
  describeArrival,
  licenseKeyOf,
  observeReplies,
  type Published,
  repliesPromised,
  saysDone,
} from './amqp-replies.ts';
import { awaitConsumer, ConsumerWatch } from './await-consumer.ts';
import { NO_REPORT, type PhaseReport, reportWatch } from './case-progress.ts';
import { type CaseRun, establishGiven, note, quietWindow, readStateAfter, wipeWindowFor } from './case-steps.ts';
import { interpolate } from './interpolate.ts';
import { readUptime, waitReady, watchReboot } from './reboot-watcher.ts';
import type { AmqpContext, RunContext } from './run-context.ts';
import { watchTransports } from './run-transports.ts';

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
  const ids = mq.learnt.messageIds.forCase();
  try {
    run = await observeAmqpCase(spec, ctx, mq, evidence, ids, shares, report);
  } catch (error) {
    const message = `the MQ channel failed: ${(error as Error).message}`;
    note(evidence, message);
    return { verdict: couldNotTest('transport', message), evidence };
  } finally {
    ids.close();
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
  ids: CaseMessageIds,
  shares: boolean,
  report: PhaseReport,
): Promise<CaseRun> {
  const given = await establishGiven(spec.given, ctx, evidence, shares, report);
  if ('stop' in given) return given.stop;

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
    const publications = new Publications(session, origin, amqpEvidence, ids, watch, report);
    const wait = arrivalWait(mq.inbox, AbortSignal.any([ctx.signal, watch.signal]));
    const steps: CaseSteps = {
      spec,
      send,
      ctx,
      mq,
      evidence,
      amqpEvidence,
      report,
      watch,
      publications,
      wait,
      wipeWindow,
    };
    return await publishAndObserve(steps, given.state);
  } finally {
    await watch.stop();
  }
}

/** What the steps of one MQ case share: fixed once its command is interpolated and its consumer awaited. */
interface CaseSteps {
  spec: AmqpCase;
  send: AmqpCase['send'];
  ctx: RunContext;
  mq: AmqpContext;
  /** The case's evidence, which the steps shared with HTTP cases (establishGiven, awaitConsumer) add to. */
  evidence: Evidence;
  /** Its MQ part: what was published and what came back. */
  amqpEvidence: AmqpEvidence;
  report: PhaseReport;
  watch: ConsumerWatch;
  publications: Publications;
  wait: ArrivalWait;
  wipeWindow: number;
}

/** The replies owed to the `before` messages: those taken for them, and how many did not come. */
interface BeforeReplies {
  taken: ReadonlySet<Arrival>;
  missing: number;
}

const NOTHING_BEFORE: BeforeReplies = { taken: new Set(), missing: 0 };

async function publishAndObserve(steps: CaseSteps, seeded: StateEvidence | undefined): Promise<CaseRun> {
  const { spec, send, ctx, mq, evidence, report, publications } = steps;
  const before = send.before ? await publishBefore(steps, send.before) : NOTHING_BEFORE;
  let state = seeded;
  if (send.duplicate) {
    const again = await deliverFirstOfDuplicate(steps);
    if ('stop' in again) return again.stop;
    state = again.state;
  }

  // Read before the command: after it the device may already be going down (MQ-10 reports what the reboot was).
  const uptimeBefore = ctx.systemUrl ? await readUptime(ctx.systemUrl, ctx.signal, ctx.transports.callApi) : undefined;
  const command = await publications.publish(send, 'command');
  const plan = planCommand(spec, steps.wipeWindow, mq.replyWithinMs);
  const attributable = attributableTo(command, publications.list, before, mq.learnt.messageIds);
  const seen = await watchCommand(
    ctx,
    state,
    command,
    plan,
    { wait: steps.wait, attributable },
    steps.watch,
    report,
    uptimeBefore,
  );
  const goneAt = steps.watch.goneAt;
  const decidedEarly = seen.replyAt === undefined && goneAt !== undefined && mq.learnt.consumer.gone !== undefined;
  if (decidedEarly) {
    note(
      evidence,
      `${mq.learnt.consumer.gone}: decided ${Math.round((goneAt ?? command.at) - command.at)} ms after the command was published, without waiting out the ${plan.commandWindow} ms window (nothing took the command, so no reply or effect can follow)`,
    );
  }
  const followed = await followOwnReboot(ctx, seen, command, plan.mayReboot, report);
  if (followed.note) note(evidence, followed.note);
  const timeline = followed.timeline;
  evidence.reboot = timeline;
  await readStateAfter(ctx, state, timeline, evidence, report);
  if (state) evidence.state = state;
  return judgeCommand(steps, {
    state,
    timeline,
    command,
    attributable,
    commandWindow: plan.commandWindow,
    decidedEarly,
  });
}

/**
 * Publishes the `before` messages. A `before` command the documents promise a reply to is waited for (as long as
 * the command's own watch would wait), and its reply is set aside: a slow device's reply to it must never be taken
 * for the command's. Then a quiet window, as after any refused request.
 */
async function publishBefore(steps: CaseSteps, messages: AmqpMessageSpec[]): Promise<BeforeReplies> {
  const { ctx, mq, report, watch, wait } = steps;
  const taken = new Set<Arrival>();
  const firstAt = performance.now();
  for (const message of messages) await steps.publications.publish(message, 'before');
  const owed = messages.filter((m) => repliesPromised(m, mq.callbacks.unreachableUrl)).length;
  const deadline = firstAt + steps.wipeWindow + ctx.downWithinMs;
  const unclaimed = (a: Arrival) => !taken.has(a) && !answersEarlierCase(a, mq.learnt.messageIds);
  // These waits are phases of their own on the live line, not more of "publishing".
  if (owed > 0) report('waiting-reply', { windowMs: Math.max(0, Math.round(deadline - performance.now())) });
  while (taken.size < owed) {
    const arrival = await wait(firstAt, unclaimed, deadline);
    if (!arrival) break;
    taken.add(arrival);
    // A wipe done before the command may be followed by a reboot that is over before the command is published,
    // its consumer not back yet: the command then waits in the queue, and only the up window proves anything.
    if (saysDone(arrival)) watch.rebootPossible();
  }
  const missing = owed - taken.size;
  if (missing > 0) {
    note(
      steps.evidence,
      `${missing} reply to the commands sent before did not come within ${Math.round(deadline - firstAt)} ms: only a reply that names the command (message_id, correlation_id) is taken for its reply`,
    );
  }
  report('watching-quiet', { windowMs: quietWindow(ctx) });
  await wait(performance.now(), () => false, performance.now() + quietWindow(ctx));
  return { taken, missing };
}

/**
 * A duplicate's first delivery: published, its reply awaited, any reboot it causes waited out, then the state
 * re-seeded, so that the second delivery (the command) is judged on what it does to a fresh state.
 */
async function deliverFirstOfDuplicate(
  steps: CaseSteps,
): Promise<{ state: StateEvidence | undefined } | { stop: CaseRun }> {
  const { spec, send, ctx, mq, evidence, report, watch, wipeWindow } = steps;
  const first = await steps.publications.publish(send, 'first-of-duplicate');
  report('waiting-reply', { windowMs: wipeWindow });
  const firstReply = await steps.wait(first.at, () => true, first.at + wipeWindow);
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
  if ('stop' in again) return again;
  await awaitConsumer(ctx, mq, evidence, report, spec.id);
  note(
    evidence,
    'duplicate: the same bytes were published again after the first delivery was answered and the state re-seeded',
  );
  return again;
}

/** What the case expects of its command. */
function planCommand(spec: AmqpCase, wipeWindow: number, replyWithinMs: number): CommandPlan {
  // A case that expects nothing of replies (a reply to an unreachable notify_path cannot be seen) does not
  // wait for one; a duplicate does, as what its second delivery does within it is the point. A wipe it cannot
  // see answered is given the wipe window to happen instead (the device's reboot ends the watch sooner).
  const listens = listensForReplies(spec.expect) || spec.send.duplicate === true;
  return {
    expected: channelsExpected(spec.expect),
    mayReboot: outcomesOf(spec.expect).some((o) => o.reboot === 'required' || o.reboot === 'any'),
    listens,
    awaitsEffect: !listens && (spec.tags?.includes('destructive') ?? false),
    commandWindow: spec.send.duplicate ? replyWithinMs : wipeWindow,
  };
}

/**
 * Which replies may be the command's: one that names it, or (by timing alone) one that names nothing published in
 * the case or earlier, and only when every `before` command got its reply (a late one could be that reply).
 */
function attributableTo(
  command: Published,
  published: readonly Published[],
  before: BeforeReplies,
  earlier: MessageIds,
): (a: Arrival) => boolean {
  const others = published.filter((p) => p.role !== 'command');
  return (a) =>
    answers(a, command) !== undefined ||
    (before.missing === 0 && !before.taken.has(a) && !answersOneOf(a, others) && !answersEarlierCase(a, earlier));
}

/** The checks of the case on what was observed, and what the evidence says of them. */
function judgeCommand(
  steps: CaseSteps,
  seen: {
    state: StateEvidence | undefined;
    timeline: RebootTimeline;
    command: Published;
    attributable: (a: Arrival) => boolean;
    commandWindow: number;
    decidedEarly: boolean;
  },
): CaseRun {
  const { spec, ctx, mq, evidence, amqpEvidence, publications } = steps;
  const { state, timeline, command, commandWindow } = seen;
  const origin = publications.origin;
  const arrivals = mq.inbox.since(origin);
  const forCommand = mq.inbox.since(command.at).filter(seen.attributable);
  amqpEvidence.replies = arrivals.map((a) => describeArrival(a, origin, [...publications.list]));
  const replies = observeReplies(forCommand, command, mq.learnt.licenseKey.value, timeline.downAtMs, commandWindow);
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
  mq.learnt.licenseKey.learn(licenseKeyOf(replies));
  if (judged.outcome) evidence.outcome = judged.unmatched ? `none of: ${judged.unmatched.join(', ')}` : judged.outcome;
  if (seen.decidedEarly) {
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

function listensForReplies(expect: AmqpExpectSpec): boolean {
  return outcomesOf(expect).some((o) => o.reply || o.noReply || o.should?.reply || o.should?.noReply);
}

function channelsExpected(expect: AmqpExpectSpec): ReplyChannel[] {
  const channels = outcomesOf(expect).flatMap((o) => [o.reply?.via, o.should?.reply?.via]);
  return [...new Set(channels.filter((c): c is ReplyChannel => c !== undefined))];
}
