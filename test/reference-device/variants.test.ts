import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KNOWN_FAULTS } from '../../reference-device/faults.ts';
import { recogniseContinuously } from '../../reference-device/recognition.ts';
import { Store } from '../../reference-device/store.ts';
import { COMBINED_VARIANTS, KNOWN_VARIANTS, type VariantName, Variants } from '../../reference-device/variants.ts';
import { matchesId } from '../../src/plan/match-id.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';
import {
  face,
  quiet,
  type SendOptions,
  seedFixture,
  send,
  startTestDevice,
  stopTestDevices,
  type TestDevice,
  wipe,
} from './device-harness.ts';
import { BROKER_URL, MqProbe, startCallbackReceiver, startMqDevice, stopMqProbes } from './mq-harness.ts';

// Each variant must really behave otherwise than the default device (a variant that changed nothing would make
// the allowed-behaviour matrix prove nothing), and the table must cover the documents' open points.

const ROOT = new URL('../..', import.meta.url).pathname;
const FAST_TIMING = { wipeMs: 300, shutdownMs: 300, initMs: 300, bootMs: 300 };

afterEach(async () => {
  await stopTestDevices();
  await stopMqProbes();
});

const device = (variant: VariantName, more: Partial<Parameters<typeof startTestDevice>[0]> = {}) =>
  startTestDevice({ variants: [variant], variantTiming: FAST_TIMING, ...more });

const wipedata = (d: TestDevice, options: SendOptions) => send(d.url, '/sophon/v2/face/wipedata', options);
const errorOf = (json: unknown) => (json as { error: { code: string; message: string } }).error;

