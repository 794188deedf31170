import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { ConformanceError } from '../errors/conformance-error.ts';
import { redactUrl } from '../results/redact.ts';
import type { ReplyInbox } from './reply-inbox.ts';

// The one redaction rule lives with the result model; re-exported for the command line's messages.
export { redactUrl };

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

/** What a passive declare of the command queue shows. */
export interface CommandQueueLook {
  consumers: number;
  /** Messages ready in the queue: published, not yet taken by any consumer (nor by a basic.get). */
  messages: number;
}

/** How long the broker may take to confirm a publish before the checker stops waiting. */
const CONFIRM_WITHIN_MS = 5_000;
/** How long closing the session may take; past it the socket is dropped (a broker that hangs must not hang the run). */
const CLOSE_WITHIN_MS = 2_000;
/**
 * How long any other call to the broker (purging the command queue after a case, and each step of opening the
 * session) may take. amqplib's calls wait for the broker's answer without a deadline, and a broker that stops
 * relaying while the socket stays open never answers: without this, the purge after an MQ case waited forever.
 */
const ANSWER_WITHIN_MS = 5_000;

/**
 * The checker's side of the MQ channel: publishes commands with publisher confirms and consumes the up
 * queue into the reply inbox. The up queue is purged when the session opens, so a run never reads
 * another run's replies. A queue the session had to declare is deleted when it closes, interrupted or
 * not, so a run leaves nothing behind on the broker.
 */
export class AmqpSession {
  /** Why the connection to the broker is gone, once it is: MQ cases after that cannot be tested. */
  private lostReason: string | undefined;

  private constructor(
    private readonly model: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly consumer: Channel,
    readonly endpoint: AmqpEndpoint,
    private readonly consumerTag: string,
    /** Queues this session declared (they did not exist): deleted on close. */
    private readonly declared: string[],
    /** How many consumers the command queue had when the session opened (the device's, normally). */
    readonly consumersAtOpen: number,
  ) {
    const lose = (why: string) => {
      this.lostReason ??= why;
    };
    model.on('close', (error?: Error) =>
      lose(error ? `the broker closed the connection (${error.message})` : 'the connection to the broker closed'),
    );
    model.on('error', (error: Error) => lose(`connection error: ${error.message}`));
    for (const channel of [publisher, consumer]) {
      channel.on('close', () => lose('the broker closed the channel'));
    }
  }

