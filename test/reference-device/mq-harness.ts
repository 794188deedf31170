import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import amqp, { type ChannelModel, type ConfirmChannel, type MessageProperties } from 'amqplib';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DeviceOptions } from '../../reference-device/start-device.ts';
import { startTestDevice, type TestDevice } from './device-harness.ts';

/** The broker the MQ tests use (a RabbitMQ on the default port unless told otherwise). */
export const BROKER_URL = process.env.SOPHON_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** One reply the device published on the up queue, as the test received it. */
export interface UpReply {
  json: Record<string, unknown>;
  text: string;
  properties: MessageProperties;
  /** process.hrtime.bigint() when it arrived, to order it against lifecycle events. */
  hr: bigint;
}

/**
 * The platform's side of one device's MQ channel, on queues of its own (`sc-test-<random>-…`):
 * publishes commands with confirms, collects replies from the up queue, reads the dead-letter queue,
 * and deletes every queue on close.
 */
export class MqProbe {
  readonly replies: UpReply[] = [];
  private readonly waiters = new Set<() => void>();
  private taken = 0;

  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
    readonly commandQueue: string,
    readonly upQueue: string,
  ) {}

  static queueNames(): { commandQueue: string; upQueue: string } {
    const tag = randomBytes(5).toString('hex');
    return { commandQueue: `sc-test-${tag}-commands`, upQueue: `sc-test-${tag}-replies` };
  }

  /** Opens after the device declared its queues. */
  static async open(queues: { commandQueue: string; upQueue: string }): Promise<MqProbe> {
    const model = await amqp.connect(BROKER_URL);
    model.on('error', () => {});
    const channel = await model.createConfirmChannel();
    channel.on('error', () => {});
    const probe = new MqProbe(model, channel, queues.commandQueue, queues.upQueue);
    await channel.consume(
      queues.upQueue,
      (message) => {
        if (!message) return;
        const text = message.content.toString('utf8');
        probe.replies.push({
          json: JSON.parse(text) as Record<string, unknown>,
          text,
          properties: message.properties,
          hr: process.hrtime.bigint(),
        });
        channel.ack(message);
        for (const wake of probe.waiters) wake();
      },
      { noAck: false },
    );
    return probe;
  }

  /** Publishes a command (an object as JSON, a string or bytes as they are) and waits for the confirm. */
  async publish(body: unknown, properties: { correlationId?: string } = {}): Promise<void> {
    const content = Buffer.isBuffer(body)
      ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    await new Promise<void>((resolve, reject) => {
      this.channel.sendToQueue(
        this.commandQueue,
        content,
        { persistent: true, contentType: 'application/json', ...properties },
        (error: unknown) => (error ? reject(new Error(String(error))) : resolve()),
      );
    });
  }

  /** The next reply not yet taken by a test, or a rejection after `withinMs`. */
  nextReply(withinMs = 3_000): Promise<UpReply> {
    return new Promise<UpReply>((resolve, reject) => {
      const check = () => {
        const reply = this.replies[this.taken];
        if (!reply) return;
        this.taken++;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(reply);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no reply on ${this.upQueue} within ${withinMs} ms (${this.replies.length} so far)`));
      }, withinMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Publishes and returns the next reply. */
  async roundTrip(body: unknown, properties: { correlationId?: string } = {}): Promise<UpReply> {
    await this.publish(body, properties);
    return this.nextReply();
  }

  /** How many replies arrived that no test has taken yet. */
  untaken(): number {
    return this.replies.length - this.taken;
  }

  /** Every message on the dead-letter queue so far (taken off it), polling up to `withinMs` for at least `atLeast`. */
  async deadLetters(atLeast = 1, withinMs = 2_000): Promise<Buffer[]> {
    const found: Buffer[] = [];
    const deadline = Date.now() + withinMs;
    while (found.length < atLeast && Date.now() < deadline) {
      const message = await this.channel.get(`${this.commandQueue}.dead`, { noAck: true });
      if (message) found.push(message.content);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return found;
  }

  /** A fresh channel for a check that may close it (a failed passive declare, a mismatched declare). */
  async scratchChannel(): Promise<ConfirmChannel> {
    const channel = await this.model.createConfirmChannel();
    channel.on('error', () => {});
    return channel;
  }

  async close(): Promise<void> {
    const channel = await this.model.createChannel().catch(() => undefined);
    if (channel) {
      channel.on('error', () => {});
      for (const queue of [this.commandQueue, `${this.commandQueue}.dead`, this.upQueue]) {
        await channel.deleteQueue(queue).catch(() => {});
      }
    }
    await this.model.close().catch(() => {});
  }
}

/** A device with an MQ channel on fresh queues, and the probe on its other end. */
export interface MqSetup {
  device: TestDevice;
  mq: MqProbe;
}

const opened: { mq?: MqProbe; queues: { commandQueue: string; upQueue: string } }[] = [];

/** Starts a test device (bootMs 40) consuming fresh queues, then opens the probe. */
export async function startMqDevice(
  options: Partial<DeviceOptions> & { url?: string; prefetch?: number } = {},
): Promise<MqSetup> {
  const queues = MqProbe.queueNames();
  const entry: (typeof opened)[number] = { queues };
  opened.push(entry);
  const { url = BROKER_URL, prefetch, ...rest } = options;
  const device = await startTestDevice({
    bootMs: 40,
    ...rest,
    amqp: { url, ...queues, ...(prefetch === undefined ? {} : { prefetch }) },
  });
  const mq = await MqProbe.open(queues);
  entry.mq = mq;
  return { device, mq };
}

/** Closes every probe and deletes every queue a test created (after its devices are closed). */
export async function stopMqProbes(): Promise<void> {
  const all = opened.splice(0);
  for (const { mq, queues } of all) {
    if (mq) await mq.close();
    else {
      const model = await amqp.connect(BROKER_URL).catch(() => undefined);
      if (!model) continue;
      model.on('error', () => {});
      const channel = await model.createChannel();
      channel.on('error', () => {});
      for (const queue of [queues.commandQueue, `${queues.commandQueue}.dead`, queues.upQueue]) {
        await channel.deleteQueue(queue).catch(() => {});
      }
      await model.close().catch(() => {});
    }
  }
}

/** A notify_path receiver on 127.0.0.1:0 that records every POST. */
export interface CallbackReceiver {
  url: string;
  calls: { contentType: string | undefined; body: unknown; hr: bigint }[];
  /** Resolves with the next call not yet taken, or rejects after `withinMs`. */
  next(withinMs?: number): Promise<{ contentType: string | undefined; body: unknown; hr: bigint }>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const app: FastifyInstance = Fastify({ forceCloseConnections: true });
  const calls: CallbackReceiver['calls'] = [];
  const waiters = new Set<() => void>();
  app.post('/sophon/result', async (request) => {
    calls.push({ contentType: request.headers['content-type'], body: request.body, hr: process.hrtime.bigint() });
    for (const wake of waiters) wake();
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let taken = 0;
  return {
    url: `http://127.0.0.1:${port}/sophon/result`,
    calls,
    next: (withinMs = 3_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const call = calls[taken];
          if (!call) return;
          taken++;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(call);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no callback within ${withinMs} ms`));
        }, withinMs);
        waiters.add(check);
        check();
      }),
    close: () => app.close(),
  };
}

/**
 * A TCP proxy in front of the broker, so a test can cut the device's connection (`dropAll`) or make
 * the broker unreachable for a while (`pause`/`resume`) without touching the real broker.
 */
export class BrokerProxy {
  private readonly sockets = new Set<Socket>();
  private paused = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<BrokerProxy> {
    const target = new URL(BROKER_URL);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const proxy = new BrokerProxy(server, typeof address === 'object' && address ? address.port : 0);
    server.on('connection', (client) => {
      if (proxy.paused) {
        client.destroy();
        return;
      }
      const upstream = tcpConnect(Number(target.port || 5672), target.hostname);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          proxy.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    return proxy;
  }

  /** The broker URL through this proxy. */
  get url(): string {
    const url = new URL(BROKER_URL);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  get connections(): number {
    return this.sockets.size / 2;
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Refuses (closes at once) every new connection, and drops the current ones. */
  pause(): void {
    this.paused = true;
    this.dropAll();
  }

  resume(): void {
    this.paused = false;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
