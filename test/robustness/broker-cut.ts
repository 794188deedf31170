// A stream of MQ commands while the device's broker connection is cut again and again (a TCP proxy
// between device and broker: the real broker is shared and never restarted). Every command the broker
// confirmed must be executed exactly once and answered.
import { randomBytes } from 'node:crypto';
import { stopTestDevices } from '../reference-device/device-harness.ts';
import { BrokerProxy, startMqDevice, stopMqProbes } from '../reference-device/mq-harness.ts';
import { countExecutions } from './execution-counter.ts';
import { publish } from './mq-fuzz.ts';

export interface CutFigures {
  /** Commands the broker confirmed. */
  sent: number;
  /** Distinct commands executed. */
  executed: number;
  /** Sent, never executed. */
  lost: number;
  /** Executed more than once. */
  doubled: number;
  /** Sent, no reply seen on the up queue. */
  unanswered: number;
  /** Times the device's broker connection was cut. */
  cuts: number;
  /** Reboots caused by the wipes in the stream. */
  reboots: number;
  /** Whether the device closed within 10 s once the stream was over (a stuck consumer keeps it from closing). */
  deviceClosed: boolean;
  durationMs: number;
}

export interface CutOptions {
  commands: number;
  /** Every Nth command (0: none) is a real wipe (`events: true`), which reboots the device; the rest change nothing. */
  wipeEvery?: number;
  /** Mean gap between cuts (0: no cuts) and mean length of a cut (ms). */
  cutEveryMs?: number;
  cutForMs?: number;
  /** Gap between two publishes (ms). */
  publishEveryMs?: number;
  faults?: string[];
  /** Publish this many of the commands a second time, later (a duplicate must still execute once). */
  republish?: number;
  /** How long to wait for the stream to drain once it is sent (ms). */
  drainMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function streamThroughCuts(options: CutOptions): Promise<CutFigures> {
  const { commands, wipeEvery = 10, cutEveryMs = 300, cutForMs = 150, publishEveryMs = 5, drainMs = 30_000 } = options;
  const started = Date.now();
  const counter = countExecutions();
  const proxy = await BrokerProxy.start();
  let cuts = 0;
  let figures: Omit<CutFigures, 'deviceClosed'>;
  let deviceClosed = false;
  try {
    const { device, mq } = await startMqDevice({ url: proxy.url, faults: options.faults ?? [] });
    const channel = await mq.scratchChannel();

    let cutting = cutEveryMs > 0;
    let stopCutting: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stopCutting = resolve;
    });
    const cutter = (async () => {
      while (cutting) {
        await Promise.race([sleep(cutEveryMs * (0.5 + Math.random())), stopped]);
        if (!cutting) break;
        cuts++;
        // Half the cuts drop the connection only (it comes back at once), half keep the broker away a while.
        if (Math.random() < 0.5) proxy.dropAll();
        else {
          proxy.pause();
          await sleep(cutForMs * (0.5 + Math.random()));
          proxy.resume();
        }
      }
    })();

    const tag = randomBytes(4).toString('hex');
    const ids: string[] = [];
    const send = async (id: string, wipes: boolean) => {
      const command = { message_key: 'wipedata', message_id: id, ...(wipes ? { events: true } : { users: false }) };
      await publish(channel, mq.commandQueue, Buffer.from(JSON.stringify(command)), { persistent: true });
    };
    for (let i = 0; i < commands; i++) {
      const id = `cmd-${tag}-${i}`;
      await send(id, wipeEvery > 0 && (i + 1) % wipeEvery === 0);
      ids.push(id);
      await sleep(publishEveryMs);
    }
    const again = ids.slice(0, options.republish ?? 0);
    for (const id of again) await send(id, false);
    cutting = false;
    stopCutting();
    await cutter;
    proxy.resume();

    // Drain: every command executed and answered, every publication replied to, or the time is up.
    const deadline = Date.now() + drainMs;
    const answered = () => new Set(mq.replies.map((reply) => reply.json.message_id));
    while (Date.now() < deadline) {
      const replied = answered();
      const done = ids.every((id) => counter.executions.has(id) && replied.has(id));
      if (done && mq.replies.length >= ids.length + again.length) break;
      await sleep(50);
    }
    // A duplicate delivered late would show up here.
    await sleep(200);
    const replied = answered();
    figures = {
      sent: ids.length,
      executed: ids.filter((id) => counter.executions.has(id)).length,
      lost: ids.filter((id) => !counter.executions.has(id)).length,
      doubled: ids.filter((id) => (counter.executions.get(id) ?? 0) > 1).length,
      unanswered: ids.filter((id) => !replied.has(id)).length,
      cuts,
      reboots: device.reboots(),
      durationMs: Date.now() - started,
    };
  } finally {
    counter.uninstall();
    deviceClosed = await Promise.race([stopTestDevices().then(() => true), sleep(10_000).then(() => false)]);
    await stopMqProbes();
    await proxy.close();
  }
  return { ...figures, deviceClosed };
}
