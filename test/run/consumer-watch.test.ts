import { afterEach, describe, expect, it } from 'vitest';
import { freshAmqpLearning } from '../../src/run/amqp-learning.ts';
import { ConsumerWatch } from '../../src/run/await-consumer.ts';
import type { AmqpContext, RunContext } from '../../src/run/run-context.ts';
import type { AmqpSession, CommandQueueLook } from '../../src/transports/amqp-transport.ts';

/** A command queue that shows `looks` one by one (the last one repeats, or all of them again with `cycle`). */
function mqShowing(
  looks: (CommandQueueLook | undefined)[],
  { cycle = false, consumerSeen = true }: { consumerSeen?: boolean; cycle?: boolean } = {},
) {
  let n = 0;
  const session = {
    endpoint: { url: 'amqp://b', commandQueue: 'queue-dev-X', upQueue: 'u' },
    commandQueueNow: async () => looks[cycle ? n++ % looks.length : Math.min(n++, looks.length - 1)],
  } as unknown as AmqpSession;
  return {
    session,
    replyWithinMs: 400,
    learnt: freshAmqpLearning(undefined, consumerSeen ? 1 : 0),
  } as unknown as AmqpContext;
}

function runWith(upWithinMs: number) {
  const notices: string[] = [];
  const onNotice = (line: string) => {
    notices.push(line);
  };
  const ctx = { upWithinMs, signal: new AbortController().signal, onNotice } as unknown as RunContext;
  return { ctx, notices };
}

const watches: ConsumerWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) await w.stop();
});

function watching(ctx: RunContext, mq: AmqpContext, caseId: string): ConsumerWatch {
  const watch = new ConsumerWatch(ctx, mq, caseId);
  watches.push(watch);
  watch.start();
  return watch;
}

const gone = (watch: ConsumerWatch, withinMs: number) =>
  new Promise<number | undefined>((resolve) => {
    const started = performance.now();
    const timer = setTimeout(() => resolve(undefined), withinMs);
    watch.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
  });

describe('ConsumerWatch', () => {
  it('a command left untaken with no consumer for the reply window proves the consumer gone, said once', async () => {
    const { ctx, notices } = runWith(60_000);
    const mq = mqShowing([
      { consumers: 1, messages: 0 },
      { consumers: 0, messages: 1 },
    ]);
    const first = watching(ctx, mq, 'amqp.wipedata.malformed.not-json-then-valid');
    const firstAfter = await gone(first, 3_000);
    expect(firstAfter).toBeGreaterThanOrEqual(400);
    expect(mq.learnt.consumer.gone).toBe(
      'nothing consumes queue-dev-X since amqp.wipedata.malformed.not-json-then-valid: the consumer is gone',
    );
    expect(mq.learnt.consumer.lostSince).toBeDefined();
    // The next case is decided after a second, not another reply window, and nothing is said again.
    const next = watching(ctx, { ...mq, replyWithinMs: 60_000 }, 'amqp.wipedata.malformed.empty-then-valid');
    const nextAfter = await gone(next, 3_000);
    expect(nextAfter).toBeLessThan(2_000);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^nothing consumes queue-dev-X since amqp\.wipedata\.malformed\.not-json-then-valid: the consumer is gone \(a command sat untaken/,
    );
  });

  it('a device polling with basic.get (no consumer, but the message count falls) is never judged', async () => {
    const { ctx, notices } = runWith(60_000);
    // Each command taken before the next look; and a backlog worked through while more are published: between
    // any two looks the count falls at least once, so no look starts a clock that the next does not stop.
    const oneByOne = mqShowing(
      [
        { consumers: 0, messages: 1 },
        { consumers: 0, messages: 0 },
      ],
      {
        consumerSeen: false,
        cycle: true,
      },
    );
    const backlog = mqShowing(
      [
        { consumers: 0, messages: 3 },
        { consumers: 0, messages: 2 },
        { consumers: 0, messages: 1 },
      ],
      { consumerSeen: false, cycle: true },
    );
    const [a, b] = await Promise.all([
      gone(watching(ctx, oneByOne, 'a'), 1_500),
      gone(watching(ctx, backlog, 'b'), 1_500),
    ]);
    expect([a, b, notices]).toEqual([undefined, undefined, []]);
  });

  it('after a reboot (or a wipe said done) a consumer that comes late is given the up window, not the reply window', async () => {
    const { ctx, notices } = runWith(3_000);
    const looks = [...Array(3)].map(() => ({ consumers: 0, messages: 1 }));
    const mq = mqShowing([...looks, { consumers: 1, messages: 0 }]);
    const late = watching(ctx, mq, 'amqp.wipedata.reboot.consumer-back');
    late.rebootPossible();
    expect(await gone(late, 2_000)).toBeUndefined();
    expect(notices).toEqual([]);
    expect(mq.learnt.consumer.lastSeenInCase).toBe('amqp.wipedata.reboot.consumer-back');
    // One that never comes is proven gone once the whole up window has passed.
    const never = mqShowing([{ consumers: 0, messages: 1 }]);
    const watch = watching(ctx, never, 'amqp.wipedata.reboot.consumer-back');
    watch.rebootPossible();
    expect(await gone(watch, 6_000)).toBeGreaterThanOrEqual(3_000);
  });

  it('a command queue that is gone for the reply window is as good as one nothing consumes', async () => {
    const { ctx, notices } = runWith(60_000);
    const mq = mqShowing([undefined]);
    expect(await gone(watching(ctx, mq, 'amqp.wipedata.flags.users'), 3_000)).toBeGreaterThanOrEqual(400);
    expect(notices).toEqual([
      expect.stringMatching(
        /^nothing consumes queue-dev-X: the consumer is gone \(the command queue has not existed for/,
      ),
    ]);
  });
});
