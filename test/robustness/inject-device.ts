// The reference device's HTTP side without sockets, for fast fuzzing with Fastify's inject: the same
// server, routes, faults and store as a booted device; a reboot is only counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { composeBehaviour } from '../../reference-device/compose-behaviour.ts';
import { registerFaceApi } from '../../reference-device/face-api.ts';
import { Faults } from '../../reference-device/faults.ts';
import { Store, type StoreDocument } from '../../reference-device/store.ts';
import { Variants } from '../../reference-device/variants.ts';
import { createVendorServer } from '../../reference-device/vendor-server.ts';
import { seedWith } from '../reference-device/device-harness.ts';

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
  const behaviour = composeBehaviour(Faults.parse(faults), Variants.parse([]));
  const app = createVendorServer(behaviour);
  registerFaceApi(app, {
    store,
    behaviour,
    wipeMs: 0,
    delay: async () => {},
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
  // The same fixture as the device tests' seedFixture, through inject.
  await seedWith((command, body) => call(app, command, body));
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
