import type { FastifyInstance } from 'fastify';
import type { Body } from './arguments.ts';
import type { DeviceContext } from './device-context.ts';
import { createIdentity, getIdentities } from './identities.ts';
import { addMediaDevice, getMediaDevices } from './media-devices.ts';
import { createPermission, getPermissions } from './permissions.ts';
import { getEvents } from './recognition.ts';
import { contentTypeGuard, jsonObjectBody } from './request-guards.ts';
import { defaultSettings, getConfigs, setConfigs } from './settings.ts';
import { readingFor } from './strict-json.ts';
import { answeredWithError, sendJson } from './vendor-error.ts';
import { handleWipe } from './wipe.ts';

/** Where the face API lives on the API port. */
export const FACE_API = '/sophon/v2/face';
export const WIPE_PATH = `${FACE_API}/wipedata`;

type Command = (ctx: DeviceContext, body: Body) => unknown;

/** The management subset of sophon-api.md: each command takes a JSON object and answers one. */
const COMMANDS: Readonly<Record<string, Command>> = {
  createpermission: (ctx, body) => createPermission(ctx.store, body),
  getpermissions: (ctx, body) => getPermissions(ctx.store, body),
  createidentity: (ctx, body) => createIdentity(ctx.store, body),
  getidentities: (ctx, body) => getIdentities(ctx.store, body),
  addmediadevice: (ctx, body) => addMediaDevice(ctx, body),
  getmediadevices: (ctx, body) => getMediaDevices(ctx, body),
  getevents: (ctx, body) => getEvents(ctx.store, body),
  getconfigs: (ctx, body) => getConfigs(ctx.store, body),
  setconfigs: (ctx, body) => setConfigs(ctx.store, body),
};

// Variant pages-capped-at-one: page_limit is a request, the device serves at most one item per page.
function pagedAsTheDeviceServes(ctx: DeviceContext, command: string, body: Body): Body {
  const capped = command === 'getidentities' || command === 'getpermissions';
  if (!capped || !ctx.variants.has('pages-capped-at-one') || !Object.hasOwn(body, 'page_limit')) return body;
  return typeof body.page_limit === 'number' && body.page_limit > 1 ? { ...body, page_limit: 1 } : body;
}

// Variant getconfigs-many-keys: a real device answers getconfigs {} with every setting it has, most of which
// a test must never change (sophon-api.md); they are read-only here.
const OTHER_SETTINGS = {
  GATE_WORK_MODE: 'normal',
  GATE_STRANGER_GROUP_SIZE: 30000,
  ALG_STRANGER_GROUP_RANGE: [30000, 50000],
  MQ_LOGIN_URL: '',
  REGN_FIQA_LEVEL: 1,
  GRAB_MODE_INTERVAL: 1.0,
};

function withOtherSettings(ctx: DeviceContext, command: string, body: Body, result: unknown): unknown {
  if (command !== 'getconfigs' || !ctx.variants.has('getconfigs-many-keys') || Object.hasOwn(body, 'config_name')) {
    return result;
  }
  return { ...OTHER_SETTINGS, ...(result as Record<string, unknown>) };
}

/** Registers `POST /sophon/v2/face/<command>` for wipedata and the management commands. */
export function registerFaceApi(app: FastifyInstance, ctx: DeviceContext): void {
  // Every face command accepts application/json only (000_2427abba6c145ae1.txt, 错误码 1).
  const onRequest = contentTypeGuard(ctx.faults);
  app.post(WIPE_PATH, { onRequest }, (request, reply) => handleWipe(ctx, request, reply));
  // Fault any-method-wipes: a firmware that routes the path and never looks at the method.
  if (ctx.faults.has('any-method-wipes')) {
    app.route({
      method: ['PUT', 'DELETE', 'PATCH'],
      url: WIPE_PATH,
      onRequest,
      handler: (request, reply) => handleWipe(ctx, request, reply),
    });
  }
  const reading = readingFor(ctx.variants);
  for (const [name, command] of Object.entries(COMMANDS)) {
    app.post(`${FACE_API}/${name}`, { onRequest }, async (request, reply) => {
      const body = jsonObjectBody(request, reading);
      const result = await command(ctx, pagedAsTheDeviceServes(ctx, name, body));
      return sendJson(reply, 200, withOtherSettings(ctx, name, body, result));
    });
  }
  // Fault error-resets-settings: a firmware whose error path reloads the factory configuration.
  if (ctx.faults.has('error-resets-settings')) {
    app.addHook('onSend', async (request) => {
      if (answeredWithError.has(request) && request.url.split('?', 1)[0] === WIPE_PATH) {
        await ctx.store.commit((doc) => {
          doc.settings = defaultSettings();
        });
      }
    });
  }
  // Fault reboots-after-error: a firmware whose error path also runs the post-wipe restart.
  if (ctx.faults.has('reboots-after-error')) {
    app.addHook('onSend', async (request, reply) => {
      if (answeredWithError.has(request) && request.url.split('?', 1)[0] === WIPE_PATH) {
        ctx.rebootAfterResponse(reply);
      }
    });
  }
}
