import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidArgument } from './arguments.ts';
import type { DeviceBehaviour, FlagRules } from './device-behaviour.ts';
import type { DeviceContext } from './device-context.ts';
import { bodyBytes } from './request-guards.ts';
import { defaultSettings } from './settings.ts';
import type { StoreDocument } from './store.ts';
import { readJsonObject } from './strict-json.ts';
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
 * Reads users/events/all from a request object (HTTP-4, HTTP-5, HTTP-9, HTTP-10, HTTP-16) by the rules of the
 * channel it came on (device-behaviour.ts FlagRules).
 */
export function readWipeFlags(body: Readonly<Record<string, unknown>>, rules: FlagRules): FlagReading {
  const refuse = (error: VendorError, validScope = NOTHING): FlagReading => ({ ok: false, error, validScope });
  const unknown = Object.keys(body).find((key) => !(WIPE_FLAGS as readonly string[]).includes(key));
  if (unknown !== undefined && rules.unknownFields === 'refused') {
    return refuse(new VendorError('INVALID_ARGUMENTS', `unknown parameter: ${unknown.slice(0, 100)}`));
  }
  const present = givenFlags(body, rules);
  if (present.length === 0) {
    if (Object.keys(body).length === 0 && rules.emptyObject === 'EMPTY_REQUEST_JSON') {
      return refuse(new VendorError('EMPTY_REQUEST_JSON', 'empty request JSON'));
    }
    const message = rules.noFlagMessage === 'empty' ? '' : rules.missingWording;
    return refuse(new VendorError(rules.noFlagCode, message));
  }
  const values: Partial<Record<WipeFlag, boolean>> = {};
  let error: VendorError | undefined;
  for (const flag of present) {
    const value = body[flag];
    // A firmware may only check that the key is there (fault false-flag-wipes).
    if (typeof value === 'boolean') values[flag] = value || rules.falseFlag === 'true';
    else if (value === 'true' && rules.stringTrue === 'true') values[flag] = true;
    else error ??= invalidFlag(flag, value, rules);
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
  if (trueFlags.length > 1 && rules.severalTrue === 'refused') {
    return refuse(
      new VendorError('INVALID_ARGUMENTS', `only one of users, events, all may be true: ${trueFlags.join(', ')}`),
    );
  }
  // HTTP-10: a request that asks for nothing refused as invalid.
  if (trueFlags.length === 0 && rules.allFalse === 'INVALID_ARGUMENTS') {
    return refuse(new VendorError('INVALID_ARGUMENTS', `${present.join(', ')}: false (nothing to wipe)`));
  }
  // HTTP-10 read through HTTP-4: a flag at its default counts as not given, so none of the three was chosen.
  if (trueFlags.length === 0 && rules.allFalse === 'MISSING_ARGUMENTS') {
    return refuse(new VendorError('MISSING_ARGUMENTS', rules.missingWording));
  }
  return { ok: true, scope };
}

/**
 * The flags the request gives. A present key counts, null too (then an invalid value, HTTP-5), unless the rules
 * read null as the face API's general convention does (通用约定: "''不为空，None才为空"): empty, so not given, and
 * the request is read as if the key were absent.
 */
export function givenFlags(body: Readonly<Record<string, unknown>>, rules: FlagRules): WipeFlag[] {
  const nullIsAbsent = rules.nullFlag === 'not-given';
  return WIPE_FLAGS.filter((flag) => Object.hasOwn(body, flag) && !(nullIsAbsent && body[flag] === null));
}

// INVALID_ARGUMENTS carries 无效参数的值 (HTTP-5), with any wording around it.
function invalidFlag(flag: WipeFlag, value: unknown, rules: FlagRules): VendorError {
  const json = JSON.stringify(value) ?? String(value);
  switch (rules.invalidWording) {
    case 'value-only':
      return new VendorError('INVALID_ARGUMENTS', json);
    case 'chinese':
      return new VendorError('INVALID_ARGUMENTS', `无效参数的值：${json}`);
    case 'python-repr':
      return new VendorError('INVALID_ARGUMENTS', `expected a bool, got ${pythonRepr(value)}`);
    case 'parameter-and-value':
      return invalidArgument(flag, value);
  }
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

/** Applies a wipe to a draft of the store document (inside a store transaction), deleting what the device deletes. */
export function applyWipe(doc: StoreDocument, scope: WipeScope, deletes: DeviceBehaviour['deletes']): void {
  if (scope.users) for (const list of deletes.users) doc[list] = [];
  if (scope.events) for (const list of deletes.events) doc[list] = [];
  if (scope.settings && deletes.allResetsSettings) doc.settings = defaultSettings();
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
  const { behaviour, store } = ctx;
  const { wipe, deletes } = behaviour;
  const bytes = bodyBytes(request);
  const reading = readJsonObject(bytes, behaviour.json);
  if (!reading.ok) {
    // A firmware may swallow its JSON parse exception (fault ok-on-malformed-json).
    if (reading.reason === 'syntax' && wipe.malformedJson === 'ok-200') {
      return sendJson(reply, 200, { result: true });
    }
    if ((bytes === undefined || bytes.length === 0) && wipe.emptyBody === 'EMPTY_REQUEST_JSON') {
      throw new VendorError('EMPTY_REQUEST_JSON', 'empty request JSON');
    }
    // HTTP-3 decision: JSON that is not an object fits 无效的JSON数据请求 and 无效的参数 alike, and null is the empty
    // value (通用约定), so a blank request (EMPTY_REQUEST_JSON). A firmware that parses, finds no flag and never
    // checks the type answers MISSING_ARGUMENTS (fault non-object-missing-args).
    if (reading.reason === 'not-object') {
      const nullBody = new TextDecoder().decode(bytes).trim() === 'null';
      if (nullBody && wipe.nullBody === 'EMPTY_REQUEST_JSON') {
        throw new VendorError('EMPTY_REQUEST_JSON', 'empty request JSON: null');
      }
      if (wipe.nonObject === 'MISSING_ARGUMENTS') {
        throw new VendorError('MISSING_ARGUMENTS', `missing one of: ${WIPE_FLAGS.join(', ')}`);
      }
      if (wipe.nonObject === 'INVALID_ARGUMENTS') throw new VendorError('INVALID_ARGUMENTS', reading.message);
    }
    throw new VendorError('INVALID_REQUEST_JSON', reading.message);
  }
  const flags = readWipeFlags(reading.value, behaviour.httpFlags);
  if (!flags.ok) {
    // A firmware may act on each flag as it reads it (fault partial-wipe-on-error).
    if (wipe.validFlagsOfRefused === 'wiped' && changesAnything(flags.validScope)) {
      const scope = flags.validScope;
      await store.commit((doc) => applyWipe(doc, scope, deletes));
    }
    throw flags.error;
  }
  const { scope } = flags;
  // HTTP-10: flags present but all false: nothing to delete, so nothing to reboot for (unless the device
  // reboots after every accepted wipedata).
  if (!changesAnything(scope)) {
    if (behaviour.reboot.afterNoOpWipe) ctx.rebootAfterResponse(reply);
    return sendJson(reply, 200, successBody(behaviour));
  }
  // A firmware may treat "nothing to delete" as a failure (fault empty-device-refused).
  if (wipe.emptyDevice === 'INVALID_ARGUMENTS' && holdsNothing(store.state, scope)) {
    throw new VendorError('INVALID_ARGUMENTS', 'there is no data to wipe');
  }
  // Deleting a full face library takes a real device tens of seconds (variant slow-sync-wipe).
  await ctx.delay(ctx.wipeMs);
  await store.commit((doc) => applyWipe(doc, scope, deletes), { persist: deletes.persisted });
  if (wipe.answer === 'dropped-then-reboot') {
    reply.hijack();
    request.raw.socket.destroy();
    ctx.rebootNow();
    return reply;
  }
  if (behaviour.reboot.afterHttpWipe) ctx.rebootAfterResponse(reply);
  return sendJson(reply, 200, { ...successBody(behaviour), result: wipe.successResult });
}

function successBody({ wipe }: DeviceBehaviour): Record<string, unknown> {
  return wipe.successBody === 'with-message' ? { result: true, message: 'success' } : { result: true };
}

/** Whether the wipe would find nothing in its scope to delete. */
function holdsNothing(doc: Readonly<StoreDocument>, scope: WipeScope): boolean {
  const users = doc.identities.length + doc.permissions.length + doc.mediaDevices.length;
  return (!scope.users || users === 0) && (!scope.events || doc.events.length === 0);
}
