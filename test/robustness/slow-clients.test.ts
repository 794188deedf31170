import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readState,
  SEEDED_STATE,
  seedFixture,
  send,
  startTestDevice,
  stopTestDevices,
  type TestDevice,
} from '../reference-device/device-harness.ts';
import { parseResponses } from './raw-requests.ts';
import { envelopeCode, envelopeProblems } from './vendor-envelope.ts';

afterEach(stopTestDevices);

const LIMITS = { headersTimeoutMs: 400, requestTimeoutMs: 800, connectionTimeoutMs: 3_000, bodyLimit: 4_096 };
const WIPE = '/sophon/v2/face/wipedata';

/**
 * Opens a connection, writes `head`, then one `drip` every `everyMs` until the device closes the
 * connection (or `giveUpMs` passes). Returns what came back and how long the device put up with it.
 */
function dribble(
  port: number,
  head: string,
  drip: (n: number) => string,
  everyMs: number,
  giveUpMs = 5_000,
): Promise<{ heldMs: number; data: Buffer; closedByDevice: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const started = Date.now();
    let n = 0;
    let closedByDevice = true;
    const timer = setInterval(() => {
      if (Date.now() - started > giveUpMs) {
        closedByDevice = false;
        socket.destroy();
      } else if (socket.writable) socket.write(drip(n++));
    }, everyMs);
    socket.on('connect', () => {
      if (head) socket.write(head);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ heldMs: Date.now() - started, data: Buffer.concat(chunks), closedByDevice });
    });
  });
}

async function seeded(): Promise<TestDevice> {
  const device = await startTestDevice({ limits: LIMITS });
  await seedFixture(device);
  return device;
}

function onlyAnswer(data: Buffer) {
  const { responses, rest } = parseResponses(data);
  expect(rest).toBe('');
  expect(responses).toHaveLength(1);
  const [response] = responses;
  if (!response) throw new Error('no response');
  expect(
    envelopeProblems({ status: response.status, contentType: response.headers['content-type'], body: response.body }),
  ).toEqual([]);
  return response;
}

describe('slow clients are cut off', () => {
  it('a slowloris client dribbling headers gets a 408 envelope once headersTimeoutMs is up, and wipes nothing', async () => {
    const device = await seeded();
    const head = `POST ${WIPE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`;
    const { heldMs, data, closedByDevice } = await dribble(device.port, head, (n) => `X-Slow-${n}: 1\r\n`, 50);
    expect(closedByDevice).toBe(true);
    // The deadline plus Node's check interval (a quarter of it), with room for a loaded machine.
    expect(heldMs).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(heldMs).toBeLessThan(LIMITS.headersTimeoutMs * 2 + 600);
    const response = onlyAnswer(data);
    expect(response.status).toBe(408);
    expect(await readState(device)).toEqual(SEEDED_STATE);
    expect(device.reboots()).toBe(0);
  });

  it('a client dribbling its body gets a 408 envelope once requestTimeoutMs is up, and wipes nothing', async () => {
    const device = await seeded();
    const body = '{"all":true}'.padEnd(60, ' ');
    const head = `POST ${WIPE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { heldMs, data, closedByDevice } = await dribble(device.port, head, (n) => body[n] ?? ' ', 50);
    expect(closedByDevice).toBe(true);
    expect(heldMs).toBeLessThan(LIMITS.requestTimeoutMs * 2 + 600);
    const response = onlyAnswer(data);
    expect(response.status).toBe(408);
    expect(await readState(device)).toEqual(SEEDED_STATE);
  });

  it('a connection that never sends anything is closed', async () => {
    const device = await startTestDevice({ limits: LIMITS });
    const { heldMs, closedByDevice } = await dribble(device.port, '', () => '', 1_000_000, 6_000);
    expect(closedByDevice).toBe(true);
    expect(heldMs).toBeLessThan(LIMITS.connectionTimeoutMs + 1_000);
  });

  it('refuses limits Node would refuse', async () => {
    await expect(startTestDevice({ limits: { headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 } })).rejects.toThrow(
      /headersTimeoutMs/,
    );
    await expect(startTestDevice({ limits: { bodyLimit: 0 } })).rejects.toThrow(/bodyLimit/);
  });
});

describe('body size is limited', () => {
  it('a body over bodyLimit gets a 413 envelope, by Content-Length or chunked, and wipes nothing', async () => {
    const device = await seeded();
    const big = `{"all":true,"pad":"${'x'.repeat(LIMITS.bodyLimit)}"}`;
    const byLength = await send(device.url, WIPE, { body: big });
    expect(byLength.status).toBe(413);
    expect(envelopeCode(byLength.text)).toBe('INVALID_REQUEST_JSON');
    expect(
      envelopeProblems({
        status: byLength.status,
        contentType: String(byLength.headers['content-type']),
        body: byLength.text,
      }),
    ).toEqual([]);

    const chunked = await dribble(
      device.port,
      `POST ${WIPE} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      () => `400\r\n${'x'.repeat(0x400)}\r\n`,
      5,
    );
    expect(onlyAnswer(chunked.data).status).toBe(413);
    expect(await readState(device)).toEqual(SEEDED_STATE);
    expect(device.reboots()).toBe(0);
  });

  it('a body of exactly bodyLimit bytes is still read', async () => {
    const device = await startTestDevice({ limits: LIMITS });
    const body = '{"users":false}'.padEnd(LIMITS.bodyLimit, ' ');
    const answer = await send(device.url, WIPE, { body });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ result: true });
  });
});