  /** Why the broker connection was lost during the run, or undefined while it is up. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  static async open(endpoint: AmqpEndpoint, inbox: ReplyInbox): Promise<AmqpSession> {
    // amqplib is loaded by the first MQ session: a run without a broker never pays for it.
    const { default: amqp } = await import('amqplib');
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
    const within = <T>(work: Promise<T>, what: string) => answerWithin(work, ANSWER_WITHIN_MS, what, endpoint.url);
    try {
      // checkQueue closes the channel when the queue is missing, so each check gets its own channel.
      const probe = await within(model.createChannel(), 'opening a channel');
      probe.on('error', () => {});
      let consumersAtOpen = 0;
      try {
        ({ consumerCount: consumersAtOpen } = await within(
          probe.checkQueue(endpoint.commandQueue),
          'checking the command queue',
        ));
        await within(probe.close(), 'closing a channel');
      } catch (error) {
        if (error instanceof ConformanceError) throw error;
        throw new ConformanceError(
          'CONFIG_INVALID',
          `the command queue "${endpoint.commandQueue}" does not exist on ${redactUrl(endpoint.url)}: is the device connected to this broker and consuming?`,
        );
      }
      const consumer = await within(model.createChannel(), 'opening a channel');
      consumer.on('error', () => {});
      const declared = (await within(ensureQueue(model, endpoint.upQueue), 'checking the up queue'))
        ? [endpoint.upQueue]
        : [];
      await within(consumer.purgeQueue(endpoint.upQueue), 'purging the up queue');
      const { consumerTag } = await within(
        consumer.consume(
          endpoint.upQueue,
          (message: ConsumeMessage | null) => {
            if (!message) return;
            inbox.put({
              channel: 'up_queue',
              at: performance.now(),
              body: message.content,
              meta: propertiesOf(message),
            });
            consumer.ack(message);
          },
          { noAck: false },
        ),
        'starting the up queue consumer',
      );
      const publisher = await within(model.createConfirmChannel(), 'opening the publishing channel');
      publisher.on('error', () => {});
      return new AmqpSession(model, publisher, consumer, endpoint, consumerTag, declared, consumersAtOpen);
    } catch (error) {
      await closeWithin(model);
      if (error instanceof ConformanceError) throw error;
      throw new ConformanceError('BROKER_UNREACHABLE', (error as Error).message);
    }
  }

  /**
   * Publishes to the command queue and waits for the broker's confirm. Returns performance.now() taken
   * before the send: a fast device can reply before the confirm comes back, and that reply must count.
   */
  async publish(body: Buffer, properties: PublishProperties, confirmWithinMs = CONFIRM_WITHIN_MS): Promise<number> {
    if (this.lostReason) throw new Error(`the broker connection was lost: ${this.lostReason}`);
    const sentAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        // A broker that stops confirming is as good as gone for the rest of the run.
        const why = `the broker did not confirm a publish within ${confirmWithinMs} ms`;
        this.lostReason ??= why;
        reject(new Error(why));
      }, confirmWithinMs);
      // sendToQueue throws at once on a channel that is already closed; the promise turns it into a rejection.
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
    }).finally(() => clearTimeout(timer));
    return sentAt;
  }

  /** Empties the command queue; returns how many messages were still waiting (never consumed by the device). */
  async purgeCommands(): Promise<number> {
    try {
      const { messageCount } = await answerWithin(
        this.publisher.purgeQueue(this.endpoint.commandQueue),
        ANSWER_WITHIN_MS,
        'purging the command queue',
        this.endpoint.url,
      );
      return messageCount;
    } catch (error) {
      // A broker that does not answer is as good as gone for the rest of the run, as with a missing confirm.
      this.lostReason ??= (error as Error).message;
      throw error;
    }
  }

  /** How many consumers the command queue has now, or undefined when the queue is gone (see commandQueueNow). */
  async commandConsumers(): Promise<number | undefined> {
    return (await this.commandQueueNow())?.consumers;
  }

  /**
   * The command queue as the broker sees it now (a passive declare): its consumers, and the messages waiting in it
   * that no consumer has taken (a message handed to a consumer and not yet acked is not counted). undefined when
   * the queue is gone. Each look gets a channel of its own: a passive declare of a missing queue closes its channel.
   */
  async commandQueueNow(): Promise<CommandQueueLook | undefined> {
    if (this.lostReason) throw new Error(`the broker connection was lost: ${this.lostReason}`);
    const within = <T>(work: Promise<T>, what: string) => answerWithin(work, ANSWER_WITHIN_MS, what, this.endpoint.url);
    try {
      const channel = await within(
        this.model.createChannel(),
        "opening a channel to look for the command queue's consumer",
      );
      channel.on('error', () => {});
      try {
        const { consumerCount, messageCount } = await within(
          channel.checkQueue(this.endpoint.commandQueue),
          "looking for the command queue's consumer",
        );
        await within(channel.close(), 'closing a channel');
        return { consumers: consumerCount, messages: messageCount };
      } catch (error) {
        if (/NOT_FOUND|404/.test((error as Error).message)) return undefined;
        throw error;
      }
    } catch (error) {
      // A broker that does not answer is as good as gone for the rest of the run, as with a missing confirm.
      this.lostReason ??= (error as Error).message;
      throw error;
    }
  }

  /** Cancels the consumer, deletes the queues this session declared, closes; never takes longer than CLOSE_WITHIN_MS. */
  async close(): Promise<void> {
    await closeWithin(this.model, async () => {
      await this.consumer.cancel(this.consumerTag).catch(() => {});
      if (this.declared.length) {
        const channel = await this.model.createChannel().catch(() => undefined);
        channel?.on('error', () => {});
        for (const queue of this.declared) await channel?.deleteQueue(queue).catch(() => {});
      }
    });
  }
}

/** Runs `before`, then closes the connection; past CLOSE_WITHIN_MS the socket is dropped under it. */
async function closeWithin(model: ChannelModel, before: () => Promise<void> = async () => {}): Promise<void> {
  const orderly = async () => {
    await before();
    await model.close().catch(() => {});
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_WITHIN_MS);
  });
  const done = await Promise.race([orderly().then(() => 'closed' as const), late]);
  clearTimeout(timer);
  if (done === 'late') {
    // amqplib has no forced close: drop the socket under it, with an error, which is what amqplib
    // listens for to close the connection and stop its heartbeat timer (a bare destroy leaves it
    // ticking, and the process never exits).
    const stream = (model as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection
      ?.stream;
    stream?.destroy(new Error(`the broker did not close the connection within ${CLOSE_WITHIN_MS} ms`));
  }
}

/** The broker's answer to `work`, or a rejection saying it did not come within `ms` (the call is left behind). */
function answerWithin<T>(work: Promise<T>, ms: number, what: string, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the broker at ${redactUrl(url)} did not answer ${what} within ${ms} ms`)),
      ms,
    );
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Makes sure the queue exists; true when this call had to declare it. */
async function ensureQueue(model: ChannelModel, queue: string): Promise<boolean> {
  const check = await model.createChannel();
  check.on('error', () => {});
  try {
    await check.checkQueue(queue);
    await check.close();
    return false;
  } catch {
    // Missing: declare it as the reference device does (durable, no arguments), so replies published
    // before the device declares it are not dropped.
    const declare = await model.createChannel();
    await declare.assertQueue(queue, { durable: true });
    await declare.close();
    return true;
  }
}

function propertiesOf(message: ConsumeMessage): Record<string, unknown> {
  const p = message.properties;
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(p)) if (value !== undefined) meta[key] = value;
  return meta;
}
