import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevice } from '../../reference-device/start-device.ts';
import {
  EMPTY_STATE,
  quiet,
  readState,
  SEEDED_STATE,
  seedFixture,
  stopTestDevices,
  type TestDevice,
  wipe,
} from './device-harness.ts';
import {
  BROKER_URL,
  BrokerProxy,
  type CallbackReceiver,
  MqProbe,
  type MqSetup,
  startCallbackReceiver,
  startMqDevice,
  stopMqProbes,
} from './mq-harness.ts';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Devices first, so none declares its queues again after they are deleted.
  await stopTestDevices();
  await stopMqProbes();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(): Promise<CallbackReceiver> {
  const callback = await startCallbackReceiver();
  cleanups.push(() => callback.close());
  return callback;
}

async function seededMq(faults: string[] = []): Promise<MqSetup> {
  const setup = await startMqDevice({ faults });
  await seedFixture(setup.device);
  return setup;
}

/** Waits out the window in which a reboot would start, then reports whether one (more than `before`) did. */
async function rebootedWithinWindow(device: TestDevice, before = 0): Promise<boolean> {
  await quiet(150);
  return device.reboots() > before;
}

const USERS_GONE = { identities: 0, faces: 0, permissions: 0, mediaDevices: 0 };
// A port nothing listens on: connections are refused at once.
const UNREACHABLE = 'http://127.0.0.1:1/sophon/result';

describe('queues', () => {
  it('declares the command queue with dead-lettering, its dead-letter queue, and the up queue without arguments', async () => {
    const { mq } = await startMqDevice();
    const deadLettering = {
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': `${mq.commandQueue}.dead`,
    };
    const channel = await mq.scratchChannel();
    // Declaring again with the same settings is accepted only if they are exactly the device's.
    await channel.assertQueue(mq.commandQueue, { durable: true, arguments: deadLettering });
    await channel.assertQueue(`${mq.commandQueue}.dead`, { durable: true });
    await channel.assertQueue(mq.upQueue, { durable: true });
    expect((await channel.checkQueue(mq.commandQueue)).consumerCount).toBe(1);
    await channel.close();
    const mismatch = await mq.scratchChannel();
    await expect(mismatch.assertQueue(mq.commandQueue, { durable: true })).rejects.toThrow(/PRECONDITION/);
  });

  it('startDevice resolves only once the consumer consumes; close() stops it', async () => {
    const { device, mq } = await startMqDevice();
    const channel = await mq.scratchChannel();
    expect((await channel.checkQueue(mq.commandQueue)).consumerCount).toBe(1);
    await device.close();
    expect((await channel.checkQueue(mq.commandQueue)).consumerCount).toBe(0);
    await channel.close();
  });
});

