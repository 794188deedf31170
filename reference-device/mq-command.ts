import { optionalString } from './arguments.ts';
import { Faults } from './faults.ts';
import type { Store } from './store.ts';
import { readingFor, readJsonObject } from './strict-json.ts';
import type { Variants } from './variants.ts';
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
  /** The reply's code: the error's, or the MQ status code variant mq-family-codes answers with. */
  replyCode: string;
  /** The message is not JSON at all (syntax, empty, not UTF-8, BOM): the `mq-consumer-dies-on-poison` trigger. */
  notJson: boolean;
  /** Fault `mq-bad-flag-partial-wipe`: what the faulty firmware deletes before refusing. */
  partialScope: WipeScope | undefined;
}

// The flags are read exactly as over HTTP, but the HTTP request faults (string-true-accepted,
// missing-args-wrong-code, …) belong to the HTTP endpoint and do not reach this channel.
const NO_FAULTS = Faults.parse([]);

/**
 * Reads one command message strictly (MQ-2, MQ-3, MQ-9): the device's own JSON reader (UTF-8, no BOM,
 * no duplicate keys, an object), then `message_key` (exactly "wipedata"), `message_id` and
 * `notify_path` (non-empty strings when present), then the flags as HTTP-4 … HTTP-10 read them.
 */
export function readMqCommand(content: Uint8Array, faults: Faults, variants: Variants): MqCommand {
  const reading = readJsonObject(content, readingFor(variants));
  const family = variants.has('mq-family-codes');
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
    // Variant mq-family-codes: the MQ status codes of the same firmware (状态码详细说明).
    replyCode: !family ? error.code : notBoolean(body, variants) ? 'BOOLEAN_ARGUMENT_ERROR' : 'PARAM_ERROR',
    notJson: false,
    partialScope,
  });

  if (!Object.hasOwn(body, 'message_key')) {
    // Fault mq-wipes-without-message-key: a firmware that dispatches on the flags it finds.
    const hasFlags = WIPE_FLAGS.some((flag) => Object.hasOwn(body, flag));
    if (!(hasFlags && faults.has('mq-wipes-without-message-key'))) {
      return refuse(new VendorError('MISSING_ARGUMENTS', 'missing message_key'), undefined, true);
    }
  } else if (messageKeyValue !== WIPEDATA && !looselyWipedata(messageKeyValue, faults)) {
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
  const flags = readWipeFlags(body, NO_FAULTS, variants);
  if (!flags.ok) {
    // Fault mq-bad-flag-partial-wipe: a firmware that acts on each flag as it reads it.
    const partial =
      faults.has('mq-bad-flag-partial-wipe') && changesAnything(flags.validScope) ? flags.validScope : undefined;
    return refuse(flags.error, partial);
  }
  return { kind: 'wipe', scope: flags.scope, messageId, notifyPath };
}

// A null the device reads as not given (variant null-flag-not-given) is no Bool type error.
function notBoolean(body: Readonly<Record<string, unknown>>, variants: Variants): boolean {
  return givenFlags(body, variants).some((flag) => typeof body[flag] !== 'boolean');
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
  faults: Faults,
): Promise<WipeExecution> {
  // Fault mq-duplicate-executed-twice: a firmware that never looks at message_id.
  const idempotent = messageId !== undefined && !faults.has('mq-duplicate-executed-twice');
  if (idempotent && store.state.processedMessageIds.includes(messageId)) return 'duplicate';
  if (messageId === undefined && !changesAnything(scope)) return 'executed';
  try {
    await store.commit(
      (doc) => {
        // Checked again inside the transaction: commits run one at a time, so this is authoritative.
        if (idempotent && doc.processedMessageIds.includes(messageId)) throw DUPLICATE;
        applyWipe(doc, scope, faults);
        if (messageId !== undefined) {
          const kept = doc.processedMessageIds.filter((id) => id !== messageId);
          kept.push(messageId);
          doc.processedMessageIds = kept.slice(-PROCESSED_IDS_KEPT);
        }
      },
      { persist: !faults.has('wipe-not-persisted') },
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
  /** Variant mq-reply-extra-fields. */
  dev_sno?: string;
  timestamp?: string;
}

/** What every reply of one boot shares. */
export interface ReplyContext {
  licenseKey: string;
  faults: Faults;
  variants: Variants;
}

export function successReply(
  ctx: ReplyContext,
  messageId: string | undefined,
  scope?: WipeScope,
  elapsedMs?: number,
): MqReply {
  const code = ctx.faults.has('mq-code-success') ? 'SUCCESS' : 'EXECUTE_SUCCESS';
  // Variant mq-ext-data-content: ext_data is "扩展返回结果", extended results of the command.
  const extended =
    scope && ctx.variants.has('mq-ext-data-content')
      ? { wiped: WIPE_FLAGS.filter((f) => (f === 'all' ? scope.settings : scope[f])), elapsed_ms: elapsedMs ?? 0 }
      : {};
  return envelope(ctx, true, code, 'execute success', WIPEDATA, messageId, extended);
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
  const { faults, variants } = ctx;
  const key = messageKey === WIPEDATA && faults.has('mq-wrong-message-key') ? 'wipeData' : messageKey;
  // Fault mq-reply-without-message-id: a firmware that sends the documented reply fields and nothing more.
  // The variants echo it in one place only (MQ-7), or as the AMQP correlation_id (mq-consumer.ts).
  const echoed =
    faults.has('mq-reply-without-message-id') || variants.has('mq-message-id-as-correlation-id')
      ? undefined
      : messageId;
  const top = echoed !== undefined && !variants.has('mq-message-id-in-ext-data-only');
  const inExt = echoed !== undefined && !variants.has('mq-message-id-top-level-only');
  return {
    result,
    code,
    message,
    mq_license_key: faults.has('mq-empty-license-key') ? '' : ctx.licenseKey,
    message_key: key,
    ...(top ? { message_id: echoed } : {}),
    ext_data: { ...extended, ...(inExt ? { message_id: echoed } : {}) },
    ...(variants.has('mq-reply-extra-fields') ? { dev_sno: ctx.licenseKey, timestamp: new Date().toISOString() } : {}),
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

// Fault mq-message-key-loose: a firmware that lower-cases the key and dispatches on its prefix.
function looselyWipedata(key: unknown, faults: Faults): boolean {
  return faults.has('mq-message-key-loose') && typeof key === 'string' && key.toLowerCase().startsWith(WIPEDATA);
}
