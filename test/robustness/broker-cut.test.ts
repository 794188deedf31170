import { describe, expect, it } from 'vitest';
import { stopTestDevices } from '../reference-device/device-harness.ts';
import { startMqDevice, stopMqProbes } from '../reference-device/mq-harness.ts';
import { streamThroughCuts } from './broker-cut.ts';
import { CloseCuttingProxy } from './close-cut-proxy.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('broker connection cut during a stream of commands (TCP proxy; the broker itself stays up)', () => {
  it('reconnects; every command is executed exactly once and answered', async () => {
    const figures = await streamThroughCuts({ commands: 80, wipeEvery: 0, cutEveryMs: 250, cutForMs: 150 });
    expect(figures.cuts).toBeGreaterThan(0);
    expect(figures).toMatchObject({ sent: 80, executed: 80, lost: 0, doubled: 0, unanswered: 0, deviceClosed: true });
  }, 60_000);

  it('with wipes in the stream, every command is still executed once across reboots and cuts', async () => {
    const figures = await streamThroughCuts({ commands: 120, wipeEvery: 6, cutEveryMs: 150, cutForMs: 120 });
    expect(figures.cuts).toBeGreaterThan(0);
    expect(figures.reboots).toBe(20);
    expect(figures).toMatchObject({ sent: 120, executed: 120, lost: 0, doubled: 0, unanswered: 0, deviceClosed: true });
  }, 90_000);

  // The race that used to stall the test above at random, made certain: every closing handshake of the
  // device's broker connection is cut between Close and CloseOk, where amqplib's close() never settles.
  it('a reboot whose broker connection is cut during the closing handshake still comes back consuming', async () => {
    const proxy = await CloseCuttingProxy.start();
    let closed = false;
    try {
      const { device, mq } = await startMqDevice({ url: proxy.url });
      const wipe = await mq.roundTrip({ message_key: 'wipedata', message_id: 'close-cut-wipe', events: true });
      expect(wipe.json).toMatchObject({ message_id: 'close-cut-wipe' });
      await device.waitFor('ready', 2, 15_000);
      await mq.publish({ message_key: 'wipedata', message_id: 'close-cut-next', users: false });
      const next = await mq.nextReply(15_000);
      expect(next.json).toMatchObject({ message_id: 'close-cut-next' });
      expect(proxy.cuts).toBeGreaterThanOrEqual(1);
      expect(device.reboots()).toBe(1);
    } finally {
      closed = await Promise.race([stopTestDevices().then(() => true), sleep(10_000).then(() => false)]);
      await stopMqProbes();
      await proxy.close();
    }
    expect(closed).toBe(true);
  }, 60_000);

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
