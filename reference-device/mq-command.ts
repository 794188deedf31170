import { optionalString } from './arguments.ts';
import type { DeviceBehaviour, FlagRules } from './device-behaviour.ts';
import type { Store } from './store.ts';
import { readJsonObject } from './strict-json.ts';
import { VendorError } from './vendor-error.ts';
import { applyWipe, changesAnything, givenFlags, readWipeFlags, WIPE_FLAGS, type WipeScope } from './wipe.ts';

/** The one command this device knows on its MQ channel (001_e656d4a67e7a6228.txt: "此关键字和内容不能变"). */
export const WIPEDATA = 'wipedata';

/** How many executed `message_id`s the store keeps for idempotency (MQ-8); the oldest go first. */
export const PROCESSED_IDS_KEPT = 1000;

/** A command message as read from the command queue: a wipe to execute, or a refusal to reply. */
export type MqCommand = MqWipe | MqRefusal;

export interface MqWipe {
  kind: 'wipe';
  scope: WipeScope;
  /** The command's `message_id`, echoed in the reply and used for idempotency. */
  messageId: string | undefined;
  /** Where the reply goes instead of the up queue. */
  notifyPath: string | undefined;
}

export interface MqRefusal {
  kind: 'refused';
  error: VendorError;
  /** The `message_key` the message carried, when one could be read as a string; else "". */
  messageKey: string;
  messageId: string | undefined;
  notifyPath: string | undefined;
  /** INVALID_REQUEST_JSON: the message is rejected without requeue, so the broker dead-letters it. */
  deadLetter: boolean;
  /** No message_key, or another one: not a wipedata command at all (MQ-2). */
  unknownCommand: boolean;
  /** The reply's code: the error's, or the family's MQ status code (variant mq-family-codes). */
  replyCode: string;
  /** The message is not JSON at all (syntax, empty, not UTF-8, BOM): what may stop the consumer (MQ-9). */
  notJson: boolean;
  /** What a firmware that acts on each flag as it reads it deletes before refusing (fault mq-bad-flag-partial-wipe). */
  partialScope: WipeScope | undefined;
}

/**
 * Reads one command message strictly (MQ-2, MQ-3, MQ-9): the device's own JSON reader (UTF-8, no BOM,
 * no duplicate keys, an object), then `message_key` (exactly "wipedata"), `message_id` and
 * `notify_path` (non-empty strings when present), then the flags as HTTP-4 … HTTP-10 read them (by the MQ
 * channel's rules: the HTTP request faults belong to the HTTP endpoint).
 */
