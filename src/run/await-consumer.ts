import type { Evidence } from '../results/types.ts';
import type { PhaseReport } from './case-progress.ts';
import { note } from './case-steps.ts';
import type { AmqpContext, RunContext } from './run-context.ts';

/** How often the command queue is looked at while its consumer is awaited (a broker call each time, so not every 10 ms). */
const LOOK_EVERY_MS = 100;

/**
 * Before an MQ case publishes: the device's HTTP API may be ready after a reboot well before its MQ client is
 * connected again (a real device first logs in at MQ_LOGIN_URL, then connects: sophon-api.md), and a command
 * published to a queue nobody consumes would be judged late. So once the run has seen the command queue with a
 * consumer, a case waits for one, within the up window (design §5), and goes on either way: a consumer that does
 * not come back is the case's to judge (its reply window fails it; amqp.wipedata.reboot.consumer-back, MQ-10).
 * A device that never shows a consumer (one polling with basic.get) is never waited for, and after a whole up
 * window without one each later case looks once, until one is seen again (as establishGiven does for the API).
 * Every look has the session's broker deadline: a stalled broker throws, it never hangs the case.
 */
export async function awaitConsumer(
  ctx: RunContext,
  mq: AmqpContext,
  evidence: Evidence,
  report: PhaseReport,
  caseId?: string,
): Promise<void> {
  const started = performance.now();
  let consumers = await mq.session.commandConsumers();
  const presence = mq.learnt.consumer;
  if (consumers !== undefined && consumers > 0) return presence.seen(caseId);
  if (!presence.wasSeen) return;
  const window = presence.lostSince ? 0 : ctx.upWithinMs;
  report('waiting-consumer', { windowMs: window });
  const deadline = started + window;
  while (!ctx.signal.aborted && performance.now() < deadline && !(consumers !== undefined && consumers > 0)) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(LOOK_EVERY_MS, Math.max(0, deadline - performance.now()))),
    );
    consumers = await mq.session.commandConsumers();
  }
  const waitedMs = Math.round(performance.now() - started);
  if (evidence.amqp) evidence.amqp.consumerWaitMs = (evidence.amqp.consumerWaitMs ?? 0) + waitedMs;
  if (consumers !== undefined && consumers > 0) {
    note(
      evidence,
      `the command queue had no consumer: the device's MQ consumer came ${waitedMs} ms later, then the command was published`,
    );
    presence.seen(caseId);
    return;
  }
  const since = presence.lostSince ? ` (none since ${presence.lostSince})` : '';
  if (!presence.lostSince) sayGone(ctx, mq, `none came back within the up window, ${waitedMs} ms`);
  note(
    evidence,
    `the command queue ${consumers === undefined ? 'was gone' : 'had no consumer'} and none came within ${waitedMs} ms${since}: the command was published all the same`,
  );
}

/** Records that nothing consumes the command queue, and says so once (until a consumer is seen again). */
function sayGone(ctx: RunContext, mq: AmqpContext, why: string): void {
  const line = mq.learnt.consumer.markGone(mq.session.endpoint.commandQueue);
  if (line) ctx.onNotice?.(`${line} (${why}); the MQ cases after it are decided without waiting out their windows`);
}

/** How often the command queue is looked at while a case waits for its reply. */
const WATCH_EVERY_MS = 250;
/**
 * Once the run knows nothing consumes the command queue, how long a later case's command is left in it before the
 * case is decided: long enough for a consumer that has just come back to take it, far short of any window.
 */
const KNOWN_GONE_GRACE_MS = 1_000;

/**
 * Watches the command queue while an MQ case waits for what its command does, and tells it (`gone`) when the
 * broker shows that nothing will take the command: the case then ends in seconds instead of its windows (design
 * §5: a broken device costs the run no more than a correct one). It proves it only in one of these ways:
 * - the case's messages stay in the queue, with no consumer, for the whole reply window (`--reply-within`): no
 *   correct device leaves a command untaken that long, whether it consumes or polls with basic.get (a poll takes
 *   the message: the queue's message count falls, and the count starts again);
 * - the command queue itself gone for as long (nothing can take what is published to a queue that is not there);
 * - the same for a whole up window, even when the device rebooted in the case (a consumer that starts late after a
 *   reboot, as a device logging in to its platform first, has that long: awaitConsumer's window);
 * - the run already knows nothing consumes (an earlier case proved it, or a whole up window passed without a
 *   consumer before a case), and the command still sits untaken after a second, with no consumer.
 * A device seen going down in the case, or one that said a wipe was done (its reboot may have come and gone before
 * the command was published, its consumer not yet back), gets only the up window: never the reply window.
 */
export class ConsumerWatch {
  private readonly gone = new AbortController();
  private streakSince: number | undefined;
  private lastMessages = 0;
  private mayHaveRebooted = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private looking: Promise<void> = Promise.resolve();
  private foundAt: number | undefined;
  private queueGone = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly mq: AmqpContext,
    private readonly caseId: string,
  ) {}

  /** Aborted once the command queue is proven to have nothing consuming it. */
  get signal(): AbortSignal {
    return this.gone.signal;
  }

  /** When that was proven (performance.now()), or undefined. */
  get goneAt(): number | undefined {
    return this.foundAt;
  }

  /** Starts looking (from the case's first publish); a look that fails ends the watch, never the case. */
  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.looking = this.look().then(
        () => {
          if (!this.stopped && !this.gone.signal.aborted) this.timer = setTimeout(tick, WATCH_EVERY_MS);
        },
        () => {},
      );
    };
    this.timer = setTimeout(tick, WATCH_EVERY_MS);
  }

  /** The device went down, or said a wipe was done: its consumer may be between boots, so only the up window proves. */
  rebootPossible(): void {
    this.mayHaveRebooted = true;
    if (this.streakSince !== undefined) this.streakSince = performance.now();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.looking;
  }

  private async look(): Promise<void> {
    const now = performance.now();
    const queue = await this.mq.session.commandQueueNow();
    if (this.stopped) return;
    this.queueGone = queue === undefined;
    if (queue === undefined) {
      // The queue itself is gone (a device that declared it auto-delete, say): what was published went nowhere.
      this.streakSince ??= now;
    } else if (queue.consumers > 0) {
      this.mq.learnt.consumer.seen(this.caseId);
      this.streakSince = undefined;
    } else if (queue.messages > 0 && queue.messages >= this.lastMessages) {
      this.streakSince ??= now;
    } else {
      // Nothing waiting, or a message was taken (a device polling with basic.get): nothing is proven.
      this.streakSince = undefined;
    }
    this.lastMessages = queue?.messages ?? 0;
    if (this.streakSince === undefined) return;
    const untaken = now - this.streakSince;
    const known = this.mq.learnt.consumer.lostSince !== undefined && !this.mayHaveRebooted;
    const proven =
      untaken >= this.ctx.upWithinMs ||
      (!this.mayHaveRebooted && untaken >= this.mq.replyWithinMs) ||
      (known && untaken >= KNOWN_GONE_GRACE_MS);
    if (!proven) return;
    this.foundAt = now;
    const why = this.queueGone
      ? `the command queue has not existed for ${Math.round(untaken)} ms`
      : `a command sat untaken in the queue for ${Math.round(untaken)} ms with no consumer`;
    sayGone(this.ctx, this.mq, why);
    this.gone.abort();
  }
}
