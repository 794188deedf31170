import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { redactUrl } from '../results/redact.ts';
import type { AmqpSettings } from '../run/execute-run.ts';
import { type Finding, ok, problem } from './finding.ts';

const ANSWER_WITHIN_MS = 5_000;

/** The MQ channel, as far as it can be seen without changing it. */
export interface BrokerCheck {
  findings: Finding[];
  /** A reply to the harmless probe came back: the MQ cases can be run. */
  replies: boolean;
}

/**
 * The broker answers, the command queue has a consumer (the device), the device answers a command that
 * changes nothing (a flag that is not a boolean) on the up queue, with its license key. Nothing is purged and
 * no queue is left behind: other messages on the up queue are not acknowledged, so the broker keeps them; an up
 * queue doctor had to declare for the probe is deleted again.
 */
export async function checkBroker(settings: AmqpSettings, target: string): Promise<BrokerCheck> {
  const broker = redactUrl(settings.url);
  const findings: Finding[] = [];
  let model: ChannelModel;
  try {
    model = await amqp.connect(settings.url, { timeout: ANSWER_WITHIN_MS });
  } catch (error) {
    findings.push(
      problem(
        `broker ${broker} is unreachable (${(error as Error).message})`,
        'is RabbitMQ running there, reachable from this machine, with these credentials and vhost? check --amqp',
      ),
      ...(await checkCallback(settings, target)),
    );
    return { findings, replies: false };
  }
  model.on('error', () => {});
  let replies = false;
  try {
    const version = (model as unknown as { connection?: { serverProperties?: { version?: string } } }).connection
      ?.serverProperties?.version;
    findings.push(ok(`broker ${broker} answers${version ? ` (RabbitMQ ${version})` : ''}`));
    const command = await queueState(model, settings.commandQueue);
    if (!command) {
      findings.push(
        problem(
          `command queue ${settings.commandQueue} does not exist on the broker`,
          'give the queue the device consumes (--command-queue; queue-dev-<license> by default), and check the device is connected to this broker',
        ),
      );
    } else if (command.consumerCount === 0) {
      findings.push(
        problem(
          `command queue ${settings.commandQueue} has no consumer: no device reads it`,
          'the device is not connected to this broker, or consumes another queue: check its MQ settings (or play its login endpoint with run --platform-login) and --command-queue',
        ),
      );
    } else {
      findings.push(ok(`command queue ${settings.commandQueue} exists with ${command.consumerCount} consumer(s)`));
    }
    const up = await queueState(model, settings.upQueue);
    if (up) findings.push(ok(`up queue ${settings.upQueue} exists`));
    if (command && command.consumerCount > 0) {
      const probe = await probeLicense(model, settings, !up);
      replies = probe.replied;
      findings.push(...probe.findings);
    } else if (!up) {
      findings.push(
        problem(
          `up queue ${settings.upQueue} does not exist`,
          'give the queue the device replies on (--up-queue; upload-queue by default)',
        ),
      );
    }
  } catch (error) {
    findings.push(
      problem(`the broker stopped answering (${(error as Error).message})`, 'check the broker and try again'),
    );
  } finally {
    await closeWithin(model);
  }
  findings.push(...(await checkCallback(settings, target)));
  return { findings, replies };
}

async function queueState(
  model: ChannelModel,
  queue: string,
): Promise<{ messageCount: number; consumerCount: number } | undefined> {
  // checkQueue closes the channel when the queue is missing, so each look gets its own channel.
  const channel = await within(model.createChannel(), 'opening a channel');
  channel.on('error', () => {});
  try {
    const state = await within(channel.checkQueue(queue), `checking ${queue}`);
    await channel.close().catch(() => {});
    return state;
  } catch (error) {
    if (/NOT_FOUND|404/.test((error as Error).message)) return undefined;
    throw error;
  }
}