describe('refused commands: a failure reply on the up queue, nothing deleted, no reboot', () => {
  it('answers each error class with its code, echoing message_key, message_id and the correlation id', async () => {
    const { device, mq } = await seededMq();
    const licenseKey = device.licenseKey;
    const cases: { body: unknown; code: string; key: string; id?: string; message?: RegExp }[] = [
      { body: '{"message_key":"wipedata","users":tr', code: 'INVALID_REQUEST_JSON', key: '', message: /invalid JSON/ },
      { body: '[{"message_key":"wipedata","users":true}]', code: 'INVALID_REQUEST_JSON', key: '', message: /array/ },
      { body: '', code: 'INVALID_REQUEST_JSON', key: '', message: /empty message/ },
      { body: '"wipedata"', code: 'INVALID_REQUEST_JSON', key: '' },
      { body: Buffer.from('/wD+AYCBgoM=', 'base64'), code: 'INVALID_REQUEST_JSON', key: '', message: /UTF-8/ },
      {
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"message_key":"wipedata","users":true}')]),
        code: 'INVALID_REQUEST_JSON',
        key: 'wipedata',
        message: /byte order mark/,
      },
      {
        body: '{"message_key":"wipedata","message_id":"dup-1","users":true,"users":false}',
        code: 'INVALID_REQUEST_JSON',
        key: 'wipedata',
        id: 'dup-1',
        message: /duplicate key "users"/,
      },
      {
        body: { message_id: 'm-1', users: true },
        code: 'MISSING_ARGUMENTS',
        key: '',
        id: 'm-1',
        message: /message_key/,
      },
      {
        body: { message_key: 'wipedatas', message_id: 'm-2', users: true },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedatas',
        id: 'm-2',
        message: /unknown message_key "wipedatas"/,
      },
      {
        body: { message_key: 'WipeData', users: true },
        code: 'INVALID_ARGUMENTS',
        key: 'WipeData',
        message: /unknown message_key/,
      },
      { body: { message_key: 42, users: true }, code: 'INVALID_ARGUMENTS', key: '', message: /unknown message_key 42/ },
      {
        body: { message_key: 'wipedata', message_id: 'm-3' },
        code: 'MISSING_ARGUMENTS',
        key: 'wipedata',
        id: 'm-3',
        message: /missing one of: users, events, all/,
      },
      {
        body: { message_key: 'wipedata', users: 'true' },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedata',
        message: /users: "true"/,
      },
      {
        body: { message_key: 'wipedata', events: 1 },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedata',
        message: /events: 1/,
      },
      {
        body: { message_key: 'wipedata', all: null },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedata',
        message: /all: null/,
      },
      {
        body: { message_key: 'wipedata', message_id: 'm-4', users: true, events: 'yes' },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedata',
        id: 'm-4',
        message: /events: "yes"/,
      },
      {
        body: { message_key: 'wipedata', users: true, notify_path: 7 },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedata',
        message: /notify_path: 7/,
      },
      {
        body: { message_key: 'wipedata', users: true, message_id: { nested: true } },
        code: 'INVALID_ARGUMENTS',
        key: 'wipedata',
        message: /message_id/,
      },
    ];
    for (const [i, c] of cases.entries()) {
      const correlationId = `case-${i}`;
      const reply = await mq.roundTrip(c.body, { correlationId });
      const label = `${i}: ${typeof c.body === 'string' ? c.body : JSON.stringify(c.body)}`;
      expect(reply.json, label).toMatchObject({
        result: false,
        code: c.code,
        mq_license_key: licenseKey,
        message_key: c.key,
        ext_data: c.id === undefined ? {} : { message_id: c.id },
      });
      expect(reply.json.message_id, label).toBe(c.id);
      expect(typeof reply.json.message, label).toBe('string');
      if (c.message) expect(reply.json.message, label).toMatch(c.message);
      expect(reply.properties.correlationId, label).toBe(correlationId);
      expect(reply.properties.contentType, label).toBe('application/json');
      expect(reply.properties.deliveryMode, label).toBe(2);
    }
    expect(await readState(device)).toEqual(SEEDED_STATE);
    expect(await rebootedWithinWindow(device)).toBe(false);
    // The seven INVALID_REQUEST_JSON messages were rejected without requeue: dead-lettered.
    const dead = await mq.deadLetters(7);
    expect(dead).toHaveLength(7);
    expect(dead[0]?.toString()).toBe('{"message_key":"wipedata","users":tr');
  });

  it('a 2 MB message with a bad flag deletes nothing and the consumer goes on', async () => {
    const { device, mq } = await seededMq();
    const big = { message_key: 'wipedata', users: 'not-a-boolean', padding: 'x'.repeat(2_000_000) };
    expect((await mq.roundTrip(big)).json).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    const reply = await mq.roundTrip({ message_key: 'wipedata', events: true });
    expect(reply.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS' });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, events: 0 });
  });
});

