import type { CheckOutcome, Level, Profile } from '../results/types.ts';
import type { ReplyChannel, ReplyExpectSpec } from '../specs/case-schema.ts';
import type { Arrival } from '../transports/reply-inbox.ts';
import { oneLine, outcome, show } from './check-outcome.ts';

/** The replies attributable to one command, and what else the checks need to judge them. */
export interface ReplyObservation {
  /** Replies that arrived for the command, by channel, in arrival order. */
  byChannel: Record<ReplyChannel, Arrival[]>;
  /** The reply tied to the command on each channel, and how it was tied. */
  matched: Partial<Record<ReplyChannel, { arrival: Arrival; matchedBy: string }>>;
  /** performance.now() when the command was published. */
  publishedAt: number;
  /** How long the checker waited for the reply. */
  windowMs: number;
  messageId: string | undefined;
  /** mq_license_key seen earlier in the run (or given on the command line): it must not change (MQ-4). */
  knownLicenseKey: string | undefined;
  /** When the device went down, as performance.now(), if it did. */
  downAt: number | undefined;
  /** Callback requests to notify_path that began but never completed (a hanging callback): not replies. */
  unfinishedCallbacks?: number;
}

const CHANNEL: Record<ReplyChannel, string> = { up_queue: 'the up queue', notify_path: 'notify_path' };

/** The reply envelope and its routing (MQ-4 … MQ-7, MQ-10). */
export function checkReply(
  expect: ReplyExpectSpec,
  seen: ReplyObservation,
  level: Level,
  profile: Profile,
): CheckOutcome[] {
  let hit = seen.matched[expect.via];
  const checks: CheckOutcome[] = [];
  // MQ-6: some vendor pages route the other way; lenient accepts the reply there, as a warning.
  const alternative = hit ? undefined : (expect.lenientVia ?? []).find((c) => seen.matched[c]);
  if (alternative && profile === 'lenient') {
    hit = seen.matched[alternative];
    const where = `the reply arrived on ${CHANNEL[alternative]}`;
    checks.push(outcome('reply.channel', level, 'lenient', `a reply on ${CHANNEL[expect.via]}`, where));
  }
  if (!hit) {
    const other: ReplyChannel = expect.via === 'up_queue' ? 'notify_path' : 'up_queue';
    const unfinished = seen.unfinishedCallbacks
      ? `; ${seen.unfinishedCallbacks} request(s) to notify_path began but never completed`
      : '';
    const elsewhere = seen.byChannel[other].length
      ? `; ${seen.byChannel[other].length} arrived on ${CHANNEL[other]} instead${unfinished}`
      : unfinished || '; nothing arrived on either channel';
    const want = `a reply on ${CHANNEL[expect.via]} within ${seen.windowMs} ms`;
    return [...checks, outcome('reply', level, false, want, `no reply on ${CHANNEL[expect.via]}${elsewhere}`)];
  }
  const { arrival } = hit;
  const at = Math.round(arrival.at - seen.publishedAt);
  const tied = `arrived after ${at} ms, matched by ${hit.matchedBy}`;
  // A reply after the window is seen (the watch outlasts it) but is late: the window is the contract.
  const onTime = at <= seen.windowMs;
  const want = onTime
    ? `a reply on ${CHANNEL[arrival.channel]}`
    : `a reply on ${CHANNEL[arrival.channel]} within ${seen.windowMs} ms`;
  checks.push(outcome('reply', level, onTime, want, onTime ? tied : `${tied}: late`));
  const body = arrival.json;
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  if (!isObject) {
    checks.push(outcome('reply.json', level, false, 'a JSON object', oneLine(arrival.body.toString('utf8'), 160)));
    return checks;
  }
  const reply = body as Record<string, unknown>;
  if (expect.envelope) checks.push(...checkEnvelope(reply, seen, level));
  if (expect.result !== undefined) {
    checks.push(
      outcome(
        'reply.result',
        level,
        reply.result === expect.result,
        `result ${expect.result}`,
        `result ${show(reply.result)}`,
      ),
    );
  }
  if (expect.code !== undefined) checks.push(checkCode(expect, reply.code, level, profile));
  if (expect.messageId === 'echoed') {
    const ext = reply.ext_data as Record<string, unknown> | undefined;
    // MQ-7 decision: the AMQP correlation_id property exists for exactly this, so carrying the message_id
    // there echoes it as well as a body field does.
    const correlationId = arrival.meta.correlationId;
    const echoed =
      seen.messageId !== undefined &&
      (reply.message_id === seen.messageId || ext?.message_id === seen.messageId || correlationId === seen.messageId);
    checks.push(
      outcome(
        'reply.message_id',
        level,
        echoed,
        `message_id ${show(seen.messageId)} at the top level, in ext_data or as the AMQP correlation_id`,
        `message_id ${show(reply.message_id)}, ext_data.message_id ${show(ext?.message_id)}, correlation_id ${show(correlationId)}`,
      ),
    );
  }
  if (expect.beforeReboot) {
    const before = seen.downAt === undefined || arrival.at <= seen.downAt;
    const down =
      seen.downAt === undefined
        ? 'the device did not go down'
        : `the device went down after ${Math.round(seen.downAt - seen.publishedAt)} ms`;
    checks.push(
      outcome(
        'reply.before-reboot',
        level,
        before,
        'the reply sent before the device goes down',
        `reply after ${at} ms; ${down}`,
      ),
    );
  }
  return checks;
}

