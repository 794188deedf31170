import amqp, { type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { request } from 'undici';
import type { DeviceBehaviour } from './device-behaviour.ts';
import {
  executeWipe,
  failureReply,
  type MqRefusal,
  type MqReply,
  type ReplyContext,
  readMqCommand,
  replyTarget,
  successReply,
  WIPEDATA,
  type WipeExecution,
} from './mq-command.ts';
import { type LoginExchange, logIn, serialNumberFor } from './platform-login-client.ts';
import type { Store } from './store.ts';
import { VendorError } from './vendor-error.ts';
import { applyWipe, changesAnything } from './wipe.ts';

/** The broker and the device's queues (sophon-api.md, MQ channel conventions): given, or handed at the login. */
export interface MqChannel {
  /** amqp:// or amqps:// URL of the broker, vhost included. */
  url: string;
  /** The device's command (down) queue; declared by the device. */
  commandQueue: string;
  /** Where replies without notify_path go (declared durable, without arguments); absent: none was handed. */
  upQueue: string | undefined;
  /** The platform's exchange (login only): declared, or checked when passive, and bound unless told not to. */
  exchange?: LoginExchange;
}

/** Where the device's MQ channel lives: given, or learnt at the management platform's login at every boot. */
export interface MqSettings {
  /**
   * The broker and queues; or the login URL (MQ_LOGIN_URL, variant platform-login-strict): each boot logs in
   * there (retrying every LOGIN_RETRY_MS until a login succeeds), then connects with what it was handed.
   */
  channel: MqChannel | { loginUrl: string };
  /** Unacknowledged commands the broker hands the device at once. */
  prefetch: number;
  /** Where the consumer's diagnostics go (default stderr); the demo and tests keep them out of their output. */
  log?: (message: string) => void;
}

/** A reply kept across a reboot, to be sent once the consumer is back (fault `mq-reply-after-reboot`). */
export interface HeldReply {
  reply: MqReply;
  notifyPath: string | undefined;
  correlationId: string | undefined;
  /** The consumer that held it: only a later boot's consumer sends it. */
  heldBy: object;
}

export interface MqConsumerOptions {
  settings: MqSettings;
  store: Store;
  /** What the device does where a choice or a defect is possible (its faults and variants, composed). */
  behaviour: DeviceBehaviour;
  /** How long a wipe takes before it is answered (variant slow-sync-wipe); 0 otherwise. */
  wipeMs: number;
  /** A wait the device's close() cuts short. */
  delay(ms: number): Promise<void>;
  /** The mq_license_key of this boot's replies. */
  licenseKey: string;
  /** Owned by the lifecycle, so that they outlive this boot. */
  heldReplies: HeldReply[];
  /** A wipe deleted something and its reply is out: reboot as after an HTTP wipe. */
  rebootAfterWipe(): void;
}

/** The dead-letter queue of a command queue: where refused (not-JSON) commands end up. */
export function deadLetterQueue(commandQueue: string): string {
  return `${commandQueue}.dead`;
}

const CONNECT_TIMEOUT_MS = 5_000;
const CALLBACK_TIMEOUT_MS = 3_000;
// A device that tries an unreachable notify_path again (variant mq-callback-retries) waits this long between tries.
const CALLBACK_RETRY_MS = 300;
// Variant mq-up-queue-with-ttl: the message TTL the device declares the up queue with.
const UP_QUEUE_TTL_MS = 3_600_000;
// Past the reply window the kill matrix and the e2e tests give (--reply-within 2000), yet short enough that
// the late reply and its reboot still fall inside the same case's watch instead of spilling into the next.
const LATE_REPLY_MS = 3_000;
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;
// How long closing a connection may take before its socket is destroyed (see closeConnection).
const CLOSE_TIMEOUT_MS = 2_000;
// Variant platform-login-strict: a refused or failed login is tried again this often, as a device does.
const LOGIN_RETRY_MS = 1_000;

/** One connection to the broker and the one confirm channel the consumer uses on it. */
interface Session {
  model: ChannelModel;
  channel: ConfirmChannel | undefined;
  consumerTag: string | undefined;
  /** False once the connection or the channel has closed (or is being closed). */
  alive: boolean;
}

/**
 * One boot's MQ consumer (MQ-1 … MQ-11). It declares the command queue (durable, dead-lettering to
 * `<commandQueue>.dead`), the dead-letter queue and the up queue, consumes with manual acks and a
 * prefetch, and handles one command at a time: read it strictly, execute it in one store transaction,
 * reply (up queue with publisher confirms, or a POST to notify_path), and only then ack it; a wipe that
 * deleted something stops the consumer and asks for the reboot after the ack. A lost connection or
 * channel is reopened with backoff; nothing here ever throws into the process.
 */
export class MqConsumer {
  private readonly options: MqConsumerOptions;
  private readonly log: (message: string) => void;
  private readonly replyContext: ReplyContext;
  private session: Session | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** No more consuming on this boot: a reboot is on its way, or the poison fault killed the consumer. */
  private stopped = false;
  private readonly abort = new AbortController();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private connecting: Promise<void> = Promise.resolve();
  /** The connection of the attempt in flight, not yet this.session: close() ends it instead of waiting on it. */
  private opening: ChannelModel | undefined;
  private work: Promise<void> = Promise.resolve();
  /** message_ids whose wipe ran on this boot without its reboot yet (its reply could not be sent). */
  private readonly rebootOwed = new Set<string>();
  /** The broker and queues: given, or once this boot has logged in. */
  private channel: MqChannel | undefined;
  /** The login URL, when the broker settings come from the platform's login (variant platform-login-strict). */
  private readonly loginUrl: string | undefined;

  constructor(options: MqConsumerOptions) {
    this.options = options;
    this.log = options.settings.log ?? logToStderr;
    this.replyContext = { licenseKey: options.licenseKey, behaviour: options.behaviour };
    const { channel } = options.settings;
    if ('loginUrl' in channel) this.loginUrl = channel.loginUrl;
    else this.channel = channel;
  }

  /**
   * Connects, declares and starts consuming; rejects with a clear error if the broker cannot be used. A device
   * that logs in first only starts logging in: the platform may not be there yet, and it keeps trying.
   */
  async start(): Promise<void> {
    if (this.loginUrl !== undefined) return this.startInBackground();
    try {
      await this.connect();
    } catch (error) {
      throw new Error(
        `cannot start the MQ consumer on ${redactUrl(this.channel?.url ?? '')} (command queue "${this.channel?.commandQueue}"): ${describe(error)}`,
      );
    }
  }

  /** Like start, but a failure is logged and retried with backoff; resolves after the first attempt either way. */
  async startInBackground(): Promise<void> {
    if (this.loginUrl !== undefined && this.channel === undefined) {
      this.connecting = this.logInThenConnect(this.loginUrl);
      return;
    }
    try {
      await this.connect();
    } catch (error) {
      if (this.closed) return;
      this.log(`MQ consumer cannot connect to ${redactUrl(this.channel?.url ?? '')} (${describe(error)}); retrying`);
      this.scheduleReconnect();
    }
  }

  /**
   * Variant platform-login-strict: logs in as the page documents (platform-login-client.ts), once a second until
   * the platform hands settings this device can use, then connects with them. Each boot logs in again.
   */
  private async logInThenConnect(loginUrl: string): Promise<void> {
    const key = this.options.licenseKey;
    const serial = serialNumberFor(this.options.store.state.licenseKey);
    let lastWhy = '';
    while (!this.closed) {
      try {
        this.channel = await logIn(loginUrl, key, serial, this.abort.signal);
        this.log(`MQ logged in at ${loginUrl}: command queue ${this.channel.commandQueue}`);
        break;
      } catch (error) {
        if (this.closed) return;
        // Said once per reason: a device left waiting for its platform must not flood the log.
        const why = describe(error);
        if (why !== lastWhy)
          this.log(`MQ login at ${loginUrl} failed (${why}); trying again every ${LOGIN_RETRY_MS} ms`);
        lastWhy = why;
      }
      try {
        await this.sleep(LOGIN_RETRY_MS);
      } catch {
        return;
      }
    }
    if (this.closed) return;
    try {
      await this.openSession();
    } catch (error) {
      if (this.closed) return;
      this.log(`MQ consumer cannot connect to ${redactUrl(this.channel?.url ?? '')} (${describe(error)}); retrying`);
      this.scheduleReconnect();
    }
  }

  /** Stops consuming and closes the connection; a command in progress stays unacked (the broker redelivers it). */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const session = this.session;
    this.session = undefined;
    if (session) session.alive = false;
    // A connection attempt in flight is closed too, so that a pending RPC of it fails at once.
    const models = new Set([session?.model, this.opening]);
    await Promise.all([...models].map((model) => (model ? closeConnection(model) : undefined)));
    await this.connecting.catch(() => {});
    await this.work.catch(() => {});
  }

  private connect(): Promise<void> {
    const attempt = this.openSession();
    this.connecting = attempt;
    return attempt;
  }

  private async openSession(): Promise<void> {
    if (!this.channel) throw new Error('not logged in at the platform yet');
    const { url, commandQueue, upQueue, exchange } = this.channel;
    const { prefetch } = this.options.settings;
    const model = await amqp.connect(url, {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: `sophon reference device (${commandQueue})` },
    });
    const session: Session = { model, channel: undefined, consumerTag: undefined, alive: true };
    this.opening = model;
    model.on('error', (error: Error) => {
      if (!this.closed) this.log(`MQ connection error: ${describe(error)}`);
    });
    model.on('close', () => this.lost(session, 'the connection closed'));
    try {
      this.assertOpen(session);
      const channel = await model.createConfirmChannel();
      session.channel = channel;
      channel.on('error', (error: Error) => {
        if (!this.closed) this.log(`MQ channel error: ${describe(error)}`);
      });
      channel.on('close', () => this.lost(session, 'the channel closed'));
      // The platform's exchange, as handed at the login: checked when passive (检查交换机是否存在), else declared.
      if (exchange?.passive) await channel.checkExchange(exchange.name);
      else if (exchange) {
        await channel.assertExchange(exchange.name, exchange.type, {
          durable: exchange.durable,
          autoDelete: exchange.autoDelete,
          ...(exchange.arguments ? { arguments: exchange.arguments } : {}),
        });
      }
      await channel.assertQueue(deadLetterQueue(commandQueue), { durable: true });
      await channel.assertQueue(commandQueue, {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue(commandQueue) },
      });
      // No routing key is documented: the queue's own name, as the default exchange routes.
      if (exchange?.bind) await channel.bindQueue(commandQueue, exchange.name, commandQueue);
      // Exactly as the checker declares it when it is missing: durable, no arguments. A device may also expect the
      // platform's queue to exist, or give it a message TTL (variants).
      const declare = this.options.behaviour.mq.upQueue;
      if (upQueue === undefined) {
        // No mq_up_queue was handed: replies go only where a command's notify_path says.
      } else if (declare === 'declared-with-ttl') {
        await channel.assertQueue(upQueue, { durable: true, arguments: { 'x-message-ttl': UP_QUEUE_TTL_MS } });
      } else if (declare === 'declared') {
        await channel.assertQueue(upQueue, { durable: true });
      }
      await channel.prefetch(prefetch);
      this.assertOpen(session);
      this.session = session;
      await this.sendHeldReplies(session);
      this.assertOpen(session);
      if (!this.stopped) {
        const { consumerTag } = await channel.consume(commandQueue, (message) => this.onDelivery(session, message), {
          noAck: false,
        });
        session.consumerTag = consumerTag;
      }
      this.assertOpen(session);
      this.failedAttempts = 0;
    } catch (error) {
      session.alive = false;
      if (this.session === session) this.session = undefined;
      await closeConnection(model);
      throw error;
    } finally {
      if (this.opening === model) this.opening = undefined;
    }
  }

  private assertOpen(session: Session): void {
    if (this.closed) throw new Error('the device is shutting the consumer down');
    if (!session.alive) throw new Error('the connection closed while the consumer was being set up');
  }

  /** The connection or channel of `session` is gone: drop it and, if it was in use, reconnect. */
  private lost(session: Session, why: string): void {
    if (!session.alive) return;
    session.alive = false;
    const current = this.session === session;
    if (current) this.session = undefined;
    void closeConnection(session.model);
    if (current && !this.closed) {
      this.log(`MQ consumer lost its broker (${why}); reconnecting`);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.failedAttempts);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.failedAttempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().then(
        () => this.log('MQ consumer reconnected'),
        (error: unknown) => {
          if (this.closed) return;
          this.log(`MQ consumer cannot reconnect (${describe(error)}); retrying`);
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private onDelivery(session: Session, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled the consumer (the command queue was deleted): reconnect, which declares it again.
      this.lost(session, 'the broker cancelled the consumer');
      return;
    }
    // One command at a time, whatever the prefetch: the reply and ack of one precede the next.
    this.work = this.work
      .then(() => this.handle(session, message))
      .catch((error: unknown) => {
        if (!this.closed) this.log(`MQ command not completed: ${describe(error)}`);
      });
  }

  private async handle(session: Session, message: ConsumeMessage): Promise<void> {
    // Left unacked: the broker hands it out again after the reboot or reconnection.
    if (this.closed || this.stopped || !session.alive) return;
    const { behaviour, store } = this.options;
    const { mq, reboot } = behaviour;
    const command = readMqCommand(message.content, behaviour);
    const correlationId = this.replyCorrelation(message, command.messageId);
    if (command.kind === 'refused') {
      await this.refuse(session, message, command, correlationId);
      return;
    }
    const { messageId, notifyPath, scope } = command;
    let execution: WipeExecution;
    const started = performance.now();
    try {
      // Variant slow-sync-wipe: the deletion takes its time, and the reply waits for it (HTTP-12's reading).
      const fresh = messageId === undefined || !store.state.processedMessageIds.includes(messageId);
      if (fresh && changesAnything(scope)) await this.options.delay(this.options.wipeMs);
      execution = await executeWipe(store, scope, messageId, behaviour);
    } catch (error) {
      // The device is going down under the command: it is redelivered after the boot.
      if (this.closed || !session.alive) return;
      this.log(`MQ wipedata could not be stored: ${describe(error)}`);
      const failure = new VendorError('INTERNAL_ERROR', 'internal error; nothing was deleted, please retry');
      const reply = failureReply(this.replyContext, failure, WIPEDATA, messageId);
      if (await this.deliver(session, reply, notifyPath, correlationId)) this.settle(session, message, 'ack');
      return;
    }
    const deleted = execution === 'executed' && changesAnything(scope);
    if (deleted && messageId !== undefined) this.rebootOwed.add(messageId);
    const owed = execution === 'duplicate' && messageId !== undefined && this.rebootOwed.has(messageId);
    const noOp = execution === 'executed' && !changesAnything(scope) && reboot.afterNoOpWipe;
    const reboots = (deleted || owed || noOp) && reboot.afterMqWipe;
    const reply = successReply(this.replyContext, messageId, scope, Math.round(performance.now() - started));
    // MQ-8: a command already executed may be acknowledged without a second reply.
    if (execution === 'duplicate' && mq.duplicateReply === 'none') {
      if (reboots) await this.stopConsuming(session);
      this.settle(session, message, 'ack');
      if (reboots && !this.closed) this.options.rebootAfterWipe();
      return;
    }

    // A firmware may keep the reply and reboot first (fault mq-reply-after-reboot).
    if (reboots && mq.wipeReplyAfterReboot) {
      this.options.heldReplies.push({ reply, notifyPath, correlationId, heldBy: this });
      await this.stopConsuming(session);
      this.settle(session, message, 'ack');
      if (!this.closed) this.options.rebootAfterWipe();
      return;
    }
    // A firmware may finish something slow before it replies (fault mq-reply-late).
    if (mq.wipeReplyLate) await this.sleep(LATE_REPLY_MS);
    if (mq.wipeReply === 'sent' && !(await this.deliver(session, reply, notifyPath, correlationId))) return;
    if (reboots) await this.stopConsuming(session);
    this.settle(session, message, 'ack');
    if (reboots && !this.closed) this.options.rebootAfterWipe();
  }

  private async refuse(
    session: Session,
    message: ConsumeMessage,
    refusal: MqRefusal,
    correlationId: string | undefined,
  ): Promise<void> {
    const { behaviour, store } = this.options;
    const { mq } = behaviour;
    const partial = refusal.partialScope;
    if (partial) {
      try {
        await store.commit((doc) => applyWipe(doc, partial, behaviour.deletes));
      } catch (error) {
        if (this.closed || !session.alive) return;
        this.log(`MQ partial wipe could not be stored: ${describe(error)}`);
      }
    }
    // What is not a wipedata command (MQ-2), or not a message at all (MQ-9), may be acknowledged and dropped,
    // without a reply and without dead-lettering.
    const silent =
      (refusal.unknownCommand && mq.unknownCommands === 'dropped') || (refusal.deadLetter && mq.poison === 'dropped');
    if (!silent) {
      const reply = failureReply(
        this.replyContext,
        refusal.error,
        refusal.messageKey,
        refusal.messageId,
        refusal.replyCode,
      );
      if (!(await this.deliver(session, reply, refusal.notifyPath, correlationId))) return;
    }
    // A consumer may not survive a message it cannot parse, answered or not (fault mq-consumer-dies-on-poison).
    if (refusal.notJson && mq.poisonStopsConsumer) {
      this.log('MQ consumer stopped after a message that is not JSON (fault mq-consumer-dies-on-poison)');
      await this.stopConsuming(session);
    }
    // Not JSON: rejected without requeue, so the broker dead-letters it; anything else was answered (or dropped).
    this.settle(session, message, refusal.deadLetter && !silent ? 'reject' : 'ack');
  }

  /**
   * Sends a reply where it belongs (MQ-5, MQ-6). True once it is confirmed by the broker, answered by
   * the callback, or the callback failed (logged, never retried, never published elsewhere: MQ-11).
   * False when the up queue publish failed: the session is dropped and the command is redelivered.
   */
  private async deliver(
    session: Session,
    reply: MqReply,
    notifyPath: string | undefined,
    correlationId: string | undefined,
  ): Promise<boolean> {
    const { mq } = this.options.behaviour;
    // A firmware may read the older pages' precedence (fault mq-reply-on-up-queue-despite-notify-path).
    const target = mq.replyTo === 'up-queue' ? { kind: 'up-queue' as const } : replyTarget(notifyPath, this.loginUrl);
    switch (target.kind) {
      case 'up-queue':
        try {
          await this.publish(session, reply, correlationId);
          return true;
        } catch (error) {
          if (!this.closed) this.lost(session, `the reply could not be published: ${describe(error)}`);
          return false;
        }
      case 'callback':
        // A firmware's consumer may wait on the failed callback (fault mq-unreachable-notify-stops-consumer).
        if (!(await this.post(target.url, reply)) && mq.unreachableCallbackStopsConsumer) {
          this.log('MQ consumer stopped after an unreachable notify_path (fault mq-unreachable-notify-stops-consumer)');
          await this.stopConsuming(session);
        }
        return true;
      case 'unresolvable':
        this.log(
          `MQ notify_path ${JSON.stringify(target.notifyPath)} cannot be reached (${target.reason}); reply dropped`,
        );
        return true;
    }
  }

  /** Publishes to the up queue and waits for the broker's confirm; a returned (unroutable) reply fails. */
  private publish(session: Session, reply: MqReply, correlationId: string | undefined): Promise<void> {
    const channel = session.channel;
    if (!channel || !session.alive) return Promise.reject(new Error('no channel'));
    const upQueue = this.channel?.upQueue;
    if (upQueue === undefined) {
      this.log('MQ reply dropped: the platform handed no mq_up_queue and the command has no notify_path');
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      // RabbitMQ sends basic.return before the confirm of the same message.
      let returned = false;
      const onReturn = () => {
        returned = true;
      };
      channel.on('return', onReturn);
      try {
        channel.sendToQueue(
          upQueue,
          Buffer.from(JSON.stringify(reply), 'utf8'),
          {
            // No property is documented for replies: a device may send none (variant mq-reply-bare-properties).
            ...(this.options.behaviour.mq.replyProperties === 'bare'
              ? {}
              : { persistent: true, contentType: 'application/json' }),
            mandatory: true,
            ...(correlationId === undefined ? {} : { correlationId }),
          },
          (error: unknown) => {
            channel.removeListener('return', onReturn);
            if (error) reject(new Error(`the broker did not confirm it (${describe(error)})`));
            else if (returned) reject(new Error(`the up queue "${upQueue}" does not exist`));
            else resolve();
          },
        );
      } catch (error) {
        channel.removeListener('return', onReturn);
        reject(error);
      }
    });
  }

  /**
   * The correlation_id a reply carries: the command's own (as RPC over AMQP does), none (variant
   * mq-no-correlation-id), or the command's message_id (variant mq-message-id-as-correlation-id, MQ-7).
   */
  private replyCorrelation(message: ConsumeMessage, messageId: string | undefined): string | undefined {
    const { mq } = this.options.behaviour;
    if (mq.messageIdAsCorrelationId && messageId !== undefined) return messageId;
    if (!mq.copiesCorrelationId) return undefined;
    return stringProperty(message.properties.correlationId);
  }

  /** POSTs the reply to the notify_path; a device variant tries an unreachable one a few times (MQ-11). */
  private async post(url: string, reply: MqReply): Promise<boolean> {
    const tries = this.options.behaviour.mq.callbackTries;
    for (let attempt = 1; ; attempt++) {
      if (await this.postOnce(url, reply)) return true;
      if (attempt >= tries || this.closed) return false;
      await this.options.delay(CALLBACK_RETRY_MS);
    }
  }

  /** POSTs the reply as JSON to the notify_path, once, within CALLBACK_TIMEOUT_MS; false when it could not be delivered. */
  private async postOnce(url: string, reply: MqReply): Promise<boolean> {
    const controller = new AbortController();
    const onClose = () => controller.abort();
    this.abort.signal.addEventListener('abort', onClose, { once: true });
    const timer = setTimeout(() => controller.abort(), CALLBACK_TIMEOUT_MS);
    try {
      const response = await request(url, {
        method: 'POST',
        headers: {
          'content-type': this.options.behaviour.mq.callbackContentType,
        },
        body: JSON.stringify(reply),
        signal: controller.signal,
        reset: true,
      });
      await response.body.dump();
      if (response.statusCode >= 300) {
        this.log(`MQ notify_path ${url} answered ${response.statusCode}; the reply is not sent again`);
      }
      return true;
    } catch (error) {
      if (this.closed) return true;
      const why = controller.signal.aborted ? `no answer within ${CALLBACK_TIMEOUT_MS} ms` : describe(error);
      this.log(`MQ notify_path ${url} is unreachable (${why}); reply dropped, not retried, not published elsewhere`);
      return false;
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onClose);
    }
  }

  /** Replies an earlier boot's consumer held back (fault mq-reply-after-reboot), before consuming. */
  private async sendHeldReplies(session: Session): Promise<void> {
    const held = this.options.heldReplies;
    for (let next = held.find((h) => h.heldBy !== this); next; next = held.find((h) => h.heldBy !== this)) {
      if (!(await this.deliver(session, next.reply, next.notifyPath, next.correlationId))) {
        throw new Error('a held reply could not be published');
      }
      held.splice(held.indexOf(next), 1);
    }
  }

  /** Cancels the consumer: no more commands on this boot (the reboot, or a dead consumer). */
  private async stopConsuming(session: Session): Promise<void> {
    this.stopped = true;
    const tag = session.consumerTag;
    session.consumerTag = undefined;
    if (tag !== undefined && session.alive && session.channel) await session.channel.cancel(tag).catch(() => {});
  }

  private settle(session: Session, message: ConsumeMessage, how: 'ack' | 'reject'): void {
    // A closed channel has already given the message back to the broker.
    if (!session.alive || !session.channel) return;
    try {
      if (how === 'ack') session.channel.ack(message);
      else session.channel.reject(message, false);
    } catch (error) {
      this.log(`MQ ${how} failed: ${describe(error)}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const signal = this.abort.signal;
      if (signal.aborted) {
        reject(new Error('closed'));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('closed'));
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Closes a connection and resolves once it is closed, whatever happens to its socket. amqplib's close()
 * never settles when the socket dies during the closing handshake (a cut between Close and CloseOk: the
 * connection emits 'close' but the promise stays pending), so the 'close' event ends the wait too; and a
 * socket that answers nothing (half-open) is destroyed after CLOSE_TIMEOUT_MS.
 */
function closeConnection(model: ChannelModel): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      model.removeListener('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      destroySocket(model);
      done();
    }, CLOSE_TIMEOUT_MS);
    model.once('close', done);
    model.close().then(done, done);
  });
}

/** Destroys the connection's socket with an error, which makes amqplib close the connection and fail its pending RPCs. */
function destroySocket(model: ChannelModel): void {
  const stream = (model.connection as { stream?: { destroy(error?: Error): void } }).stream;
  stream?.destroy(new Error(`the connection did not close within ${CLOSE_TIMEOUT_MS} ms`));
}

function stringProperty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

function logToStderr(message: string): void {
  process.stderr.write(`reference device: ${message}\n`);
}
