import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidArgument } from './arguments.ts';
import type { DeviceContext } from './device-context.ts';
import type { Faults } from './faults.ts';
import { bodyBytes } from './request-guards.ts';
import { defaultSettings } from './settings.ts';
import type { StoreDocument } from './store.ts';
import { readingFor, readJsonObject } from './strict-json.ts';
import type { Variants } from './variants.ts';
import { sendJson, VendorError } from './vendor-error.ts';

/** The three wipedata flags (000_2427abba6c145ae1.txt, 请求参数). */
export const WIPE_FLAGS = ['users', 'events', 'all'] as const;
export type WipeFlag = (typeof WIPE_FLAGS)[number];

/** What a wipe deletes or restores. */
export interface WipeScope {
  /** Identities with their faces, permission groups, input devices (HTTP-6). */
  users: boolean;
  /** Recognition records (HTTP-7). */
  events: boolean;
  /** Smart settings back to their defaults (HTTP-8). */
  settings: boolean;
}

/** The flags of a request: a scope, or the error to answer (with the scope of the flags that were valid). */
export type FlagReading = { ok: true; scope: WipeScope } | { ok: false; error: VendorError; validScope: WipeScope };

const NOTHING: WipeScope = { users: false, events: false, settings: false };

/**
 * Reads users/events/all from a request object (HTTP-4, HTTP-5, HTTP-9, HTTP-10, HTTP-16), the way the device's
 * variants read the open points; `refuseUnknown` is for the HTTP body (variant unknown-fields-refused).
 */
export function readWipeFlags(
  body: Readonly<Record<string, unknown>>,
  faults: Faults,
  variants: Variants,
  { refuseUnknown = false } = {},
): FlagReading {
  const refuse = (error: VendorError, validScope = NOTHING): FlagReading => ({ ok: false, error, validScope });
  const unknown = Object.keys(body).find((key) => !(WIPE_FLAGS as readonly string[]).includes(key));
  if (refuseUnknown && unknown !== undefined && variants.has('unknown-fields-refused')) {
    return refuse(new VendorError('INVALID_ARGUMENTS', `unknown parameter: ${unknown.slice(0, 100)}`));
  }
  const present = givenFlags(body, variants);
  if (present.length === 0) {
    const wrongCode = faults.has('missing-args-wrong-code');
    if (Object.keys(body).length === 0 && variants.has('empty-object-empty-request-json') && !wrongCode) {
      return refuse(new VendorError('EMPTY_REQUEST_JSON', 'empty request JSON'));
    }
    const code = wrongCode ? 'INVALID_ARGUMENTS' : 'MISSING_ARGUMENTS';
    const message = faults.has('message-not-naming-missing') ? '' : missingMessage(variants);
    return refuse(new VendorError(code, message));
  }
  const values: Partial<Record<WipeFlag, boolean>> = {};
  let error: VendorError | undefined;
  for (const flag of present) {
    const value = body[flag];
    // Fault false-flag-wipes: a firmware that only checks that the key is there.
    if (typeof value === 'boolean') values[flag] = value || faults.has('false-flag-wipes');
    else if (value === 'true' && faults.has('string-true-accepted')) values[flag] = true;
    else error ??= invalidFlag(flag, value, variants);
  }
  const all = values.all === true;
  const scope: WipeScope = {
    users: all || values.users === true,
    events: all || values.events === true,
    settings: all,
  };
  if (error) return refuse(error, scope);
  const trueFlags = present.filter((flag) => values[flag] === true);
  // HTTP-9 read as "exactly one of three".
  if (trueFlags.length > 1 && variants.has('rejects-several-flags')) {
    return refuse(
      new VendorError('INVALID_ARGUMENTS', `only one of users, events, all may be true: ${trueFlags.join(', ')}`),
    );
  }
  // HTTP-10: a request that asks for nothing refused as invalid.
  if (trueFlags.length === 0 && variants.has('refuses-all-false')) {
    return refuse(new VendorError('INVALID_ARGUMENTS', `${present.join(', ')}: false (nothing to wipe)`));
  }
  // HTTP-10 read through HTTP-4: a flag at its default counts as not given, so none of the three was chosen.
  if (trueFlags.length === 0 && variants.has('all-false-missing-arguments')) {
    return refuse(new VendorError('MISSING_ARGUMENTS', missingMessage(variants)));
  }
  return { ok: true, scope };
}

/**
 * The flags the request gives. A present key counts, null too (then an invalid value, HTTP-5), unless variant
 * null-flag-not-given reads null as the face API's general convention does (通用约定: "''不为空，None才为空"):
 * empty, so not given, and the request is read as if the key were absent.
 */
export function givenFlags(body: Readonly<Record<string, unknown>>, variants: Variants): WipeFlag[] {
  const nullIsAbsent = variants.has('null-flag-not-given');
  return WIPE_FLAGS.filter((flag) => Object.hasOwn(body, flag) && !(nullIsAbsent && body[flag] === null));
}

// MISSING_ARGUMENTS carries 缺失参数的名称 (HTTP-4): the variants word it otherwise.
function missingMessage(variants: Variants): string {
  if (variants.has('missing-message-chinese')) return '缺少必要参数：users、events 或 all';
  if (variants.has('missing-message-names-one')) return 'missing parameter: users';
  return `missing one of: ${WIPE_FLAGS.join(', ')}`;
}

