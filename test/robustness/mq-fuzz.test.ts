import { describe, expect, it } from 'vitest';
import { fuzzMq } from './mq-fuzz.ts';

describe('MQ commands under fuzzed bodies and properties (real broker, queues of their own)', () => {
  it('refuses every one with the failure envelope and the right code, wipes nothing, keeps consuming', async () => {
    const figures = await fuzzMq({ runs: 120 });
    expect(figures.examples).toEqual([]);
    expect(figures).toMatchObject({ inputs: 120, crashes: 0, wipesOnInvalid: 0, nonEnvelope: 0, wrongCode: 0 });
  });

  it('catches a device that executes a wipe without message_key (fault mq-wipes-without-message-key)', async () => {
    const figures = await fuzzMq({ runs: 40, seed: 1, faults: ['mq-wipes-without-message-key'] });
    expect(figures.wipesOnInvalid).toBeGreaterThan(0);
  });
});