describe('executed commands', () => {
  it('users: true wipes, replies the success envelope on the up queue before going down, then reboots', async () => {
    const { device, mq } = await seededMq();
    const messageId = randomUUID();
    const reply = await mq.roundTrip(
      { message_key: 'wipedata', message_id: messageId, users: true },
      { correlationId: 'corr-1' },
    );
    expect(reply.json).toEqual({
      result: true,
      code: 'EXECUTE_SUCCESS',
      message: 'execute success',
      mq_license_key: device.licenseKey,
      message_key: 'wipedata',
      message_id: messageId,
      ext_data: { message_id: messageId },
    });
    expect(reply.properties.correlationId).toBe('corr-1');
    expect(reply.properties.contentType).toBe('application/json');
    expect(reply.properties.deliveryMode).toBe(2);
    const down = await device.waitFor('down', 1);
    expect(reply.hr).toBeLessThan(down.hr);
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
    expect(device.reboots()).toBe(1);
  });

  it('all: true restores the settings too; without message_id the reply has none', async () => {
    const { device, mq } = await seededMq();
    const reply = await mq.roundTrip({ message_key: 'wipedata', all: true });
    expect(reply.json).toEqual({
      result: true,
      code: 'EXECUTE_SUCCESS',
      message: 'execute success',
      mq_license_key: device.licenseKey,
      message_key: 'wipedata',
      ext_data: {},
    });
    expect(reply.properties.correlationId).toBeUndefined();
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual(EMPTY_STATE);
  });

  it('all flags false: result true, nothing deleted, no reboot', async () => {
    const { device, mq } = await seededMq();
    const reply = await mq.roundTrip({ message_key: 'wipedata', users: false, events: false, all: false });
    expect(reply.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS', message_key: 'wipedata' });
    expect(await rebootedWithinWindow(device)).toBe(false);
    expect(await readState(device)).toEqual(SEEDED_STATE);
  });

  it('the consumer goes down with the device and a command queued meanwhile is executed after the boot', async () => {
    const { device, mq } = await seededMq();
    await mq.publish({ message_key: 'wipedata', users: true });
    await mq.publish({ message_key: 'wipedata', message_id: 'second', events: true });
    const first = await mq.nextReply();
    const second = await mq.nextReply();
    await device.waitFor('ready', 2);
    expect(first.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS' });
    expect(second.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS', message_id: 'second' });
    const down = device.events.filter((e) => e.kind === 'down');
    expect(first.hr).toBeLessThan(down[0]?.hr ?? 0n);
    // The second command waited in the broker while the device was down.
    expect(second.hr).toBeGreaterThan(device.events.filter((e) => e.kind === 'up')[1]?.hr ?? 0n);
    await device.waitFor('ready', 3);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE, events: 0 });
    expect(device.reboots()).toBe(2);
  });

  it('an HTTP wipe takes the consumer down too; it is back when the device is ready', async () => {
    const { device, mq } = await seededMq();
    expect((await wipe(device, { events: true })).status).toBe(200);
    await device.waitFor('down', 1);
    const channel = await mq.scratchChannel();
    expect((await channel.checkQueue(mq.commandQueue)).consumerCount).toBe(0);
    await device.waitFor('ready', 2);
    expect((await channel.checkQueue(mq.commandQueue)).consumerCount).toBe(1);
    await channel.close();
    expect((await mq.roundTrip({ message_key: 'wipedata', users: false })).json).toMatchObject({ result: true });
  });

  it('the same message_id twice is executed once: the second gets the same reply, deletes nothing, no reboot', async () => {
    const { device, mq } = await seededMq();
    const messageId = randomUUID();
    const command = { message_key: 'wipedata', message_id: messageId, users: true };
    const first = await mq.roundTrip(command);
    await device.waitFor('ready', 2);
    await seedFixture(device);
    const second = await mq.roundTrip(command);
    expect(second.json).toEqual(first.json);
    expect(await rebootedWithinWindow(device, 1)).toBe(false);
    expect(device.reboots()).toBe(1);
    expect(await readState(device)).toMatchObject({ identities: 2, permissions: 2, mediaDevices: 2 });
  });

  it('message_ids are remembered across reboots (they are in the store)', async () => {
    const { device, mq } = await seededMq();
    await mq.roundTrip({ message_key: 'wipedata', message_id: 'kept', events: true });
    await device.waitFor('ready', 2);
    await mq.roundTrip({ message_key: 'wipedata', message_id: 'other', users: true });
    await device.waitFor('ready', 3);
    await seedFixture(device);
    expect((await mq.roundTrip({ message_key: 'wipedata', message_id: 'kept', all: true })).json).toMatchObject({
      result: true,
    });
    expect(await rebootedWithinWindow(device, 2)).toBe(false);
    expect((await readState(device)).identities).toBe(2);
  });
});

describe('notify_path', () => {
  it('the reply is POSTed as JSON to notify_path and nothing is published on the up queue', async () => {
    const { device, mq } = await seededMq();
    const callback = await receiver();
    const messageId = randomUUID();
    await mq.publish({ message_key: 'wipedata', message_id: messageId, users: true, notify_path: callback.url });
    const call = await callback.next();
    expect(call.contentType).toBe('application/json');
    expect(call.body).toEqual({
      result: true,
      code: 'EXECUTE_SUCCESS',
      message: 'execute success',
      mq_license_key: device.licenseKey,
      message_key: 'wipedata',
      message_id: messageId,
      ext_data: { message_id: messageId },
    });
    const down = await device.waitFor('down', 1);
    expect(call.hr).toBeLessThan(down.hr);
    await device.waitFor('ready', 2);
    // A refusal with a notify_path goes there too.
    await mq.publish({ message_key: 'wipedata', users: 'probe', notify_path: callback.url });
    expect((await callback.next()).body).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    await quiet(100);
    expect(mq.replies).toHaveLength(0);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
  });

  it('an unreachable notify_path: the wipe happens, nothing is published elsewhere, the consumer goes on', async () => {
    const { device, mq } = await seededMq();
    await mq.publish({ message_key: 'wipedata', users: 'probe', notify_path: UNREACHABLE });
    await mq.publish({ message_key: 'wipedata', message_id: 'wipe', users: true, notify_path: UNREACHABLE });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
    // A relative notify_path cannot be resolved: treated as unreachable as well.
    await mq.publish({ message_key: 'wipedata', users: 'probe', notify_path: '/getResult' });
    const next = await mq.roundTrip({ message_key: 'wipedata', message_id: 'after', events: true });
    expect(next.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS', message_id: 'after' });
    expect(mq.replies).toHaveLength(1);
    await device.waitFor('ready', 3);
    expect((await readState(device)).events).toBe(0);
  });
});

describe('malformed messages never stop the consumer (MQ-9)', () => {
  it('poison, then a valid command: both answered, the valid one executed', async () => {
    const { device, mq } = await seededMq();
    await mq.publish('{"message_key":"wipedata","users":tr');
    await mq.publish({ message_key: 42, message_id: { nested: true }, users: [true], notify_path: 7 });
    await mq.publish({ message_key: 'wipedata', message_id: 'valid', events: true });
    expect((await mq.nextReply()).json).toMatchObject({ result: false, code: 'INVALID_REQUEST_JSON' });
    expect((await mq.nextReply()).json).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    expect((await mq.nextReply()).json).toMatchObject({ result: true, message_id: 'valid' });
    await device.waitFor('ready', 2);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, events: 0 });
  });
});

