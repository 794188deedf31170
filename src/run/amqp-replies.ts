import type { ReplyObservation } from '../checks/check-reply.ts';
import type { AmqpPublishEvidence, ReplyEvidence } from '../results/types.ts';
import type { AmqpMessageSpec, ReplyChannel } from '../specs/case-schema.ts';
import { wireBody } from '../transports/http-transport.ts';
import type { Arrival } from '../transports/reply-inbox.ts';
import type { MessageIds } from './amqp-learning.ts';

/** A message a case published: its role, when the broker confirmed it, and what a reply may name it by. */
export interface Published {
  role: AmqpPublishEvidence['role'];
  at: number;
  messageId: string | undefined;
  correlationId: string | undefined;
}

/** How a reply is tied to a published message, if it is: its echoed message_id, or the AMQP correlation id. */
export function answers(arrival: Arrival, message: Published): ReplyEvidence['matchedBy'] | undefined {
  if (message.messageId !== undefined && echoedId(arrival) === message.messageId) return 'message_id';
  if (message.correlationId !== undefined && arrival.meta.correlationId === message.correlationId)
    return 'correlation_id';
  // A device may carry the command's message_id in the reply's AMQP correlation_id instead (MQ-7).
  if (message.messageId !== undefined && arrival.meta.correlationId === message.messageId) return 'correlation_id';
  return undefined;
}

export function answersOneOf(arrival: Arrival, messages: Published[]): boolean {
  return messages.some((m) => answers(arrival, m) !== undefined);
}

/** A reply echoing a message_id an earlier case published: a straggler that answers that case. */
export function answersEarlierCase(arrival: Arrival, earlier: MessageIds): boolean {
  const echoed = echoedId(arrival);
  return typeof echoed === 'string' && earlier.isEarlier(echoed);
}

/** The message_id a reply echoes, at the top level or in ext_data (MQ-7). */
function echoedId(arrival: Arrival): unknown {
  const json = arrival.json as { message_id?: unknown; ext_data?: { message_id?: unknown } } | undefined;
  return json?.message_id ?? json?.ext_data?.message_id;
}

/** A reply with result true: the command was executed, and a reboot may follow. */
export function saysDone(arrival: Arrival): boolean {
  return (arrival.json as { result?: unknown } | undefined)?.result === true;
}

/** Whether a message is a wipedata command whose reply can reach us (MQ-2…MQ-6: every such command is answered). */
export function repliesPromised(message: AmqpMessageSpec, unreachableUrl: string): boolean {
  const value = message.body === undefined && message.bodyBase64 === undefined ? message.message : undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const command = value as { message_key?: unknown; notify_path?: unknown };
  return command.message_key === 'wipedata' && command.notify_path !== unreachableUrl;
}

/** A reply as the report shows it: when it came, and which published message it answers, if any. */
export function describeArrival(arrival: Arrival, origin: number, published: Published[]): ReplyEvidence {
  const tied = [...published].reverse().find((p) => answers(arrival, p) !== undefined);
  const matchedBy = tied ? answers(arrival, tied) : undefined;
  return {
    channel: arrival.channel,
    atMs: Math.round(arrival.at - origin),
    body: wireBody(arrival.body),
    meta: arrival.meta,
    ...(matchedBy ? { matchedBy } : {}),
    ...(tied ? { answers: tied.role } : {}),
  };
}

/** The replies taken for the command, by channel, with the one each channel is judged by. */
export function observeReplies(
  forCommand: Arrival[],
  command: Published,
  knownLicenseKey: string | undefined,
  downAtMs: number | undefined,
  windowMs: number,
): ReplyObservation {
  const byChannel: Record<ReplyChannel, Arrival[]> = {
    up_queue: forCommand.filter((a) => a.channel === 'up_queue'),
    notify_path: forCommand.filter((a) => a.channel === 'notify_path'),
  };
  const matched: ReplyObservation['matched'] = {};
  for (const channel of ['up_queue', 'notify_path'] as const) {
    const first = byChannel[channel][0];
    if (!first) continue;
    const tied = byChannel[channel].find((a) => answers(a, command) !== undefined);
    matched[channel] = tied
      ? { arrival: tied, matchedBy: answers(tied, command) ?? 'timing' }
      : { arrival: first, matchedBy: channel === 'notify_path' ? 'callback-path' : 'timing' };
  }
  return {
    byChannel,
    matched,
    publishedAt: command.at,
    windowMs,
    messageId: command.messageId,
    knownLicenseKey,
    downAt: downAtMs === undefined ? undefined : command.at + downAtMs,
  };
}

/** The mq_license_key the matched replies carry, when one does. */
export function licenseKeyOf(replies: ReplyObservation): string | undefined {
  return Object.values(replies.matched)
    .map((m) => (m.arrival.json as { mq_license_key?: unknown } | undefined)?.mq_license_key)
    .find((k): k is string => typeof k === 'string' && k.length > 0);
}
