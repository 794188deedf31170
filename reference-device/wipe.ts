import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidArgument } from './arguments.ts';
import type { DeviceContext } from './device-context.ts';
import type { Faults } from './faults.ts';
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

/** Reads users/events/all from a request object (HTTP-4, HTTP-5, HTTP-9, HTTP-10, HTTP-16). */
export function readWipeFlags(body: Readonly<Record<string, unknown>>, faults: Faults): FlagReading {
  const present = WIPE_FLAGS.filter((flag) => Object.hasOwn(body, flag));
  if (present.length === 0) {
    const code = faults.has('missing-args-wrong-code') ? 'INVALID_ARGUMENTS' : 'MISSING_ARGUMENTS';
    const message = faults.has('message-not-naming-missing') ? '' : `missing one of: ${WIPE_FLAGS.join(', ')}`;
    return { ok: false, error: new VendorError(code, message), validScope: NOTHING };
  }
  const values: Partial<Record<WipeFlag, boolean>> = {};
  let error: VendorError | undefined;
  for (const flag of present) {
    const value = body[flag];
    // Fault false-flag-wipes: a firmware that only checks that the key is there.
    if (typeof value === 'boolean') values[flag] = value || faults.has('false-flag-wipes');
    else if (value === 'true' && faults.has('string-true-accepted')) values[flag] = true;
    else error ??= invalidArgument(flag, value);
  }
  const all = values.all === true;
  const scope: WipeScope = {
    users: all || values.users === true,
    events: all || values.events === true,
    settings: all,
  };
  return error ? { ok: false, error, validScope: scope } : { ok: true, scope };
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
export async function handleWipe(ctx: DeviceContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { faults, store } = ctx;
  const reading = readJsonObject(bodyBytes(request));
  if (!reading.ok) {
    // Fault ok-on-malformed-json: a firmware that swallows its JSON parse exception.
    if (reading.reason === 'syntax' && faults.has('ok-on-malformed-json')) {
      sendJson(reply, 200, { result: true });
      return;
    }
    // Fault non-object-missing-args: a firmware that parses, finds no flag, and never checks the type.
    if (reading.reason === 'not-object' && faults.has('non-object-missing-args')) {
      throw new VendorError('MISSING_ARGUMENTS', `missing one of: ${WIPE_FLAGS.join(', ')}`);
    }
    throw new VendorError('INVALID_REQUEST_JSON', reading.message);
  }
  const flags = readWipeFlags(reading.value, faults);
  if (!flags.ok) {
    // Fault partial-wipe-on-error: a firmware that acts on each flag as it reads it.
    if (faults.has('partial-wipe-on-error') && changesAnything(flags.validScope)) {
      const scope = flags.validScope;
      await store.commit((doc) => applyWipe(doc, scope, faults));
    }
    throw flags.error;
  }
  const { scope } = flags;
  // HTTP-10: flags present but all false: nothing to delete, so nothing to reboot for.
  if (!changesAnything(scope)) {
    sendJson(reply, 200, { result: true });
    return;
  }
  // Fault empty-device-refused: a firmware that treats "nothing to delete" as a failure.
  if (faults.has('empty-device-refused') && holdsNothing(store.state, scope)) {
    throw new VendorError('INVALID_ARGUMENTS', 'there is no data to wipe');
  }
  await store.commit((doc) => applyWipe(doc, scope, faults), { persist: !faults.has('wipe-not-persisted') });
  if (faults.has('reboots-before-answering')) {
    reply.hijack();
    request.raw.socket.destroy();
    ctx.rebootNow();
    return;
  }
  if (!faults.has('never-reboots')) ctx.rebootAfterResponse(reply);
  sendJson(reply, 200, { result: !faults.has('result-false-200') });
}

/** Whether the wipe would find nothing in its scope to delete. */
function holdsNothing(doc: Readonly<StoreDocument>, scope: WipeScope): boolean {
  const users = doc.identities.length + doc.permissions.length + doc.mediaDevices.length;
  return (!scope.users || users === 0) && (!scope.events || doc.events.length === 0);
}