describe('the broker connection', () => {
  it('startDevice fails clearly when the broker cannot be reached, naming the URL without its password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-refdev-test-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const error = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir,
      amqp: { url: 'amqp://guest:s3cret@127.0.0.1:1/', ...MqProbe.queueNames() },
    }).then(
      async (device) => {
        await device.close();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/cannot start the MQ consumer on amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/);
    expect(error?.message).toMatch(/ECONNREFUSED/);
    expect(error?.message).not.toContain('s3cret');
  });

  it('refuses bad amqp options by name', async () => {
    const base = { dataDir: '/nonexistent-never-created', port: 0, systemPort: 0 };
    const queues = { commandQueue: 'sc-test-a', upQueue: 'sc-test-b' };
    await expect(startDevice({ ...base, amqp: { url: 'http://x', ...queues } })).rejects.toThrow(/amqp:\/\//);
    await expect(startDevice({ ...base, amqp: { url: BROKER_URL, commandQueue: '', upQueue: 'b' } })).rejects.toThrow(
      /amqp\.commandQueue/,
    );
    await expect(startDevice({ ...base, amqp: { url: BROKER_URL, commandQueue: 'a', upQueue: 'a' } })).rejects.toThrow(
      /both "a"/,
    );
    await expect(
      startDevice({ ...base, amqp: { url: BROKER_URL, commandQueue: 'a', upQueue: 'a.dead' } }),
    ).rejects.toThrow(/dead-letter/);
    await expect(startDevice({ ...base, amqp: { url: BROKER_URL, ...queues, prefetch: 0 } })).rejects.toThrow(
      /prefetch/,
    );
  });

  it('a lost connection is reopened with backoff and commands go on', async () => {
    const proxy = await BrokerProxy.start();
    cleanups.push(() => proxy.close());
    const { device, mq } = await startMqDevice({ url: proxy.url });
    await seedFixture(device);
    proxy.dropAll();
    const reply = await mq.roundTrip({ message_key: 'wipedata', message_id: 'after-drop', events: true });
    expect(reply.json).toMatchObject({ result: true, message_id: 'after-drop' });
    await device.waitFor('ready', 2);
    expect((await readState(device)).events).toBe(0);
  });

  it('a broker unreachable after a reboot: the device is ready anyway and the consumer joins when it is back', async () => {
    const proxy = await BrokerProxy.start();
    cleanups.push(() => proxy.close());
    const { device, mq } = await startMqDevice({ url: proxy.url });
    proxy.pause();
    expect((await wipe(device, { events: true })).status).toBe(200);
    await device.waitFor('ready', 2);
    await mq.publish({ message_key: 'wipedata', message_id: 'waiting', users: false });
    await quiet(200);
    expect(mq.replies).toHaveLength(0);
    proxy.resume();
    expect((await mq.nextReply(8_000)).json).toMatchObject({ result: true, message_id: 'waiting' });
  });

  it('a deleted command queue is declared again and consumed', async () => {
    const { mq } = await startMqDevice();
    const channel = await mq.scratchChannel();
    await channel.deleteQueue(mq.commandQueue);
    await channel.close();
    let consumers = 0;
    for (let i = 0; i < 100 && consumers === 0; i++) {
      await quiet(20);
      // A passive declare of a missing queue closes its channel: one channel per look.
      const look = await mq.scratchChannel();
      consumers = await look.checkQueue(mq.commandQueue).then(
        (q) => q.consumerCount,
        () => 0,
      );
      await look.close().catch(() => {});
    }
    expect(consumers).toBe(1);
    expect((await mq.roundTrip({ message_key: 'wipedata', users: false })).json).toMatchObject({ result: true });
  });
});