/** Nothing for the command arrives on these channels (MQ-5, MQ-6). */
export function checkNoReply(
  channels: readonly ReplyChannel[],
  seen: ReplyObservation,
  level: Level,
  profile: Profile,
  lenientChannels: readonly ReplyChannel[] = [],
): CheckOutcome[] {
  return channels.map((channel) => {
    const stray = seen.byChannel[channel];
    const tolerated = profile === 'lenient' && lenientChannels.includes(channel);
    const received = stray.length
      ? `${stray.length} on ${CHANNEL[channel]}: ${oneLine(stray[0]?.body.toString('utf8') ?? '', 120)}`
      : `nothing on ${CHANNEL[channel]}`;
    const result = stray.length === 0 ? 'pass' : tolerated ? 'lenient' : 'fail';
    return outcome(`no-reply.${channel}`, level, result, `nothing on ${CHANNEL[channel]}`, received);
  });
}

function checkEnvelope(reply: Record<string, unknown>, seen: ReplyObservation, level: Level): CheckOutcome[] {
  const field = (name: string, ok: boolean, want: string) =>
    outcome(`reply.${name}`, level, ok, `${name} ${want}`, `${name} ${show(reply[name])}`);
  const ext = reply.ext_data;
  const key = reply.mq_license_key;
  const checks = [
    field('result', typeof reply.result === 'boolean', 'a boolean'),
    field('code', typeof reply.code === 'string' && reply.code.length > 0, 'a non-empty string'),
    field('message', typeof reply.message === 'string', 'a string'),
    field('mq_license_key', typeof key === 'string' && key.length > 0, 'a non-empty string'),
    field('message_key', reply.message_key === 'wipedata', '"wipedata"'),
    field('ext_data', ext !== null && typeof ext === 'object' && !Array.isArray(ext), 'an object'),
  ];
  if (seen.knownLicenseKey !== undefined && typeof key === 'string') {
    checks.push(
      outcome(
        'reply.mq_license_key.stable',
        level,
        key === seen.knownLicenseKey,
        `mq_license_key ${show(seen.knownLicenseKey)}, as earlier in the run`,
        `mq_license_key ${show(key)}`,
      ),
    );
  }
  return checks;
}

function checkCode(expect: ReplyExpectSpec, code: unknown, level: Level, profile: Profile): CheckOutcome {
  const want = expect.code;
  if (want === undefined) throw new Error('checkCode without an expected code');
  if (typeof want === 'object' && 'anyOf' in want) {
    const ok = typeof code === 'string' && want.anyOf.includes(code);
    return outcome('reply.code', level, ok, `code ${want.anyOf.join(' or ')}`, `code ${show(code)}`);
  }
  if (typeof want === 'object') {
    const ok = typeof code === 'string' && code.length > 0 && code !== want.not;
    return outcome('reply.code', level, ok, `a code other than ${want.not}`, `code ${show(code)}`);
  }
  const allowed = expect.lenient ?? [];
  const result =
    code === want
      ? 'pass'
      : typeof code === 'string' && allowed.includes(code) && profile === 'lenient'
        ? 'lenient'
        : 'fail';
  const also = allowed.length ? ` (lenient profile also accepts ${allowed.join(', ')})` : '';
  return outcome('reply.code', level, result, `code ${want}${also}`, `code ${show(code)}`);
}
