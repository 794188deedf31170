import { describe, expect, it } from 'vitest';
import type { CasePhase } from '../../src/results/progress.ts';
import type { Evidence } from '../../src/results/types.ts';
import { freshAmqpLearning } from '../../src/run/amqp-learning.ts';
import { awaitConsumer } from '../../src/run/await-consumer.ts';
import type { AmqpContext, RunContext } from '../../src/run/run-context.ts';
import type { AmqpSession } from '../../src/transports/amqp-transport.ts';

/** A command queue whose consumer count follows `counts` look by look (the last one repeats). */
function mqWith(counts: (number | undefined | 'stall')[], consumerSeen: boolean) {
  let looks = 0;
  const session = {
    endpoint: { url: 'amqp://b', commandQueue: 'q', upQueue: 'u' },
    commandConsumers: async () => {
      const count = counts[Math.min(looks, counts.length - 1)];
      looks++;
      if (count === 'stall') throw new Error('the broker did not answer checking the command queue within 5000 ms');
      return count;
    },
  } as unknown as AmqpSession;
  const mq = { session, learnt: freshAmqpLearning(undefined, consumerSeen ? 1 : 0) } as unknown as AmqpContext;
  return { mq, looks: () => looks };
}

const ctx = (upWithinMs: number) => ({ upWithinMs, signal: new AbortController().signal }) as RunContext;

function recorder() {
  const phases: { phase: CasePhase; windowMs: number | undefined }[] = [];
  return {
    phases,
    report: (phase: CasePhase, detail?: { windowMs?: number }) => phases.push({ phase, windowMs: detail?.windowMs }),
  };
}

const evidence = (): Evidence => ({
  amqp: { broker: 'amqp://b', commandQueue: 'q', upQueue: 'u', published: [], replies: [] },
});

describe('awaitConsumer', () => {
  it('goes on at once when the command queue has a consumer, and remembers it has seen one', async () => {
    const { mq, looks } = mqWith([1], false);
    const { phases, report } = recorder();
    const e = evidence();
    await awaitConsumer(ctx(8_000), mq, e, report);
    expect([looks(), phases, mq.learnt.consumer.wasSeen, e.amqp?.consumerWaitMs, e.notes]).toEqual([
      1,
      [],
      true,
      undefined,
      undefined,
    ]);
  });

  it('never waits for a device the run never saw consuming (one polling with basic.get)', async () => {
    const { mq, looks } = mqWith([0], false);
    const { phases, report } = recorder();
    await awaitConsumer(ctx(8_000), mq, evidence(), report);
    expect([looks(), phases]).toEqual([1, []]);
  });

  it('waits for a consumer seen before to come back, shows the phase and records the wait', async () => {
    const { mq } = mqWith([0, 0, 0, 1], true);
    const { phases, report } = recorder();
    const e = evidence();
    const t = performance.now();
    await awaitConsumer(ctx(8_000), mq, e, report);
    expect(performance.now() - t).toBeGreaterThanOrEqual(250);
    expect(phases).toEqual([{ phase: 'waiting-consumer', windowMs: 8_000 }]);
    expect(e.amqp?.consumerWaitMs).toBeGreaterThanOrEqual(250);
    expect(e.notes?.[0]).toMatch(/no consumer: the device's MQ consumer came \d+ ms later/);
    expect(mq.learnt.consumer.lostSince).toBeUndefined();
  });

  it('goes on after the up window without one, and then only looks until one is seen again', async () => {
    const { mq } = mqWith([0], true);
    const e = evidence();
    const t = performance.now();
    await awaitConsumer(ctx(300), mq, e, () => {});
    expect(performance.now() - t).toBeGreaterThanOrEqual(295);
    expect(e.notes?.[0]).toMatch(/had no consumer and none came within \d+ ms: the command was published all the same/);
    expect(mq.learnt.consumer.lostSince).toBeDefined();
    expect(mq.learnt.consumer.gone).toBe('nothing consumes q: the consumer is gone');
    const { phases, report } = recorder();
    const later = evidence();
    const t2 = performance.now();
    await awaitConsumer(ctx(300), mq, later, report);
    expect(performance.now() - t2).toBeLessThan(100);
    expect(phases).toEqual([{ phase: 'waiting-consumer', windowMs: 0 }]);
    expect(later.notes?.[0]).toMatch(/none since /);
  });

  it('a broker that does not answer the look rejects: the case is could-not-test, never hung', async () => {
    const { mq } = mqWith([0, 'stall'], true);
    await expect(awaitConsumer(ctx(8_000), mq, evidence(), () => {})).rejects.toThrow(/did not answer/);
  });
});