describe('MQ faults show their defect', () => {
  it('mq-reply-on-up-queue-despite-notify-path: the reply is on the up queue, the callback gets nothing', async () => {
    const { mq } = await seededMq(['mq-reply-on-up-queue-despite-notify-path']);
    const callback = await receiver();
    const reply = await mq.roundTrip({ message_key: 'wipedata', users: 'probe', notify_path: callback.url });
    expect(reply.json).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    await quiet(100);
    expect(callback.calls).toHaveLength(0);
  });

  it('mq-no-reply: the wipe runs and the device reboots, but no reply ever comes', async () => {
    const { device, mq } = await seededMq(['mq-no-reply']);
    await mq.publish({ message_key: 'wipedata', message_id: randomUUID(), users: true });
    await device.waitFor('ready', 2);
    await quiet(100);
    expect(mq.replies).toHaveLength(0);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
  });

  it('mq-code-success: success is code "SUCCESS"', async () => {
    const { mq } = await seededMq(['mq-code-success']);
    expect((await mq.roundTrip({ message_key: 'wipedata', events: true })).json).toMatchObject({
      result: true,
      code: 'SUCCESS',
    });
  });

  it('mq-wrong-message-key: replies say message_key "wipeData"', async () => {
    const { mq } = await seededMq(['mq-wrong-message-key']);
    expect((await mq.roundTrip({ message_key: 'wipedata', events: true })).json).toMatchObject({
      result: true,
      code: 'EXECUTE_SUCCESS',
      message_key: 'wipeData',
    });
  });

  it('mq-empty-license-key: mq_license_key is ""', async () => {
    const { device, mq } = await seededMq(['mq-empty-license-key']);
    expect(device.licenseKey).not.toBe('');
    expect((await mq.roundTrip({ message_key: 'wipedata', users: 'probe' })).json).toMatchObject({
      mq_license_key: '',
    });
  });

  it('mq-reply-without-message-id: the reply echoes no message_id, at the top or in ext_data', async () => {
    const { mq } = await seededMq(['mq-reply-without-message-id']);
    const reply = await mq.roundTrip({ message_key: 'wipedata', message_id: 'm-1', users: 'probe' });
    expect(reply.json).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    expect(reply.json).not.toHaveProperty('message_id');
    expect(reply.json.ext_data).toEqual({});
  });

  it('mq-license-key-changes-on-reboot: each boot replies with another key', async () => {
    const { device, mq } = await seededMq(['mq-license-key-changes-on-reboot']);
    const first = await mq.roundTrip({ message_key: 'wipedata', events: true });
    expect(first.json.mq_license_key).toBe(device.licenseKey);
    await device.waitFor('ready', 2);
    const second = await mq.roundTrip({ message_key: 'wipedata', users: 'probe' });
    expect(second.json.mq_license_key).not.toBe(device.licenseKey);
    expect(second.json.mq_license_key).toMatch(/^[0-9a-f]{32}$/);
  });

  it('mq-consumer-dies-on-poison: after a non-JSON message nothing is consumed until the next reboot', async () => {
    const { device, mq } = await seededMq(['mq-consumer-dies-on-poison']);
    expect((await mq.roundTrip('not json')).json).toMatchObject({ code: 'INVALID_REQUEST_JSON' });
    await mq.publish({ message_key: 'wipedata', message_id: 'stuck', events: true });
    await quiet(300);
    expect(mq.untaken()).toBe(0);
    expect((await readState(device)).events).toBe(2);
    // An HTTP wipe reboots the device: the waiting command is consumed after the boot.
    expect((await wipe(device, { users: false, events: false, all: true })).status).toBe(200);
    expect((await mq.nextReply()).json).toMatchObject({ result: true, message_id: 'stuck' });
  });

  it('mq-duplicate-executed-twice: the same message_id wipes (and reboots) again', async () => {
    const { device, mq } = await seededMq(['mq-duplicate-executed-twice']);
    const command = { message_key: 'wipedata', message_id: randomUUID(), users: true };
    await mq.roundTrip(command);
    await device.waitFor('ready', 2);
    await seedFixture(device);
    await mq.roundTrip(command);
    await device.waitFor('ready', 3);
    expect(device.reboots()).toBe(2);
    expect((await readState(device)).identities).toBe(0);
  });

  it('mq-reply-after-reboot: the reply comes only after the device was down and back', async () => {
    const { device, mq } = await seededMq(['mq-reply-after-reboot']);
    await mq.publish({ message_key: 'wipedata', message_id: 'late', users: true });
    const reply = await mq.nextReply();
    expect(reply.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS', message_id: 'late' });
    const up = device.events.filter((e) => e.kind === 'up')[1];
    expect(up).toBeDefined();
    expect(reply.hr).toBeGreaterThan(up?.hr ?? 0n);
    expect(mq.untaken()).toBe(0);
  });

  it('mq-reply-late: the wipe is done but the reply (and the reboot) are still pending a second later', async () => {
    const { device, mq } = await seededMq(['mq-reply-late']);
    await mq.publish({ message_key: 'wipedata', users: true });
    await quiet(1_000);
    expect(mq.replies).toHaveLength(0);
    expect(device.reboots()).toBe(0);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
    // close() does not wait the 15 s out.
    const started = Date.now();
    await device.close();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('mq-wipes-without-message-key: flags without message_key are executed', async () => {
    const { device, mq } = await seededMq(['mq-wipes-without-message-key']);
    const reply = await mq.roundTrip({ users: true });
    expect(reply.json).toMatchObject({ result: true, code: 'EXECUTE_SUCCESS', message_key: 'wipedata' });
    await device.waitFor('ready', 2);
    expect((await readState(device)).identities).toBe(0);
    // Without flags it is still refused.
    expect((await mq.roundTrip({ message_id: 'x' })).json).toMatchObject({ code: 'MISSING_ARGUMENTS' });
  });

  it('mq-bad-flag-partial-wipe: users beside an invalid flag deletes users, then replies the failure', async () => {
    const { device, mq } = await seededMq(['mq-bad-flag-partial-wipe']);
    const reply = await mq.roundTrip({ message_key: 'wipedata', users: true, events: 'yes' });
    expect(reply.json).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    expect(await rebootedWithinWindow(device)).toBe(false);
    expect(await readState(device)).toEqual({ ...SEEDED_STATE, ...USERS_GONE });
  });
});
