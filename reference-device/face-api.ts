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
  for (const [name, command] of Object.entries(COMMANDS)) {
    app.post(`${FACE_API}/${name}`, { onRequest }, async (request, reply) => {
      const result = await command(ctx, jsonObjectBody(request));
      return sendJson(reply, 200, result);
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
