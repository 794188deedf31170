import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KNOWN_FAULTS } from '../../reference-device/start-device.ts';
import {
  DEFAULT_SETTINGS,
  EMPTY_STATE,
  FAST,
  quiet,
  readState,
  SEEDED_STATE,
  seedFixture,
  send,
  startTestDevice,
  stopTestDevices,
  type TestDevice,
  wipe,
} from './device-harness.ts';

afterEach(stopTestDevices);

const USERS_GONE = { identities: 0, faces: 0, permissions: 0, mediaDevices: 0 };

async function seeded(fault: string, options: { bootMs?: number; rebootDelayMs?: number } = {}): Promise<TestDevice> {
  const device = await startTestDevice({ faults: [fault], ...options });
  await seedFixture(device);
  return device;
}

/** Waits out the window in which a reboot would start, then reports whether one did. */
async function rebootedWithinWindow(device: TestDevice): Promise<boolean> {
  await quiet(FAST.rebootDelayMs * 4);
  return device.reboots() > 0;
}

describe('the fault registry', () => {
  it('has exactly the documented names, each with a description', () => {
    expect(KNOWN_FAULTS.map((f) => f.name).sort()).toEqual(
      [
        'accepts-text-plain',
        'ok-on-malformed-json',
        'users-keeps-permissions',
        'reboots-before-answering',
        'never-reboots',
        'not-coming-back',
        'error-status-200',
        'result-false-200',
        'missing-args-wrong-code',
        'string-true-accepted',
        'events-deletes-identities',
        'all-keeps-settings',
        'wipe-not-persisted',
        'reboots-after-error',
        'partial-wipe-on-error',
        'error-resets-settings',
        'users-keeps-media-devices',
        'message-not-naming-missing',
        'false-flag-wipes',
        'any-method-wipes',
        'charset-refused',
        'non-object-missing-args',
        'empty-device-refused',
        'mq-reply-on-up-queue-despite-notify-path',
        'mq-no-reply',
        'mq-code-success',
        'mq-wrong-message-key',
        'mq-empty-license-key',
        'mq-license-key-changes-on-reboot',
        'mq-consumer-dies-on-poison',
        'mq-duplicate-executed-twice',
        'mq-reply-without-message-id',
        'mq-reply-after-reboot',
        'mq-reply-late',
        'mq-wipes-without-message-key',
        'mq-bad-flag-partial-wipe',
        'mq-message-key-loose',
        'mq-unreachable-notify-stops-consumer',
        'api-restart-only',
      ].sort(),
    );
    for (const fault of KNOWN_FAULTS) expect(fault.description.length).toBeGreaterThan(20);
  });

  it('every fault is documented in the README', () => {
    const readme = readFileSync(new URL('../../reference-device/README.md', import.meta.url), 'utf8');
    for (const fault of KNOWN_FAULTS) expect(readme).toContain(`| \`${fault.name}\` | ${fault.description} |`);
  });
});

