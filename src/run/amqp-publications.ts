import type { AmqpEvidence } from '../results/types.ts';
import type { AmqpMessageSpec } from '../specs/case-schema.ts';
import { wireBody } from '../transports/http-transport.ts';
import type { CaseMessageIds } from './amqp-learning.ts';
import type { Published } from './amqp-replies.ts';
import type { ConsumerWatch } from './await-consumer.ts';
import type { PhaseReport } from './case-progress.ts';
import type { MqSession } from './run-transports.ts';

/**
 * The messages one case publishes, in order: each is recorded in the case's evidence as it is confirmed, its id
 * handed to the run (earlier ids once the case is over), and the first starts the consumer watch.
 */
export class Publications {
  private readonly published: Published[] = [];

  constructor(
    private readonly session: MqSession,
    /** The case's zero (performance.now()), which the evidence's times count from. */
    readonly origin: number,
    private readonly evidence: AmqpEvidence,
    private readonly ids: CaseMessageIds,
    private readonly watch: ConsumerWatch,
    private readonly report: PhaseReport,
  ) {}

  /** What was published so far, in order. */
  get list(): readonly Published[] {
    return this.published;
  }

  /** Publishes one message and returns it once the broker confirmed it. */
  async publish(message: AmqpMessageSpec, role: Published['role']): Promise<Published> {
    const body = encode(message);
    this.report('publishing');
    const at = await this.session.publish(body, message.properties ?? {});
    this.evidence.published.push({
      queue: this.session.endpoint.commandQueue,
      properties: { ...(message.properties ?? {}) },
      body: wireBody(body),
      atMs: Math.round(at - this.origin),
      role,
    });
    const record = { role, at, messageId: messageIdOf(message), correlationId: message.properties?.correlationId };
    if (record.messageId !== undefined) this.ids.add(record.messageId);
    this.published.push(record);
    this.watch.start();
    return record;
  }
}

function encode(message: AmqpMessageSpec): Buffer {
  if (message.body !== undefined) return Buffer.from(message.body, 'utf8');
  if (message.bodyBase64 !== undefined) return Buffer.from(message.bodyBase64, 'base64');
  let value = message.message;
  if (message.padTo !== undefined && value && typeof value === 'object' && !Array.isArray(value)) {
    const bare = Buffer.byteLength(JSON.stringify({ ...value, padding: '' }));
    value = { ...value, padding: 'x'.repeat(Math.max(0, message.padTo - bare)) };
  }
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function messageIdOf(message: AmqpMessageSpec): string | undefined {
  const value = message.message as { message_id?: unknown } | undefined;
  return value && typeof value === 'object' && typeof value.message_id === 'string' ? value.message_id : undefined;
}

/** How to publish the case's last message again by hand. */
export function reproduceFor(amqp: AmqpEvidence): string {
  const last = amqp.published.at(-1);
  const payload = last?.body.text ?? '';
  const quoted = `'${payload.length > 2000 ? `${payload.slice(0, 2000)}…` : payload.replace(/'/g, `'\\''`)}'`;
  return `rabbitmqadmin publish exchange=amq.default routing_key=${amqp.commandQueue} payload=${quoted}  # then read ${amqp.upQueue}`;
}