export function readMqCommand(content: Uint8Array, behaviour: DeviceBehaviour): MqCommand {
  const { mq } = behaviour;
  const reading = readJsonObject(content, behaviour.json);
  const family = mq.failureCodes === 'family-status-codes';
  if (!reading.ok) {
    // Nothing of the message can be trusted, but a key and an id that can be read are echoed so the
    // sender can still match the failure to what it sent; the reply goes to the up queue.
    const seen = peek(content);
    const message = content.length === 0 ? 'empty message' : reading.message.replace('request body', 'message');
    return {
      kind: 'refused',
      error: new VendorError('INVALID_REQUEST_JSON', message),
      messageKey: seen.messageKey,
      messageId: seen.messageId,
      notifyPath: undefined,
      deadLetter: true,
      unknownCommand: false,
      replyCode: family ? 'PARAM_ERROR' : 'INVALID_REQUEST_JSON',
      notJson: reading.reason === 'syntax' || reading.reason === 'encoding' || reading.reason === 'bom',
      partialScope: undefined,
    };
  }
  const body = reading.value;
  const messageKeyValue = body.message_key;
  const messageId = typeof body.message_id === 'string' && body.message_id.trim() !== '' ? body.message_id : undefined;
  const notifyPath =
    typeof body.notify_path === 'string' && body.notify_path.trim() !== '' ? body.notify_path : undefined;
  const refuse = (error: VendorError, partialScope?: WipeScope, unknownCommand = false): MqRefusal => ({
    kind: 'refused',
    error,
    messageKey: typeof messageKeyValue === 'string' ? messageKeyValue : '',
    messageId,
    notifyPath,
    deadLetter: false,
    unknownCommand,
    // The MQ status codes of the same firmware (状态码详细说明), variant mq-family-codes.
    replyCode: !family ? error.code : notBoolean(body, behaviour.mqFlags) ? 'BOOLEAN_ARGUMENT_ERROR' : 'PARAM_ERROR',
    notJson: false,
    partialScope,
  });

  if (!Object.hasOwn(body, 'message_key')) {
    // A firmware may dispatch on the flags it finds (fault mq-wipes-without-message-key).
    const hasFlags = WIPE_FLAGS.some((flag) => Object.hasOwn(body, flag));
    if (!(hasFlags && mq.missingMessageKey === 'wipes-when-flags')) {
      return refuse(new VendorError('MISSING_ARGUMENTS', 'missing message_key'), undefined, true);
    }
  } else if (messageKeyValue !== WIPEDATA && !(mq.messageKeyMatch === 'loose' && looselyWipedata(messageKeyValue))) {
    const shown = JSON.stringify(messageKeyValue).slice(0, 100);
    return refuse(
      new VendorError('INVALID_ARGUMENTS', `unknown message_key ${shown} (expected "${WIPEDATA}")`),
      undefined,
      true,
    );
  }
  try {
    optionalString(body, 'message_id');
    optionalString(body, 'notify_path');
  } catch (error) {
    return refuse(error as VendorError);
  }
  const flags = readWipeFlags(body, behaviour.mqFlags);
  if (!flags.ok) {
    const partial =
      mq.validFlagsOfRefused === 'wiped' && changesAnything(flags.validScope) ? flags.validScope : undefined;
    return refuse(flags.error, partial);
  }
  return { kind: 'wipe', scope: flags.scope, messageId, notifyPath };
}

// A null the device reads as not given (variant null-flag-not-given) is no Bool type error.
function notBoolean(body: Readonly<Record<string, unknown>>, rules: FlagRules): boolean {
  return givenFlags(body, rules).some((flag) => typeof body[flag] !== 'boolean');
}

// A lenient look at a message the strict reader refused, only to echo what can be echoed.
function peek(content: Uint8Array): { messageKey: string; messageId: string | undefined } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8').decode(content));
  } catch {
    return { messageKey: '', messageId: undefined };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { messageKey: '', messageId: undefined };
  const { message_key: key, message_id: id } = value as Record<string, unknown>;
  return {
    messageKey: typeof key === 'string' ? key : '',
    messageId: typeof id === 'string' && id.trim() !== '' ? id : undefined,
  };
}

/** How the device executed a wipe command. */
export type WipeExecution = 'executed' | 'duplicate';

const DUPLICATE = Symbol('duplicate message_id');

/**
 * Executes a wipe in one store transaction that also records its `message_id` (MQ-8): the wipe and
 * the record reach the disk together, so a redelivery after a crash or reboot is recognised. A
 * `message_id` already recorded is not executed again ('duplicate'). Commands without a
 * `message_id` that change nothing do not touch the store.
 */
export async function executeWipe(
  store: Store,
  scope: WipeScope,
  messageId: string | undefined,
  behaviour: DeviceBehaviour,
): Promise<WipeExecution> {
  // A firmware may never look at message_id (fault mq-duplicate-executed-twice).
  const idempotent = messageId !== undefined && behaviour.mq.idempotent;
  if (idempotent && store.state.processedMessageIds.includes(messageId)) return 'duplicate';
  if (messageId === undefined && !changesAnything(scope)) return 'executed';
  try {
    await store.commit(
      (doc) => {
        // Checked again inside the transaction: commits run one at a time, so this is authoritative.
        if (idempotent && doc.processedMessageIds.includes(messageId)) throw DUPLICATE;
        applyWipe(doc, scope, behaviour.deletes);
        if (messageId !== undefined) {
          const kept = doc.processedMessageIds.filter((id) => id !== messageId);
          kept.push(messageId);
          doc.processedMessageIds = kept.slice(-PROCESSED_IDS_KEPT);
        }
      },
      { persist: behaviour.deletes.persisted },
    );
  } catch (error) {
    if (error === DUPLICATE) return 'duplicate';
    throw error;
  }
  return 'executed';
}

