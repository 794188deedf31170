import type { FastifyInstance } from 'fastify';
import type { Body } from './arguments.ts';
import type { DeviceContext } from './device-context.ts';
import { createIdentity, getIdentities } from './identities.ts';
import { addMediaDevice, getMediaDevices } from './media-devices.ts';
import { createPermission, getPermissions } from './permissions.ts';
import { getEvents } from './recognition.ts';
import { contentTypeGuard, jsonObjectBody } from './request-guards.ts';
import { defaultSettings, getConfigs, setConfigs } from './settings.ts';
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

// page_limit is a request: a device may serve at most one item per page (variant pages-capped-at-one).
function pagedAsTheDeviceServes(ctx: DeviceContext, command: string, body: Body): Body {
  const capped = command === 'getidentities' || command === 'getpermissions';
  if (!capped || ctx.behaviour.management.pageLimit !== 'one' || !Object.hasOwn(body, 'page_limit')) return body;
  return typeof body.page_limit === 'number' && body.page_limit > 1 ? { ...body, page_limit: 1 } : body;
}

// A real device may answer getconfigs {} with every setting it has (variant getconfigs-many-keys), most of which
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
  const every = ctx.behaviour.management.getconfigs === 'every-setting';
  if (command !== 'getconfigs' || !every || Object.hasOwn(body, 'config_name')) {
    return result;
  }
  return { ...OTHER_SETTINGS, ...(result as Record<string, unknown>) };
}

/** Registers `POST /sophon/v2/face/<command>` for wipedata and the management commands. */
export function registerFaceApi(app: FastifyInstance, ctx: DeviceContext): void {
  // Every face command accepts application/json only (000_2427abba6c145ae1.txt, 错误码 1).
  const { behaviour } = ctx;
  const onRequest = contentTypeGuard(behaviour);
  app.post(WIPE_PATH, { onRequest }, (request, reply) => handleWipe(ctx, request, reply));
  // A firmware may route the path and never look at the method (fault any-method-wipes).
  const otherWipeMethods = behaviour.requests.wipeMethods.filter((method) => method !== 'POST');
  if (otherWipeMethods.length > 0) {
    app.route({
      method: otherWipeMethods,
      url: WIPE_PATH,
      onRequest,
      handler: (request, reply) => handleWipe(ctx, request, reply),
    });
  }
  const reading = behaviour.json;
  for (const [name, command] of Object.entries(COMMANDS)) {
    app.post(`${FACE_API}/${name}`, { onRequest }, async (request, reply) => {
      const body = jsonObjectBody(request, reading);
      const result = await command(ctx, pagedAsTheDeviceServes(ctx, name, body));
      return sendJson(reply, 200, withOtherSettings(ctx, name, body, result));
    });
  }
  // A firmware whose error path reloads the factory configuration (fault error-resets-settings).
  if (behaviour.wipe.errorResetsSettings) {
    app.addHook('onSend', async (request) => {
      if (answeredWithError.has(request) && request.url.split('?', 1)[0] === WIPE_PATH) {
        await ctx.store.commit((doc) => {
          doc.settings = defaultSettings();
        });
      }
    });
  }
  // A firmware whose error path also runs the post-wipe restart (fault reboots-after-error).
  if (behaviour.reboot.afterWipeError) {
    app.addHook('onSend', async (request, reply) => {
      if (answeredWithError.has(request) && request.url.split('?', 1)[0] === WIPE_PATH) {
        ctx.rebootAfterResponse(reply);
      }
    });
  }
}