// INVALID_ARGUMENTS carries 无效参数的值 (HTTP-5): the variants write the value otherwise.
function invalidFlag(flag: WipeFlag, value: unknown, variants: Variants): VendorError {
  const json = JSON.stringify(value) ?? String(value);
  if (variants.has('invalid-message-value-only')) return new VendorError('INVALID_ARGUMENTS', json);
  if (variants.has('invalid-message-chinese')) return new VendorError('INVALID_ARGUMENTS', `无效参数的值：${json}`);
  if (variants.has('invalid-message-python-repr')) {
    return new VendorError('INVALID_ARGUMENTS', `expected a bool, got ${pythonRepr(value)}`);
  }
  return invalidArgument(flag, value);
}

function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `'${k}': ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Whether the scope deletes or restores anything at all. */
export function changesAnything(scope: WipeScope): boolean {
  return scope.users || scope.events || scope.settings;
}

/** Applies a wipe to a draft of the store document (inside a store transaction). */
export function applyWipe(doc: StoreDocument, scope: WipeScope, faults: Faults): void {
  if (scope.users) {
    doc.identities = [];
    if (!faults.has('users-keeps-permissions')) doc.permissions = [];
    if (!faults.has('users-keeps-media-devices')) doc.mediaDevices = [];
  }
  if (scope.events) {
    doc.events = [];
    if (faults.has('events-deletes-identities')) doc.identities = [];
  }
  if (scope.settings && !faults.has('all-keeps-settings')) doc.settings = defaultSettings();
}

/**
 * `POST /sophon/v2/face/wipedata`. The wipe is synchronous and transactional (HTTP-12): it is on disk
 * before `{"result":true}` is sent; the reboot (HTTP-13) starts only once that response has been sent.
 */
export async function handleWipe(
  ctx: DeviceContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  // The reply is returned, as Fastify asks of an async handler: an onSend hook that defers the answer (variant
  // chunked-answers) would otherwise meet a handler that resolved without one, and an empty 200 would go out.
  const { faults, store, variants } = ctx;
  const bytes = bodyBytes(request);
  const reading = readJsonObject(bytes, readingFor(variants));
  if (!reading.ok) {
    // Fault ok-on-malformed-json: a firmware that swallows its JSON parse exception.
    if (reading.reason === 'syntax' && faults.has('ok-on-malformed-json')) {
      return sendJson(reply, 200, { result: true });
    }
    if ((bytes === undefined || bytes.length === 0) && variants.has('empty-body-empty-request-json')) {
      throw new VendorError('EMPTY_REQUEST_JSON', 'empty request JSON');
    }
    // Fault non-object-missing-args: a firmware that parses, finds no flag, and never checks the type.
    if (reading.reason === 'not-object' && faults.has('non-object-missing-args')) {
      throw new VendorError('MISSING_ARGUMENTS', `missing one of: ${WIPE_FLAGS.join(', ')}`);
    }
    // HTTP-3 decision: JSON that is not an object fits 无效的JSON数据请求 and 无效的参数 alike, and null is the empty
    // value (通用约定), so a blank request (EMPTY_REQUEST_JSON): the variants answer so.
    if (reading.reason === 'not-object') {
      const nullBody = new TextDecoder().decode(bytes).trim() === 'null';
      if (nullBody && variants.has('null-body-empty-request-json')) {
        throw new VendorError('EMPTY_REQUEST_JSON', 'empty request JSON: null');
      }
      if (variants.has('non-object-invalid-arguments')) throw new VendorError('INVALID_ARGUMENTS', reading.message);
    }
    throw new VendorError('INVALID_REQUEST_JSON', reading.message);
  }
  const flags = readWipeFlags(reading.value, faults, variants, { refuseUnknown: true });
  if (!flags.ok) {
    // Fault partial-wipe-on-error: a firmware that acts on each flag as it reads it.
    if (faults.has('partial-wipe-on-error') && changesAnything(flags.validScope)) {
      const scope = flags.validScope;
      await store.commit((doc) => applyWipe(doc, scope, faults));
    }
    throw flags.error;
  }
  const { scope } = flags;
  // HTTP-10: flags present but all false: nothing to delete, so nothing to reboot for (unless a variant
  // reboots after every accepted wipedata).
  if (!changesAnything(scope)) {
    if (variants.has('reboots-after-all-false') && !faults.has('never-reboots')) ctx.rebootAfterResponse(reply);
    return sendJson(reply, 200, successBody(ctx));
  }
  // Fault empty-device-refused: a firmware that treats "nothing to delete" as a failure.
  if (faults.has('empty-device-refused') && holdsNothing(store.state, scope)) {
    throw new VendorError('INVALID_ARGUMENTS', 'there is no data to wipe');
  }
  // Variant slow-sync-wipe: deleting a full face library takes a real device tens of seconds.
  await ctx.delay(ctx.wipeMs);
  await store.commit((doc) => applyWipe(doc, scope, faults), { persist: !faults.has('wipe-not-persisted') });
  if (faults.has('reboots-before-answering')) {
    reply.hijack();
    request.raw.socket.destroy();
    ctx.rebootNow();
    return reply;
  }
  if (!faults.has('never-reboots')) ctx.rebootAfterResponse(reply);
  return sendJson(reply, 200, { ...successBody(ctx), result: !faults.has('result-false-200') });
}

function successBody(ctx: DeviceContext): Record<string, unknown> {
  return ctx.variants.has('success-extra-fields') ? { result: true, message: 'success' } : { result: true };
}

/** Whether the wipe would find nothing in its scope to delete. */
function holdsNothing(doc: Readonly<StoreDocument>, scope: WipeScope): boolean {
  const users = doc.identities.length + doc.permissions.length + doc.mediaDevices.length;
  return (!scope.users || users === 0) && (!scope.events || doc.events.length === 0);
}