/** The reply envelope (001_e656d4a67e7a6228.txt, 返回信息; MQ-4, MQ-7). */
export interface MqReply {
  result: boolean;
  code: string;
  message: string;
  mq_license_key: string;
  message_key: string;
  /** The command's `message_id`, when it had one (not the vendor's: MQ-7). */
  message_id?: string;
  ext_data: Record<string, unknown>;
  /** Replies with extra fields (variant mq-reply-extra-fields). */
  dev_sno?: string;
  timestamp?: string;
}

/** What every reply of one boot shares. */
export interface ReplyContext {
  licenseKey: string;
  behaviour: DeviceBehaviour;
}

export function successReply(
  ctx: ReplyContext,
  messageId: string | undefined,
  scope?: WipeScope,
  elapsedMs?: number,
): MqReply {
  const { mq } = ctx.behaviour;
  // ext_data is "扩展返回结果", extended results of the command: what was wiped, how long it took.
  const extended =
    scope && mq.extData === 'wipe-details'
      ? { wiped: WIPE_FLAGS.filter((f) => (f === 'all' ? scope.settings : scope[f])), elapsed_ms: elapsedMs ?? 0 }
      : {};
  return envelope(ctx, true, mq.successCode, 'execute success', WIPEDATA, messageId, extended);
}

export function failureReply(
  ctx: ReplyContext,
  error: VendorError,
  messageKey: string,
  messageId: string | undefined,
  code: string = error.code,
): MqReply {
  return envelope(ctx, false, code, error.message, messageKey, messageId, {});
}

function envelope(
  ctx: ReplyContext,
  result: boolean,
  code: string,
  message: string,
  messageKey: string,
  messageId: string | undefined,
  extended: Record<string, unknown>,
): MqReply {
  const { mq } = ctx.behaviour;
  const key = messageKey === WIPEDATA ? mq.replyMessageKey : messageKey;
  // MQ-7: the message_id is echoed at the top level, in ext_data, both, or not in the body at all (as the AMQP
  // correlation_id only, mq-consumer.ts; or by a firmware that sends the documented fields and nothing more).
  const where = mq.messageIdInBody;
  const echoed = where === 'none' ? undefined : messageId;
  const top = echoed !== undefined && where !== 'ext-data';
  const inExt = echoed !== undefined && where !== 'top-level';
  return {
    result,
    code,
    message,
    mq_license_key: mq.replyLicenseKey === 'empty' ? '' : ctx.licenseKey,
    message_key: key,
    ...(top ? { message_id: echoed } : {}),
    ext_data: { ...extended, ...(inExt ? { message_id: echoed } : {}) },
    ...(mq.replyExtraFields ? { dev_sno: ctx.licenseKey, timestamp: new Date().toISOString() } : {}),
  };
}

/** Where a reply goes (MQ-5, MQ-6). */
export type ReplyTarget =
  | { kind: 'up-queue' }
  | { kind: 'callback'; url: string }
  | { kind: 'unresolvable'; notifyPath: string; reason: string };

/**
 * No `notify_path`: the up queue. An absolute http(s) URL: POSTed there, and only there. A relative path is
 * resolved against the root of the management platform's login URL: a device that logs in (variant
 * platform-login-strict) has one; one handed its broker directly does not, and treats it as unreachable.
 */
export function replyTarget(notifyPath: string | undefined, platformUrl?: string): ReplyTarget {
  if (notifyPath === undefined) return { kind: 'up-queue' };
  let url: URL;
  try {
    // A relative notify_path is relative to the platform's root (sophon-api.md): known to a device that logs in.
    url = platformUrl === undefined ? new URL(notifyPath) : new URL(notifyPath, new URL('/', platformUrl));
  } catch {
    return { kind: 'unresolvable', notifyPath, reason: 'a relative notify_path and no platform URL to resolve it' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'unresolvable', notifyPath, reason: `not an http(s) URL (${url.protocol})` };
  }
  return { kind: 'callback', url: url.toString() };
}

// A firmware may lower-case the key and dispatch on its prefix (fault mq-message-key-loose).
function looselyWipedata(key: unknown): boolean {
  return typeof key === 'string' && key.toLowerCase().startsWith(WIPEDATA);
}
