// The reference device's HTTP side without sockets, for fast fuzzing with Fastify's inject: the same
// server, routes, faults and store as a booted device; a reboot is only counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { registerFaceApi } from '../../reference-device/face-api.ts';
import { Faults } from '../../reference-device/faults.ts';
import { Store, type StoreDocument } from '../../reference-device/store.ts';
import { createVendorServer } from '../../reference-device/vendor-server.ts';
import { feature, SEEDED_SETTINGS } from '../reference-device/device-harness.ts';

export interface InjectDevice {
  app: FastifyInstance;
  store: Store;
  /** Reboots the routes asked for so far. */
  reboots(): number;
  /** The store as it is now, as one string to compare. */
  snapshot(): string;
  /** Puts the seeded state back (after a wipe the fuzz let through). */
  reseed(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the API routes on a fresh store and seeds every category through the management API. */
export async function startInjectDevice(faults: string[] = []): Promise<InjectDevice> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-fuzz-'));
  const store = await Store.open(dataDir);
  let reboots = 0;
  const app = createVendorServer(Faults.parse(faults));
  registerFaceApi(app, {
    store,
    faults: Faults.parse(faults),
    bootedAt: performance.now(),
    isInitializing: () => false,
    rebootAfterResponse: () => {
      reboots++;
    },
    rebootNow: () => {
      reboots++;
    },
  });
  await app.ready();
  await seedThroughApi(app);
  const seeded: StoreDocument = structuredClone(store.state);
  return {
    app,
    store,
    reboots: () => reboots,
    snapshot: () => JSON.stringify(store.state),
    reseed: () =>
      store.commit((doc) => {
        Object.assign(doc, structuredClone(seeded));
      }),
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function call(app: FastifyInstance, command: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await app.inject({
    method: 'POST',
    url: `/sophon/v2/face/${command}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  if (response.statusCode !== 200) throw new Error(`${command}: ${response.statusCode} ${response.body}`);
  return response.json() as Record<string, unknown>;
}

// The same fixture as the device tests' seedFixture: groups, identities with faces, two inputs (the
// file input records one event per identity), non-default settings.
async function seedThroughApi(app: FastifyInstance): Promise<void> {
  const groups = [];
  for (const name of ['staff', 'visitors']) groups.push(await call(app, 'createpermission', { permission_name: name }));
  for (const [i, name] of ['alice', 'bob'].entries()) {
    await call(app, 'createidentity', {
      identity_name: name,
      register_feature: feature(i + 1),
      permission_ids: groups.map((group) => group.permission_id),
    });
  }
  await call(app, 'addmediadevice', {
    media_device_name: 'gate camera',
    media_device_type: 'rtsp',
    media_device_url: 'rtsp://10.0.0.9:554/stream1',
  });
  await call(app, 'addmediadevice', {
    media_device_name: 'face video',
    media_device_type: 'file',
    media_device_url: 'file:///videos/faces.mp4',
  });
  await call(app, 'setconfigs', { config_dict: SEEDED_SETTINGS });
}