async function probeLicense(
  model: ChannelModel,
  settings: AmqpSettings,
  declareUp: boolean,
): Promise<{ findings: Finding[]; replied: boolean }> {
  const findings: Finding[] = [];
  const channel: Channel = await within(model.createChannel(), 'opening a channel');
  channel.on('error', () => {});
  if (declareUp) await within(channel.assertQueue(settings.upQueue, { durable: true }), 'declaring the up queue');
  const messageId = `sophon-conformance-doctor-${randomBytes(6).toString('hex')}`;
  const waitMs = Math.min(settings.replyWithinMs, 10_000);
  let seen: { key: unknown; at: number } | undefined;
  const started = performance.now();
  const reply = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    channel
      .consume(
        settings.upQueue,
        (message: ConsumeMessage | null) => {
          if (!message) return;
          let json: { message_id?: unknown; ext_data?: { message_id?: unknown }; mq_license_key?: unknown } = {};
          try {
            json = JSON.parse(message.content.toString('utf8'));
          } catch {}
          // Only the probe's own reply is taken; anything else stays on the queue (never acknowledged).
          if ((json.message_id ?? json.ext_data?.message_id) !== messageId) return;
          channel.ack(message);
          seen = { key: json.mq_license_key, at: performance.now() };
          clearTimeout(timer);
          resolve();
        },
        { noAck: false },
      )
      .catch(() => resolve());
  });
  // A flag that is not a boolean: the device refuses it (MQ-3) and changes nothing.
  const probe = { message_key: 'wipedata', message_id: messageId, users: 'doctor-probe' };
  channel.sendToQueue(settings.commandQueue, Buffer.from(JSON.stringify(probe)), { contentType: 'application/json' });
  await reply;
  await channel.close().catch(() => {});
  if (declareUp) {
    const cleanup = await model.createChannel().catch(() => undefined);
    cleanup?.on('error', () => {});
    await cleanup?.deleteQueue(settings.upQueue, { ifEmpty: true }).catch(() => {});
  }
  const declared = declareUp
    ? ` (it did not exist: doctor declared it for the probe and deleted it again; a run declares it too)`
    : '';
  if (!seen) {
    findings.push(
      problem(
        `no reply on up queue ${settings.upQueue} within ${waitMs} ms to a command that changes nothing${declared}`,
        "give the queue the device replies on (--up-queue, the device's mq_up_queue); is the device's consumer stuck?",
      ),
    );
    return { findings, replied: false };
  }
  const key = typeof seen.key === 'string' && seen.key.length > 0 ? seen.key : undefined;
  if (declareUp) findings.push(ok(`up queue ${settings.upQueue}: the device's reply arrived${declared}`));
  if (!key) {
    findings.push(
      problem(
        `the reply on ${settings.upQueue} carries no mq_license_key`,
        'MQ-4 wants the key in every reply: the MQ cases will fail; report it to the vendor',
      ),
    );
  } else if (settings.licenseKey && settings.licenseKey !== key) {
    findings.push(
      problem(
        `the device's license key is ${key}, not --license ${settings.licenseKey}`,
        `pass --license ${key} (or leave it out: a run learns it the same way)`,
      ),
    );
  } else {
    findings.push(
      ok(`license key learnt: ${key} (the device answered a harmless probe in ${Math.round(seen.at - started)} ms)`),
    );
  }
  return { findings, replied: true };
}

/** The notify_path receiver: it can listen, and the address handed to the device is this machine's. */
async function checkCallback(settings: AmqpSettings, target: string): Promise<Finding[]> {
  const listen = settings.callback?.listenHost ?? '127.0.0.1';
  const host = settings.callback?.advertisedHost ?? listen;
  const port = settings.callback?.port ?? 0;
  const findings: Finding[] = [];
  const bound = await new Promise<number | string>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen(port, listen, () => {
      const address = server.address();
      const p = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(p));
    });
  });
  if (typeof bound === 'string') {
    findings.push(
      problem(
        `the notify_path receiver cannot listen on ${listen}:${port} (${bound})`,
        bound === 'EADDRINUSE'
          ? `--callback-port ${port} is in use: pick another, or leave it out for a free one`
          : '--callback-listen must be an address of this machine (0.0.0.0 for all)',
      ),
    );
    return findings;
  }
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch (error) {
    findings.push(
      problem(
        `callback host ${host} does not resolve (${(error as NodeJS.ErrnoException).code})`,
        '--callback-host must be a name or address the device can reach this machine at',
      ),
    );
    return findings;
  }
  const own = new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address)
      .filter((a): a is string => a !== undefined),
  );
  const url = `http://${host}:${port || '<free port>'}/callback/…`;
  const mine = addresses.filter((a) => own.has(a));
  if (mine.length === 0) {
    findings.push(
      problem(
        `the callback address a device is given, ${url}, resolves to ${addresses.join(', ')}: no interface of this machine`,
        "--callback-host must be this machine's address on the device's network",
      ),
    );
    return findings;
  }
  const loopback = mine.every((a) => a.startsWith('127.') || a === '::1');
  const targetHost = safeHost(target);
  const remote = targetHost !== undefined && !/^(127\.|localhost$|::1$|\[::1\]$)/.test(targetHost);
  findings.push(
    loopback && remote
      ? problem(
          `the callback address a device is given, ${url}, is this machine's loopback: a device at ${targetHost} cannot reach it`,
          "pass --callback-host (this machine's address on the device's network) and --callback-listen 0.0.0.0",
        )
      : ok(
          `the callback address a device is given, ${url}, resolves to ${mine.join(', ')}, an interface of this machine`,
        ),
  );
  return findings;
}

function safeHost(target: string): string | undefined {
  try {
    return new URL(target).hostname;
  } catch {
    return undefined;
  }
}

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function closeWithin(model: ChannelModel): Promise<void> {
  await within(model.close(), 'closing the connection').catch(() => {
    const stream = (model as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection
      ?.stream;
    stream?.destroy(new Error('the broker did not close the connection'));
  });
}