describe('each fault does what its name says', () => {
  it('accepts-text-plain: text/plain is wiped like JSON', async () => {
    const device = await seeded('accepts-text-plain');
    const answer = await wipe(device, { events: true }, { contentType: 'text/plain' });
    expect(answer.status).toBe(200);
    await device.waitFor('ready', 2);
    expect((await readState(device)).events).toBe(0);
    // Other types are still refused.
    expect((await wipe(device, { events: true }, { contentType: 'application/xml' })).status).toBe(415);
  });

  it('ok-on-malformed-json: 200 {"result":true}, nothing wiped, no reboot', async () => {
    const device = await seeded('ok-on-malformed-json');
    const answer = await wipe(device, '{"users":tru');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: true });
    expect(await rebootedWithinWindow(device)).toBe(false);
    expect(await readState(device)).toEqual(SEEDED_STATE);
    // A JSON value that is not an object is still refused.
    expect((await wipe(device, '[]')).status).toBe(400);
  });

  it('users-keeps-permissions: identities and devices go, groups stay', async () => {
    const device = await seeded('users-keeps-permissions');
    await wipe(device, { users: true });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE, permissions: 2 });
  });

  it('users-keeps-media-devices: identities and groups go, devices stay', async () => {
    const device = await seeded('users-keeps-media-devices');
    await wipe(device, { all: true });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...EMPTY_STATE, mediaDevices: 2 });
  });

  it('reboots-before-answering: wiped, connection dropped without a response, reboot', async () => {
    const device = await seeded('reboots-before-answering');
    await expect(wipe(device, { events: true })).rejects.toThrow();
    await device.waitFor('ready', 2);
    expect((await readState(device)).events).toBe(0);
  });

  it('never-reboots: answers 200 {"result":true}, wipes, stays up', async () => {
    const device = await seeded('never-reboots');
    expect((await wipe(device, { events: true })).json).toEqual({ result: true });
    expect(await rebootedWithinWindow(device)).toBe(false);
    expect((await readState(device)).events).toBe(0);
  });

  it('not-coming-back: goes down and never listens again', async () => {
    const device = await seeded('not-coming-back');
    expect((await wipe(device, { events: true })).status).toBe(200);
    await device.waitFor('down', 1);
    await quiet(FAST.bootMs * 4);
    expect(device.events.map((e) => e.kind)).toEqual(['up', 'ready', 'down']);
    await expect(send(device.url, '/sophon/v2/face/getconfigs', { body: {} })).rejects.toThrow();
  });

  it('error-status-200: envelopes arrive with status 200, success is unchanged', async () => {
    const device = await seeded('error-status-200');
    const answer = await wipe(device, {});
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      error: { code: 'MISSING_ARGUMENTS', message: 'missing one of: users, events, all' },
    });
    expect((await send(device.url, '/nope', { body: {} })).status).toBe(200);
    expect(await rebootedWithinWindow(device)).toBe(false);
  });

  it('result-false-200: the wipe happens and reboots, but answers {"result":false}', async () => {
    const device = await seeded('result-false-200');
    const answer = await wipe(device, { events: true });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: false });
    await device.waitFor('ready', 2);
    expect((await readState(device)).events).toBe(0);
  });

  it('missing-args-wrong-code: {} is INVALID_ARGUMENTS', async () => {
    const device = await seeded('missing-args-wrong-code');
    const answer = await wipe(device, {});
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      error: { code: 'INVALID_ARGUMENTS', message: 'missing one of: users, events, all' },
    });
  });

  it('message-not-naming-missing: MISSING_ARGUMENTS with an empty message', async () => {
    const device = await seeded('message-not-naming-missing');
    expect((await wipe(device, {})).json).toEqual({ error: { code: 'MISSING_ARGUMENTS', message: '' } });
  });

  it('string-true-accepted: "true" wipes; other non-booleans are still refused', async () => {
    const device = await seeded('string-true-accepted');
    expect((await wipe(device, { events: 1 })).status).toBe(400);
    expect((await wipe(device, { events: 'true' })).json).toEqual({ result: true });
    await device.waitFor('ready', 2);
    expect((await readState(device)).events).toBe(0);
  });

  it('events-deletes-identities: an events wipe also empties the face library', async () => {
    const device = await seeded('events-deletes-identities');
    await wipe(device, { events: true });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, identities: 0, faces: 0, events: 0 });
  });

  it('all-keeps-settings: all wipes users and events but not the settings', async () => {
    const device = await seeded('all-keeps-settings');
    await wipe(device, { all: true });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...EMPTY_STATE, settings: SEEDED_STATE.settings });
  });

  it('wipe-not-persisted: gone until the reboot, back after it', async () => {
    // The state is read between the answer and the reboot: give that read time before the device goes down.
    const device = await seeded('wipe-not-persisted', { bootMs: 150, rebootDelayMs: 500 });
    expect((await wipe(device, { events: true })).json).toEqual({ result: true });
    expect((await readState(device)).events).toBe(0);
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual(SEEDED_STATE);
  });

  it('reboots-after-error: a refused wipedata request reboots the device, deleting nothing', async () => {
    const device = await seeded('reboots-after-error');
    expect((await wipe(device, { users: 'yes' })).status).toBe(400);
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual(SEEDED_STATE);
  });

  it('error-resets-settings: a refused wipedata request resets the settings, deletes nothing, no reboot', async () => {
    const device = await seeded('error-resets-settings');
    const answer = await wipe(device, { users: 'yes' });
    expect(answer.status).toBe(400);
    expect(await rebootedWithinWindow(device)).toBe(false);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, settings: { ...DEFAULT_SETTINGS } });
  });

  it('partial-wipe-on-error: the valid flag is applied, then INVALID_ARGUMENTS, no reboot', async () => {
    const device = await seeded('partial-wipe-on-error');
    const answer = await wipe(device, { events: 'yes', users: true });
    expect(answer.status).toBe(400);
    expect((answer.json as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENTS');
    expect(await rebootedWithinWindow(device)).toBe(false);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
  });
});
