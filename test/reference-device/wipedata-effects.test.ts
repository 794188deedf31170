import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  EMPTY_STATE,
  FAST,
  quiet,
  readState,
  SEEDED_STATE,
  type StateSummary,
  seedFixture,
  startTestDevice,
  stopTestDevices,
  wipe,
} from './device-harness.ts';

afterEach(stopTestDevices);

const USERS_GONE = { identities: 0, faces: 0, permissions: 0, mediaDevices: 0 };

const effects: [string, Record<string, unknown>, StateSummary][] = [
  // HTTP-6: faces, permission groups, input devices; records and settings stay.
  ['users', { users: true }, { ...SEEDED_STATE, ...USERS_GONE }],
  // HTTP-7: records only.
  ['events', { events: true }, { ...SEEDED_STATE, events: 0 }],
  // HTTP-8: users + events + settings to defaults.
  ['all', { all: true }, EMPTY_STATE],
  // HTTP-9: the union.
  ['users + events', { users: true, events: true }, { ...SEEDED_STATE, ...USERS_GONE, events: 0 }],
  ['events + all', { events: true, all: true }, EMPTY_STATE],
  ['users:false + events:true', { users: false, events: true }, { ...SEEDED_STATE, events: 0 }],
  ['all:false + users:true', { all: false, users: true }, { ...SEEDED_STATE, ...USERS_GONE }],
  // HTTP-16: unknown keys beside a valid flag are ignored.
  ['events + unknown keys', { events: true, reason: 'test', nested: { all: true } }, { ...SEEDED_STATE, events: 0 }],
];

/** The store file on disk, read directly: what a crash right now would leave. */
function storeOnDisk(dataDir: string): { identities: unknown[]; permissions: unknown[]; events: unknown[] } {
  return JSON.parse(readFileSync(join(dataDir, 'store.json'), 'utf8'));
}

describe('wipedata effects per category, across the reboot (HTTP-6..9, HTTP-11..13, HTTP-16)', () => {
  it.each(effects)('%s', async (_name, body, expected) => {
    const device = await startTestDevice();
    await seedFixture(device);
    expect(await readState(device)).toEqual(SEEDED_STATE);
    const answer = await wipe(device, body);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.json).toEqual({ result: true });
    // HTTP-12: synchronous and persisted: the file already says so when the answer arrives.
    const disk = storeOnDisk(device.dataDir);
    expect(disk.identities.length).toBe(expected.identities);
    expect(disk.permissions.length).toBe(expected.permissions);
    expect(disk.events.length).toBe(expected.events);
    // HTTP-13: it reboots, comes back, and the state read from disk is the wiped one.
    await device.waitFor('ready', 2);
    expect(device.reboots()).toBe(1);
    expect(await readState(device)).toEqual(expected);
  });

  it('all restores every setting to its default', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    await wipe(device, { all: true });
    await device.waitFor('ready', 2);
    expect((await readState(device)).settings).toEqual(DEFAULT_SETTINGS);
  });

  it('all flags false: 200 {"result":true}, nothing deleted, no reboot (HTTP-10)', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    const answer = await wipe(device, { users: false, events: false, all: false });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: true });
    await quiet(FAST.rebootDelayMs * 3);
    expect(device.reboots()).toBe(0);
    expect(await readState(device)).toEqual(SEEDED_STATE);
  });

  it('wiping an empty device succeeds and reboots (HTTP-15)', async () => {
    const device = await startTestDevice();
    const answer = await wipe(device, { all: true });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: true });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual(EMPTY_STATE);
  });

  it.each([
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'Application/Json;charset=UTF-8',
    ' application/json ',
  ])('accepts Content-Type %j (HTTP-2)', async (contentType) => {
    const device = await startTestDevice();
    await seedFixture(device);
    const answer = await wipe(device, { events: true }, { contentType });
    expect(answer.status).toBe(200);
    await device.waitFor('ready', 2);
    expect((await readState(device)).events).toBe(0);
  });

  it('a second wipe after the reboot works again', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    await wipe(device, { events: true });
    await device.waitFor('ready', 2);
    expect((await wipe(device, { users: true })).json).toEqual({ result: true });
    await device.waitFor('ready', 3);
    expect(device.reboots()).toBe(2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE, events: 0 });
  });
});
