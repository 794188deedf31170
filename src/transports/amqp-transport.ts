import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { ReplyInbox } from './reply-inbox.ts';

/** Where the device's command channel lives on the broker (MQ-1). */
export interface AmqpEndpoint {
  url: string;
  commandQueue: string;
  upQueue: string;
}

export interface PublishProperties {
  contentType?: string;
  correlationId?: string;
  messageId?: string;
  headers?: Record<string, string>;
}

/**
 * The checker's side of the MQ channel: publishes commands with publisher confirms and consumes the up
 * queue into the reply inbox. The up queue is purged when the session opens, so a run never reads
 * another run's replies.
 */
export class AmqpSession {
  private constructor(
    private readonly model: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly consumer: Channel,
    readonly endpoint: AmqpEndpoint,
    private readonly consumerTag: string,
  ) {}

  static async open(endpoint: AmqpEndpoint, inbox: ReplyInbox): Promise<AmqpSession> {
    let model: ChannelModel;
    try {
      model = await amqp.connect(endpoint.url, { timeout: 5_000 });
    } catch (error) {
      throw new ConformanceError(
        'BROKER_UNREACHABLE',
        `cannot connect to ${redactUrl(endpoint.url)}: ${(error as Error).message}`,
      );
    }
    model.on('error', () => {});
    try {
      // checkQueue closes the channel when the queue is missing, so each check gets its own channel.
      const probe = await model.createChannel();
      probe.on('error', () => {});
      try {
        await probe.checkQueue(endpoint.commandQueue);
        await probe.close();
      } catch {
        throw new ConformanceError(
          'CONFIG_INVALID',
          `the command queue "${endpoint.commandQueue}" does not exist on ${redactUrl(endpoint.url)}: is the device connected to this broker and consuming?`,
        );
      }
      const consumer = await model.createChannel();
      consumer.on('error', () => {});
      await ensureQueue(model, endpoint.upQueue);
      await consumer.purgeQueue(endpoint.upQueue);
      const { consumerTag } = await consumer.consume(
        endpoint.upQueue,
        (message: ConsumeMessage | null) => {
          if (!message) return;
          inbox.put({ channel: 'up_queue', at: performance.now(), body: message.content, meta: propertiesOf(message) });
          consumer.ack(message);
        },
        { noAck: false },
      );
      const publisher = await model.createConfirmChannel();
      publisher.on('error', () => {});
      return new AmqpSession(model, publisher, consumer, endpoint, consumerTag);
    } catch (error) {
      await model.close().catch(() => {});
      throw error;
    }
  }

  /**
   * Publishes to the command queue and waits for the broker's confirm. Returns performance.now() taken
   * before the send: a fast device can reply before the confirm comes back, and that reply must count.
   */
  async publish(body: Buffer, properties: PublishProperties): Promise<number> {
    const sentAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      this.publisher.sendToQueue(
        this.endpoint.commandQueue,
        body,
        {
          persistent: true,
          ...(properties.contentType ? { contentType: properties.contentType } : {}),
          ...(properties.correlationId ? { correlationId: properties.correlationId } : {}),
          ...(properties.messageId ? { messageId: properties.messageId } : {}),
          ...(properties.headers ? { headers: properties.headers } : {}),
        },
        (error: unknown) =>
          error ? reject(new Error(`the broker did not confirm the publish: ${String(error)}`)) : resolve(),
      );
    });
    return sentAt;
  }

  async close(): Promise<void> {
    await this.consumer.cancel(this.consumerTag).catch(() => {});
    await this.model.close().catch(() => {});
  }
}

async function ensureQueue(model: ChannelModel, queue: string): Promise<void> {
  const check = await model.createChannel();
  check.on('error', () => {});
  try {
    await check.checkQueue(queue);
    await check.close();
  } catch {
    // Missing: declare it as the reference device does (durable, no arguments), so replies published
    // before the device declares it are not dropped.
    const declare = await model.createChannel();
    await declare.assertQueue(queue, { durable: true });
    await declare.close();
  }
}

function propertiesOf(message: ConsumeMessage): Record<string, unknown> {
  const p = message.properties;
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(p)) if (value !== undefined) meta[key] = value;
  return meta;
}

/** Hides the password in an AMQP URL, for reports and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]+@/, '//$1:***@');
  }
}
