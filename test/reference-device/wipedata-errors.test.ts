import { mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FAST,
  quiet,
  readState,
  SEEDED_STATE,
  type SendOptions,
  seedFixture,
  send,
  startTestDevice,
  stopTestDevices,
  type TestDevice,
} from './device-harness.ts';

afterEach(stopTestDevices);

const WIPE = '/sophon/v2/face/wipedata';
const CODES = [
  'UNSUPPORT_CONTENT_TYPE',
  'INVALID_REQUEST_JSON',
  'MISSING_ARGUMENTS',
  'INVALID_ARGUMENTS',
  'INTERNAL_ERROR',
];

/** The vendor envelope and nothing else: no Fastify fields (statusCode, error as a string…). */
function expectEnvelope(json: unknown, code: string): { code: string; message: string } {
  expect(Object.keys(json as object)).toEqual(['error']);
  const error = (json as { error: { code: string; message: string } }).error;
  expect(Object.keys(error).sort()).toEqual(['code', 'message']);
  expect(error.code).toBe(code);
  expect(CODES).toContain(error.code);
  expect(typeof error.message).toBe('string');
  return error;
}

/** After a refused request: nothing deleted, no reboot (HTTP-14). */
async function expectUntouched(device: TestDevice): Promise<void> {
  expect(await readState(device)).toEqual(SEEDED_STATE);
  await quiet(FAST.rebootDelayMs * 3);
  expect(device.reboots()).toBe(0);
  expect(device.events.map((e) => e.kind)).toEqual(['up', 'ready']);
}

const INVALID_UTF8 = new Uint8Array([0x7b, 0x22, 0x75, 0xff, 0x22, 0x3a, 0x74, 0x72, 0x75, 0x65, 0x7d]);

const refused: [string, SendOptions, number, string][] = [
  ['text/plain', { contentType: 'text/plain', body: '{"users":true}' }, 415, 'UNSUPPORT_CONTENT_TYPE'],
  ['no Content-Type', { contentType: null, body: '{"users":true}' }, 415, 'UNSUPPORT_CONTENT_TYPE'],
  ['application/xml', { contentType: 'application/xml', body: '{"users":true}' }, 415, 'UNSUPPORT_CONTENT_TYPE'],
  ['application/jsonx', { contentType: 'application/jsonx', body: '{"users":true}' }, 415, 'UNSUPPORT_CONTENT_TYPE'],
  [
    'application/x-www-form-urlencoded',
    { contentType: 'application/x-www-form-urlencoded', body: 'users=true' },
    415,
    'UNSUPPORT_CONTENT_TYPE',
  ],
  [
    'text/plain with malformed JSON (type first)',
    { contentType: 'text/plain', body: '{"users":' },
    415,
    'UNSUPPORT_CONTENT_TYPE',
  ],
  ['malformed JSON', { body: '{"users":tru}' }, 400, 'INVALID_REQUEST_JSON'],
  ['truncated JSON', { body: '{"users":true' }, 400, 'INVALID_REQUEST_JSON'],
  ['empty body', { body: '' }, 400, 'INVALID_REQUEST_JSON'],
  ['no body at all', {}, 400, 'INVALID_REQUEST_JSON'],
  ['JSON comments (as in the vendor example)', { body: '{ "users":true   //true\n}' }, 400, 'INVALID_REQUEST_JSON'],
  ['an array', { body: '[{"users":true}]' }, 400, 'INVALID_REQUEST_JSON'],
  ['a string', { body: '"users"' }, 400, 'INVALID_REQUEST_JSON'],
  ['a number', { body: '1' }, 400, 'INVALID_REQUEST_JSON'],
  ['null', { body: 'null' }, 400, 'INVALID_REQUEST_JSON'],
  ['a UTF-8 BOM', { body: '\ufeff{"users":true}' }, 400, 'INVALID_REQUEST_JSON'],
  ['duplicate keys', { body: '{"users":true,"users":false}' }, 400, 'INVALID_REQUEST_JSON'],
  ['duplicate keys spelled differently', { body: '{"users":true,"\\u0075sers":true}' }, 400, 'INVALID_REQUEST_JSON'],
  ['invalid UTF-8', { body: INVALID_UTF8 }, 400, 'INVALID_REQUEST_JSON'],
  ['{}', { body: {} }, 400, 'MISSING_ARGUMENTS'],
  ['only unknown keys', { body: { user: true, wipe: 'all' } }, 400, 'MISSING_ARGUMENTS'],
  ['users: "true"', { body: { users: 'true' } }, 400, 'INVALID_ARGUMENTS'],
  ['events: 1', { body: { events: 1 } }, 400, 'INVALID_ARGUMENTS'],
  ['all: null', { body: { all: null } }, 400, 'INVALID_ARGUMENTS'],
  ['users: {}', { body: { users: {} } }, 400, 'INVALID_ARGUMENTS'],
  ['one valid true flag and one invalid', { body: { users: true, events: 'yes' } }, 400, 'INVALID_ARGUMENTS'],
  ['invalid flag first, valid true flag after', { body: { all: 0, events: true } }, 400, 'INVALID_ARGUMENTS'],
];