describe('the variant table', () => {
  it('holds at least 25 variants, each named once, each citing a clause of the catalogue', () => {
    const clauses = new Set(
      (parse(readFileSync(`${ROOT}specs/clauses.yaml`, 'utf8')) as { clauses: { id: string }[] }).clauses.map(
        (c) => c.id,
      ),
    );
    expect(KNOWN_VARIANTS.length).toBeGreaterThanOrEqual(25);
    expect(new Set(KNOWN_VARIANTS.map((v) => v.name)).size).toBe(KNOWN_VARIANTS.length);
    for (const v of KNOWN_VARIANTS) expect(clauses, v.name).toContain(v.clause);
    // A variant is an allowed behaviour, a fault a defect: never both names.
    const faults = new Set<string>(KNOWN_FAULTS.map((f) => f.name));
    expect(KNOWN_VARIANTS.filter((v) => faults.has(v.name))).toEqual([]);
  });

  it('covers every SHOULD clause and every clause with an open point, but the ones no case can tell apart', () => {
    const catalogue = parse(readFileSync(`${ROOT}specs/clauses.yaml`, 'utf8')) as {
      clauses: { id: string; level: string; decision?: string }[];
    };
    const covered = new Set<string>(KNOWN_VARIANTS.map((v) => v.clause));
    // HTTP-1: path spellings are untested on purpose; HTTP-2: its decision leaves no second reading a case can
    // see; HTTP-15: succeeding is the only reading of 清空 on an empty device; MQ-6: the other reading is lenient.
    const noSecondReading = new Set(['HTTP-1', 'HTTP-2', 'HTTP-15', 'MQ-6']);
    const open = catalogue.clauses.filter((c) => (c.level === 'SHOULD' || c.decision) && !noSecondReading.has(c.id));
    expect(open.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('declares warnings only on cases of the suite that exist', () => {
    const ids = loadSpecs(ROOT).cases.map((c) => c.spec.id);
    for (const v of KNOWN_VARIANTS) {
      for (const pattern of 'departs' in v ? v.departs : []) {
        expect(
          ids.some((id) => matchesId(id, pattern)),
          `${v.name}: ${pattern}`,
        ).toBe(true);
      }
    }
  });

  it('documents every variant in the reference device README', () => {
    const readme = readFileSync(`${ROOT}reference-device/README.md`, 'utf8');
    for (const v of KNOWN_VARIANTS) expect(readme).toContain(`| \`${v.name}\` | ${v.clause} | ${v.description} |`);
  });

  it('combines the first variant of each dimension, and refuses two alternatives or an unknown name', () => {
    const dimensions = new Set(KNOWN_VARIANTS.map((v) => v.dimension));
    expect(COMBINED_VARIANTS.length).toBe(dimensions.size);
    expect(() => Variants.parse([...COMBINED_VARIANTS])).not.toThrow();
    expect(() => Variants.parse(['client-errors-422', 'client-errors-400'])).toThrow(/alternatives/);
    expect(() => Variants.parse(['no-such-variant'])).toThrow(/unknown variant "no-such-variant"; known variants: /);
  });
});

describe('each HTTP variant shows its behaviour (and the default device does not)', () => {
  it('charset-in-answers, connection-close and chunked-answers label and frame every answer', async () => {
    const plain = await face(await startTestDevice(), 'getconfigs');
    for (const [variant, header, value] of [
      ['charset-in-answers', 'content-type', 'application/json; charset=utf-8'],
      ['connection-close', 'connection', 'close'],
      ['chunked-answers', 'transfer-encoding', 'chunked'],
    ] as const) {
      const d = await device(variant);
      const answer = await send(d.url, '/sophon/v2/face/getconfigs', { body: {} });
      expect(answer.headers[header], variant).toBe(value);
      expect(answer.json, variant).toEqual(plain);
    }
    const chunked = await wipe(await device('chunked-answers'), { users: true });
    expect(chunked).toMatchObject({ status: 200, json: { result: true } });
  });

  it('success-extra-fields answers a wipe with a message beside result', async () => {
    expect((await wipe(await device('success-extra-fields'), { events: true })).json).toEqual({
      result: true,
      message: 'success',
    });
  });

  it('bom-accepted and duplicate-keys-last-wins read the open points of RFC 8259 the other way', async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"events":true}')]);
    expect((await wipedata(await startTestDevice(), { body: bom })).status).toBe(400);
    expect((await wipedata(await device('bom-accepted'), { body: bom })).status).toBe(200);
    const twice = '{"events":false,"events":true}';
    expect((await wipedata(await startTestDevice(), { body: twice })).status).toBe(400);
    expect((await wipedata(await device('duplicate-keys-last-wins'), { body: twice })).status).toBe(200);
  });

  it('the family code EMPTY_REQUEST_JSON for an empty body and an empty object', async () => {
    expect(errorOf((await wipedata(await device('empty-body-empty-request-json'), { body: '' })).json).code).toBe(
      'EMPTY_REQUEST_JSON',
    );
    expect(errorOf((await wipe(await device('empty-object-empty-request-json'), {})).json).code).toBe(
      'EMPTY_REQUEST_JSON',
    );
  });

  it('MISSING_ARGUMENTS and INVALID_ARGUMENTS worded otherwise', async () => {
    const message = async (variant: VariantName, body: unknown) =>
      errorOf((await wipe(await device(variant), body)).json).message;
    expect(await message('missing-message-chinese', { user: true })).toBe('缺少必要参数：users、events 或 all');
    expect(await message('missing-message-names-one', { user: true })).toBe('missing parameter: users');
    expect(await message('invalid-message-value-only', { users: {} })).toBe('{}');
    expect(await message('invalid-message-chinese', { users: 'true' })).toBe('无效参数的值："true"');
    expect(await message('invalid-message-python-repr', { users: null })).toBe('expected a bool, got None');
  });

  it('rejects-several-flags, refuses-all-false, all-false-missing-arguments and reboots-after-all-false take the other sides of HTTP-9/10', async () => {
    const several = await wipe(await device('rejects-several-flags'), { users: true, events: true });
    expect([several.status, errorOf(several.json).code]).toEqual([400, 'INVALID_ARGUMENTS']);
    const allFalse = await wipe(await device('refuses-all-false'), { users: false });
    expect([allFalse.status, errorOf(allFalse.json).code]).toEqual([400, 'INVALID_ARGUMENTS']);
    const asMissing = await wipe(await device('all-false-missing-arguments'), { users: false, events: false });
    expect([asMissing.status, errorOf(asMissing.json)]).toEqual([
      400,
      { code: 'MISSING_ARGUMENTS', message: 'missing one of: users, events, all' },
    ]);
    const rebooting = await device('reboots-after-all-false');
    expect((await wipe(rebooting, { users: false })).json).toEqual({ result: true });
    await rebooting.waitFor('down', 1, 2_000);
  });

  it('null-flag-not-given reads a null flag as absent (通用约定), where the default device refuses its value', async () => {
    const answer = async (d: TestDevice, body: unknown) => {
      const { status, json } = await wipe(d, body);
      return status === 200 ? json : errorOf(json);
    };
    const plain = await startTestDevice();
    expect(await answer(plain, { users: null })).toEqual({ code: 'INVALID_ARGUMENTS', message: 'users: null' });
    expect(await answer(plain, { users: true, events: null })).toEqual({
      code: 'INVALID_ARGUMENTS',
      message: 'events: null',
    });
    const nullAbsent = await device('null-flag-not-given');
    expect(await answer(nullAbsent, { all: null })).toEqual({
      code: 'MISSING_ARGUMENTS',
      message: 'missing one of: users, events, all',
    });
    // Beside a true flag the null one is simply not there: the users wipe, its answer and its reboot.
    expect(await answer(nullAbsent, { users: true, events: null })).toEqual({ result: true });
    await nullAbsent.waitFor('down', 1, 2_000);
  });

  it('non-object-invalid-arguments and null-body-empty-request-json answer a body that is no object otherwise', async () => {
    const code = async (d: TestDevice, body: string) =>
      errorOf((await wipedata(d, { body, contentType: 'application/json' })).json).code;
    const plain = await startTestDevice();
    expect([await code(plain, '[{"users":true}]'), await code(plain, 'null')]).toEqual([
      'INVALID_REQUEST_JSON',
      'INVALID_REQUEST_JSON',
    ]);
    const asArgument = await device('non-object-invalid-arguments');
    expect([await code(asArgument, '[{"users":true}]'), await code(asArgument, 'null')]).toEqual([
      'INVALID_ARGUMENTS',
      'INVALID_ARGUMENTS',
    ]);
    const asBlank = await device('null-body-empty-request-json');
    expect([await code(asBlank, '[{"users":true}]'), await code(asBlank, 'null')]).toEqual([
      'INVALID_REQUEST_JSON',
      'EMPTY_REQUEST_JSON',
    ]);
  });

  it('unknown-fields-refused, other-methods-bare-405, get-answers-200 and the client error statuses', async () => {
    const unknown = await wipe(await device('unknown-fields-refused'), { users: true, force: true });
    expect(errorOf(unknown.json)).toEqual({ code: 'INVALID_ARGUMENTS', message: 'unknown parameter: force' });
    const bare = await wipedata(await device('other-methods-bare-405'), { method: 'GET', contentType: null });
    expect([bare.status, bare.text, bare.headers.allow]).toEqual([405, '', 'POST']);
    const get = await wipedata(await device('get-answers-200'), { method: 'GET', contentType: null });
    expect(get.status).toBe(200);
    expect((await wipe(await device('client-errors-422'), {})).status).toBe(422);
    const textPlain = { body: '{"users":true}', contentType: 'text/plain' };
    expect((await wipedata(await startTestDevice(), textPlain)).status).toBe(415);
    expect((await wipedata(await device('client-errors-400'), textPlain)).status).toBe(400);
  });

  it('slow-sync-wipe answers once its time has passed, slow-shutdown goes down late, slow-boot stays down long', async () => {
    const slowWipe = await device('slow-sync-wipe');
    let t = performance.now();
    expect((await wipe(slowWipe, { events: true })).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(FAST_TIMING.wipeMs - 5);
    const slowDown = await device('slow-shutdown');
    t = performance.now();
    await wipe(slowDown, { events: true });
    await slowDown.waitFor('down', 1, 3_000);
    expect(performance.now() - t).toBeGreaterThanOrEqual(FAST_TIMING.shutdownMs - 5);
    const slowBoot = await device('slow-boot');
    await wipe(slowBoot, { events: true });
    const down = await slowBoot.waitFor('down', 1, 3_000);
    const up = await slowBoot.waitFor('up', 2, 3_000);
    expect(up.at - down.at).toBeGreaterThanOrEqual(FAST_TIMING.bootMs - 5);
  });

  it('long-init keeps answering DEVICE_INIT_ERROR for a while after each boot', async () => {
    const d = await device('long-init');
    await wipe(d, { events: true });
    await d.waitFor('up', 2, 3_000);
    const early = await send(d.url, '/sophon/v2/face/getmediadevices', { body: {} });
    expect(errorOf(early.json).code).toBe('DEVICE_INIT_ERROR');
    const up = d.events.filter((e) => e.kind === 'up')[1];
    const ready = await d.waitFor('ready', 2, 3_000);
    expect(ready.at - (up?.at ?? 0)).toBeGreaterThanOrEqual(FAST_TIMING.initMs - 5);
  });

  it('the getuptime formats, and no system port at all', async () => {
    const uptime = async (variant: VariantName) =>
      (await send((await device(variant)).systemUrl, '/sophon/v2/system/getuptime', { body: {} })).json;
    // The host has been up 3 hours, 57 minutes when the device starts (reboot.ts HOST_UP_AT_START_MS).
    expect(await uptime('uptime-clock-format')).toEqual({ uptime: 'up 0 days, 3:57' });
    expect(((await uptime('uptime-seconds-number')) as { uptime: unknown }).uptime).toBeGreaterThanOrEqual(14_220);
    expect(await uptime('uptime-vendor-format-only')).toEqual({ uptime: '3 hours, 57 minutes' });
    expect((await device('no-system-port')).systemPort).toBe(0);
  });

  it('getconfigs-many-keys and pages-capped-at-one change what the management calls answer', async () => {
    const many = await device('getconfigs-many-keys');
    expect(await face(many, 'getconfigs')).toMatchObject({ GATE_WORK_MODE: 'normal', MATCH_THRESHOLD: 82 });
    const capped = await device('pages-capped-at-one');
    await seedFixture(capped);
    const page = await face(capped, 'getpermissions', { page_limit: 100, page_index: 0 });
    expect((page.permissions as unknown[]).length).toBe(1);
    expect((page.pagination as { total_count: number }).total_count).toBeGreaterThan(1);
  });

  it('records-keep-coming goes on recording from a file input after an events wipe and its reboot, until a users wipe', async () => {
    const count = async (d: TestDevice) =>
      ((await face(d, 'getevents', { page_limit: 1 })).pagination as { total_count: number }).total_count;
    const plain = await startTestDevice();
    await seedFixture(plain);
    const once = await count(plain);
    await quiet(800);
    expect(await count(plain)).toBe(once);

    const d = await device('records-keep-coming');
    await seedFixture(d);
    const first = await face(d, 'getevents', { page_limit: 100 });
    const seeded = new Set((first.events as { event_id: string }[]).map((e) => e.event_id));
    expect(await wipe(d, { events: true })).toMatchObject({ status: 200 });
    await d.waitFor('ready', 2);
    await quiet(800);
    const later = await face(d, 'getevents', { page_limit: 100 });
    const ids = (later.events as { event_id: string }[]).map((e) => e.event_id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => seeded.has(id))).toEqual([]);
    expect((await face(d, 'getmediadevices', {})).devices).toHaveLength(2);
    // A users wipe takes the input device away, and with it the recognition.
    expect(await wipe(d, { users: true })).toMatchObject({ status: 200 });
    await d.waitFor('ready', 3);
    const left = await count(d);
    await quiet(800);
    expect(await count(d)).toBe(left);
  });

  it('records-keep-coming stops adding at its bound and leaves no timer once stopped', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'keep-coming-'));
    const store = await Store.open(dataDir);
    await store.commit((doc) => {
      for (const name of ['alice', 'bob']) {
        const faces = [{ face_id: `${name}-face`, register_image_id: null, feature: [1] }];
        doc.identities.push({
          identity_id: name,
          identity_name: name,
          user_type: 'employee',
          permission_ids: [],
          ext_user_info: {},
          faces,
        });
      }
      const url = 'file:///videos/faces.mp4';
      doc.mediaDevices.push({
        media_device_id: 'v',
        media_device_name: 'video',
        media_device_type: 'file',
        media_device_url: url,
        media_device_ip: '',
        permission_id: '',
      });
    });
    const stop = recogniseContinuously(store, { intervalMs: 5, maxRecords: 7 });
    // Each record is a store commit (an fsync): on a loaded machine seven take longer than 35 ms, so wait for
    // the bound to be reached, then as long again to see that nothing is added past it.
    const started = performance.now();
    while (store.state.events.length < 7 && performance.now() - started < 10_000) await quiet(20);
    await quiet(Math.max(100, performance.now() - started));
    stop();
    expect(store.state.events).toHaveLength(7);
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('license-key-serial-style makes up a serial-like key, the same for the same data folder', async () => {
    const d = await device('license-key-serial-style');
    expect(d.licenseKey).toMatch(/^BIWPEZ\d{18}$/);
    const dataDir = d.dataDir;
    await d.close();
    expect((await device('license-key-serial-style', { dataDir })).licenseKey).toBe(d.licenseKey);
  });
});

