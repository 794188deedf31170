import { describe, expect, it } from 'vitest';
import { streamThroughCuts } from './broker-cut.ts';

describe('broker connection cut during a stream of commands (TCP proxy; the broker itself stays up)', () => {
  it('reconnects; every command is executed exactly once and answered', async () => {
    const figures = await streamThroughCuts({ commands: 80, wipeEvery: 0, cutEveryMs: 250, cutForMs: 150 });
    expect(figures.cuts).toBeGreaterThan(0);
    expect(figures).toMatchObject({ sent: 80, executed: 80, lost: 0, doubled: 0, unanswered: 0, deviceClosed: true });
  }, 60_000);

  // With wipes (reboots) in the stream the device's MQ consumer can stall for good: after a reboot under
  // cuts it neither consumes nor reconnects, and close() hangs (bench/device-abuse.ts --only cut shows it).
  it.todo('with wipes in the stream, every command is still executed once across reboots and cuts');

  it('catches a device that executes a repeated message_id again (fault mq-duplicate-executed-twice)', async () => {
    const figures = await streamThroughCuts({
      commands: 10,
      republish: 2,
      cutEveryMs: 0,
      faults: ['mq-duplicate-executed-twice'],
    });
    expect(figures.doubled).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