describe('wipedata refusals: vendor envelope, nothing deleted, no reboot (HTTP-2..5, HTTP-14)', () => {
  it.each(refused)('%s', async (_name, options, status, code) => {
    const device = await startTestDevice();
    await seedFixture(device);
    const answer = await send(device.url, WIPE, options);
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toBe('application/json');
    expectEnvelope(answer.json, code);
    await expectUntouched(device);
  });

  it('names the missing parameters in MISSING_ARGUMENTS', async () => {
    const device = await startTestDevice();
    const answer = await send(device.url, WIPE, { body: {} });
    expect(expectEnvelope(answer.json, 'MISSING_ARGUMENTS').message).toBe('missing one of: users, events, all');
  });

  it.each([
    [{ users: 'true' }, 'users: "true"'],
    [{ events: 1 }, 'events: 1'],
    [{ all: null }, 'all: null'],
    [{ users: { x: [1] } }, 'users: {"x":[1]}'],
  ])('carries the parameter and its invalid value as JSON: %j', async (body, message) => {
    const device = await startTestDevice();
    const answer = await send(device.url, WIPE, { body });
    expect(expectEnvelope(answer.json, 'INVALID_ARGUMENTS').message).toBe(message);
  });
});

describe('Fastify defaults never leak (HTTP-14, HTTP-17)', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])(
    '%s on the wipedata path: 405 envelope, Allow: POST, nothing deleted',
    async (method) => {
      const device = await startTestDevice();
      await seedFixture(device);
      const answer = await send(device.url, WIPE, {
        method,
        ...(method === 'GET' ? {} : { body: { all: true } }),
      });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('POST');
      expect(expectEnvelope(answer.json, 'INVALID_ARGUMENTS').message).toContain(method);
      await expectUntouched(device);
    },
  );

  it('HEAD on the wipedata path: 405 without a body', async () => {
    const device = await startTestDevice();
    const answer = await send(device.url, WIPE, { method: 'HEAD' });
    expect(answer.status).toBe(405);
    expect(answer.text).toBe('');
  });

  it('unknown path: 404 envelope naming the path, whatever the body type', async () => {
    const device = await startTestDevice();
    for (const contentType of ['application/json', 'text/xml', null]) {
      const answer = await send(device.url, '/sophon/v2/face/wipe', { contentType, body: '{"users":true}' });
      expect(answer.status).toBe(404);
      expect(expectEnvelope(answer.json, 'INVALID_ARGUMENTS').message).toContain('/sophon/v2/face/wipe');
    }
    const trailing = await send(device.url, `${WIPE}/`, { body: { users: true } });
    expect(trailing.status).toBe(404);
  });

  it('body over 1 MiB: 413 envelope INVALID_REQUEST_JSON', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    const body = `{"users":true,"pad":"${'x'.repeat(1024 * 1024)}"}`;
    const answer = await send(device.url, WIPE, { body });
    expect(answer.status).toBe(413);
    expectEnvelope(answer.json, 'INVALID_REQUEST_JSON');
    await expectUntouched(device);
  });

  it('malformed URL: envelope, not Fastify FST_ERR_BAD_URL', async () => {
    const device = await startTestDevice();
    const answer = await send(device.url, '/sophon/v2/face/%zz', { body: {} });
    expect(answer.status).toBe(400);
    expectEnvelope(answer.json, 'INVALID_ARGUMENTS');
  });

  it('malformed HTTP: envelope on the raw socket, then the connection closes', async () => {
    const device = await startTestDevice();
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(device.port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.write('POST /sophon/v2/face/wipedata HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expectEnvelope(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)), 'INVALID_REQUEST_JSON');
  });

  it('an error inside the device is 500 INTERNAL_ERROR, and nothing is half-deleted', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    // The store file cannot be replaced (a folder stands in its way, which stops root too): the
    // wipe's transaction cannot be persisted, so it must not happen at all.
    const file = join(device.dataDir, 'store.json');
    rmSync(file);
    mkdirSync(file);
    const answer = await send(device.url, WIPE, { body: { all: true } });
    expect(answer.status).toBe(500);
    expectEnvelope(answer.json, 'INTERNAL_ERROR');
    await expectUntouched(device);
  });
});