describe('each MQ variant shows its behaviour', () => {
  const command = (fields: Record<string, unknown>) => ({ message_key: 'wipedata', ...fields });

  it('mq-ignores-unknown-commands and mq-poison-dropped-silently answer nothing, and go on', async () => {
    for (const [variant, first] of [
      ['mq-ignores-unknown-commands', { message_key: 'other', users: true }],
      ['mq-poison-dropped-silently', 'not json'],
    ] as const) {
      const { mq } = await startMqDevice({ variants: [variant] });
      await mq.publish(first);
      const reply = await mq.roundTrip(command({ message_id: 'after', users: 'probe' }));
      expect(reply.json.message_id, variant).toBe('after');
    }
  });

  it('mq-family-codes answers with the MQ status codes of the same firmware', async () => {
    const { mq } = await startMqDevice({ variants: ['mq-family-codes'] });
    expect((await mq.roundTrip(command({ users: 'true' }))).json.code).toBe('BOOLEAN_ARGUMENT_ERROR');
    expect((await mq.roundTrip(command({}))).json.code).toBe('PARAM_ERROR');
    expect((await mq.roundTrip(command({ all: null }))).json.code).toBe('BOOLEAN_ARGUMENT_ERROR');
  });

  it('null-flag-not-given reads a null flag as absent over MQ too: no flag, not a Bool type error', async () => {
    const { mq } = await startMqDevice({ variants: ['null-flag-not-given'] });
    expect((await mq.roundTrip(command({ all: null }))).json).toMatchObject({
      result: false,
      code: 'MISSING_ARGUMENTS',
    });
    const family = (await startMqDevice({ variants: ['null-flag-not-given', 'mq-family-codes'] })).mq;
    expect((await family.roundTrip(command({ all: null }))).json.code).toBe('PARAM_ERROR');
  });

  it('ext_data with content, extra fields, and the message_id in one place or as correlation_id', async () => {
    const reply = async (variant: VariantName, fields: Record<string, unknown>) => {
      const { mq } = await startMqDevice({ variants: [variant] });
      return mq.roundTrip(command({ message_id: 'm-1', ...fields }), { correlationId: 'c-1' });
    };
    expect((await reply('mq-ext-data-content', { events: true })).json.ext_data).toMatchObject({ wiped: ['events'] });
    expect((await reply('mq-reply-extra-fields', { users: 'probe' })).json).toHaveProperty('dev_sno');
    const top = (await reply('mq-message-id-top-level-only', { users: 'probe' })).json;
    expect([top.message_id, (top.ext_data as { message_id?: string }).message_id]).toEqual(['m-1', undefined]);
    const ext = (await reply('mq-message-id-in-ext-data-only', { users: 'probe' })).json;
    expect([ext.message_id, (ext.ext_data as { message_id?: string }).message_id]).toEqual([undefined, 'm-1']);
    const asCorrelation = await reply('mq-message-id-as-correlation-id', { users: 'probe' });
    expect([asCorrelation.json.message_id, asCorrelation.properties.correlationId]).toEqual([undefined, 'm-1']);
    expect((await reply('mq-no-correlation-id', { users: 'probe' })).properties.correlationId).toBeUndefined();
    const bare = (await reply('mq-reply-bare-properties', { users: 'probe' })).properties;
    expect([bare.contentType, bare.deliveryMode]).toEqual([undefined, undefined]);
  });

  it('callback-charset labels the callback with a charset', async () => {
    const receiver = await startCallbackReceiver();
    try {
      const { mq } = await startMqDevice({ variants: ['callback-charset'] });
      await mq.publish(command({ users: 'probe', notify_path: receiver.url }));
      expect((await receiver.next()).contentType).toBe('application/json; charset=utf-8');
    } finally {
      await receiver.close();
    }
  });

  it('mq-wipe-no-reboot stays up after an MQ wipe; mq-duplicate-silent answers a repeat with nothing', async () => {
    const { device: d, mq } = await startMqDevice({ variants: ['mq-wipe-no-reboot'] });
    expect((await mq.roundTrip(command({ message_id: 'w-1', events: true }))).json.result).toBe(true);
    await quiet(300);
    expect(d.reboots()).toBe(0);
    const silent = await startMqDevice({ variants: ['mq-duplicate-silent', 'mq-wipe-no-reboot'] });
    await silent.mq.roundTrip(command({ message_id: 'd-1', events: true }));
    await silent.mq.publish(command({ message_id: 'd-1', events: true }));
    expect((await silent.mq.roundTrip(command({ message_id: 'd-2', users: 'probe' }))).json.message_id).toBe('d-2');
  });

  it('mq-consumer-late: after a reboot the API is ready well before the command queue has a consumer', async () => {
    const lateMs = 600;
    const { device: d, mq } = await startMqDevice({
      variants: ['mq-consumer-late'],
      variantTiming: { consumerLateMs: lateMs },
    });
    const channel = await mq.scratchChannel();
    const consumers = async () => (await channel.checkQueue(mq.commandQueue)).consumerCount;
    // The first boot consumes at once (startDevice resolves once it does).
    expect(await consumers()).toBe(1);
    await wipe(d, { events: true });
    const ready = await d.waitFor('ready', 2, 3_000);
    expect((await send(d.url, '/sophon/v2/face/getmediadevices', { body: {} })).status).toBe(200);
    expect(await consumers()).toBe(0);
    while ((await consumers()) === 0) await quiet(20);
    expect(Date.now() - ready.at).toBeGreaterThanOrEqual(lateMs - 5);
    // A command published meanwhile would have waited in the queue; now it is answered as usual.
    expect((await mq.roundTrip(command({ message_id: 'late-1', users: 'probe' }))).json.message_id).toBe('late-1');
  });

  it('mq-callback-retries tries an unreachable notify_path three times before the next command', async () => {
    const { mq } = await startMqDevice({ variants: ['mq-callback-retries'] });
    const t = performance.now();
    await mq.publish(command({ users: 'probe', notify_path: 'http://127.0.0.1:9/unreachable' }));
    await mq.roundTrip(command({ message_id: 'next', users: 'probe' }));
    expect(performance.now() - t).toBeGreaterThanOrEqual(2 * 300 - 5);
  });

  it('mq-up-queue-not-declared leaves the up queue to the platform; mq-up-queue-with-ttl gives it a TTL', async () => {
    const queues = MqProbe.queueNames();
    const model = await amqp.connect(BROKER_URL);
    model.on('error', () => {});
    try {
      await startTestDevice({ variants: ['mq-up-queue-not-declared'], amqp: { url: BROKER_URL, ...queues } });
      const check = await model.createChannel();
      check.on('error', () => {});
      await expect(check.checkQueue(queues.upQueue)).rejects.toThrow(/NOT_FOUND/);
      await stopTestDevices();
      const ttl = MqProbe.queueNames();
      await startTestDevice({ variants: ['mq-up-queue-with-ttl'], amqp: { url: BROKER_URL, ...ttl } });
      const declare = await model.createChannel();
      declare.on('error', () => {});
      // Declaring it without the argument is refused: the device's queue has one.
      await expect(declare.assertQueue(ttl.upQueue, { durable: true })).rejects.toThrow(/PRECONDITION_FAILED/);
      const cleanup = await model.createChannel();
      for (const q of [
        queues.commandQueue,
        `${queues.commandQueue}.dead`,
        ttl.commandQueue,
        `${ttl.commandQueue}.dead`,
        ttl.upQueue,
      ]) {
        await cleanup.deleteQueue(q).catch(() => {});
      }
    } finally {
      await model.close().catch(() => {});
    }
  });
});
