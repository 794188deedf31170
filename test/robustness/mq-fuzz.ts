// The MQ fuzzer on the real broker: commands the device must refuse, with odd properties, each judged
// by its reply (the failure envelope, the right code), the store and the power.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfirmChannel } from 'amqplib';
import fc from 'fast-check';
import { seedFixture, stopTestDevices } from '../reference-device/device-harness.ts';
import {
  type MqProbe,
  type MqSetup,
  startMqDevice,
  stopMqProbes,
  type UpReply,
} from '../reference-device/mq-harness.ts';
import { emptyFigures, type FuzzFigures, showBytes, tally, type Violation } from './fuzz-figures.ts';
import { seedOption } from './http-fuzz.ts';
import { type MqInput, mqInput } from './mq-messages.ts';
import { mqFailureProblems } from './vendor-envelope.ts';

/** The reply whose AMQP correlation id is `id`, or undefined after `withinMs`. */
export async function replyTo(probe: MqProbe, id: string, withinMs = 3_000): Promise<UpReply | undefined> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const reply = probe.replies.find((candidate) => candidate.properties.correlationId === id);
    if (reply || Date.now() > deadline) return reply;
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

/** Publishes with the broker's confirm. */
export function publish(channel: ConfirmChannel, queue: string, body: Buffer, options: object): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    channel.sendToQueue(queue, body, options, (error: unknown) =>
      error ? reject(new Error(String(error))) : resolve(),
    );
  });
}

/** One MQ fuzz session: a seeded device on fresh queues and a channel to publish with. */
export interface MqFuzzTarget {
  setup: MqSetup;
  channel: ConfirmChannel;
  storeText(): string;
}

export async function startMqFuzzTarget(faults: string[] = []): Promise<MqFuzzTarget> {
  const setup = await startMqDevice({ faults });
  await seedFixture(setup.device);
  const channel = await setup.mq.scratchChannel();
  return { setup, channel, storeText: () => readFileSync(join(setup.device.dataDir, 'store.json'), 'utf8') };
}

/** Closes the device, then deletes its queues. */
export async function stopMqFuzzTarget(): Promise<void> {
  await stopTestDevices();
  await stopMqProbes();
}

/** Publishes one message the device must refuse and judges its reply, the store and the power. */
export async function mqOnce(target: MqFuzzTarget, message: MqInput): Promise<Violation[]> {
  const { device, mq } = target.setup;
  const input = `${message.kind}, properties ${JSON.stringify(message.properties).slice(0, 160)}: ${showBytes(message.body)}`;
  const violations: Violation[] = [];
  const add = (kind: Violation['kind'], detail: string) => violations.push({ kind, detail, input });
  const before = target.storeText();
  const rebootsBefore = device.reboots();
  const correlationId = randomUUID();
  await publish(target.channel, mq.commandQueue, message.body, { ...message.properties, correlationId });
  const reply = await replyTo(mq, correlationId);
  if (!reply) add('crash', 'no reply within 3 s');
  else {
    const problems = mqFailureProblems(reply.json, device.licenseKey);
    if (problems.length > 0) add('not-envelope', problems.join('; '));
    else if (reply.json.code === 'INTERNAL_ERROR') add('crash', `INTERNAL_ERROR: ${reply.json.message}`);
    else if (reply.json.code !== message.code) add('wrong-code', `${reply.json.code}, expected ${message.code}`);
  }
  if (target.storeText() !== before) add('wiped-on-invalid', 'the store changed');
  if (device.reboots() !== rebootsBefore) add('wiped-on-invalid', 'the device rebooted');
  return violations;
}

/** Whether the consumer still executes a valid (no-op) command. */
export async function consumerAlive(target: MqFuzzTarget): Promise<boolean> {
  const correlationId = randomUUID();
  const command = { message_key: 'wipedata', users: false, message_id: correlationId };
  await publish(target.channel, target.setup.mq.commandQueue, Buffer.from(JSON.stringify(command)), { correlationId });
  const reply = await replyTo(target.setup.mq, correlationId);
  return reply?.json.result === true;
}

export interface MqFuzzOptions {
  runs: number;
  seed?: number;
  faults?: string[];
}

/** Tries `runs` refused commands on a seeded device with its own queues (deleted afterwards). */
export async function fuzzMq(options: MqFuzzOptions): Promise<FuzzFigures> {
  const target = await startMqFuzzTarget(options.faults ?? []);
  const figures = emptyFigures();
  try {
    for (const message of fc.sample(mqInput, { numRuns: options.runs, ...seedOption(options.seed) })) {
      tally(figures, true, await mqOnce(target, message));
      // A reboot the fuzz caused must be over before the next message is judged.
      if (target.setup.device.reboots() > 0)
        await target.setup.device.waitFor('ready', target.setup.device.reboots() + 1);
    }
    if (!(await consumerAlive(target))) figures.crashes++;
  } finally {
    await stopMqFuzzTarget();
  }
  return figures;
}
