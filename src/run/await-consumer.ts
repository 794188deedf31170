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
): Promise<void> {
  const started = performance.now();
  let consumers = await mq.session.commandConsumers();
  if (consumers !== undefined && consumers > 0) return seen(mq);
  if (!mq.consumerSeen) return;
  const window = mq.consumerLostSince ? 0 : ctx.upWithinMs;
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
    seen(mq);
    return;
  }
  const since = mq.consumerLostSince ? ` (none since ${mq.consumerLostSince})` : '';
  mq.consumerLostSince ??= new Date().toISOString();
  note(
    evidence,
    `the command queue ${consumers === undefined ? 'was gone' : 'had no consumer'} and none came within ${waitedMs} ms${since}: the command was published all the same`,
  );
}

function seen(mq: AmqpContext): void {
  mq.consumerSeen = true;
  mq.consumerLostSince = undefined;
}
