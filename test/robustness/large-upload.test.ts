import { connect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DRAIN_MAX_BYTES } from '../../reference-device/body-drain.ts';
import { sendHttp } from '../../src/transports/http-transport.ts';
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

// A body five times the default 1 MiB limit, as a client that pastes a file into a request sends it.
const FIVE_MB = 5 * 1024 * 1024;
const WIPE = '/sophon/v2/face/wipedata';
const UPTIME = '/sophon/v2/system/getuptime';
const BLOCK = Buffer.alloc(64 * 1024, 0x20);

type Framing = 'content-length' | 'chunked';

/** What one raw upload saw. */
interface Upload {
  /** Body bytes the client handed to its socket (framing excluded). */
  written: number;
  data: Buffer;
  /** The socket error the client got, if any (ECONNRESET, EPIPE…). */
  error?: string;
  /** The device ended the connection with a FIN (a clean close), not a reset. */
  finReceived: boolean;
  ms: number;
}

function head(path: string, framing: Framing, length: number): string {
  const frame = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${frame}\r\n\r\n`;
}

function frame(framing: Framing, block: Buffer): Buffer {
  if (framing === 'content-length') return block;
  return Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from('\r\n')]);
}

/**
 * Uploads on a raw socket. `readWhileWriting: false` is the client this is about: it writes the whole
 * body (honouring backpressure, as any client must) and only then reads the answer. `bytes` may be
 * Infinity (a client that never stops); `everyMs` spaces the blocks (0: as fast as the socket takes them).
 */
function upload(
  port: number,
  options: {
    path: string;
    framing: Framing;
    bytes: number;
    readWhileWriting: boolean;
    everyMs?: number;
    block?: Buffer;
    giveUpMs?: number;
    /** Called when the first bytes of the answer arrive. */
    onAnswer?: () => void;
  },
): Promise<Upload> {
  const { path, framing, bytes, readWhileWriting, everyMs = 0, block = BLOCK, giveUpMs = 20_000, onAnswer } = options;
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const started = Date.now();
    let written = 0;
    let error: string | undefined;
    let finReceived = false;
    const read = () =>
      socket.on('data', (chunk) => {
        if (chunks.length === 0) onAnswer?.();
        chunks.push(chunk);
      });
    if (readWhileWriting) read();
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    const finish = () => {
      if (framing === 'chunked') socket.write('0\r\n\r\n');
      if (!readWhileWriting) read();
    };
    const pump = () => {
      while (written < bytes && !socket.destroyed) {
        const piece = block.subarray(0, Math.min(block.length, bytes - written));
        written += piece.length;
        const more = socket.write(frame(framing, piece));
        if (written >= bytes) return finish();
        if (everyMs > 0) return void setTimeout(pump, everyMs);
        if (!more) return void socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(head(path, framing, Number.isFinite(bytes) ? bytes : 1024 ** 4));
      pump();
    });
    socket.on('end', () => {
      finReceived = true;
      socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? String(e);
    });
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({
        written,
        data: Buffer.concat(chunks),
        ...(error ? { error } : {}),
        finReceived,
        ms: Date.now() - started,
      });
    });
  });
}

/** The one answer on the wire must be a complete 413 in the vendor envelope, and nothing after it. */
function expectOne413(data: Buffer): void {
  const { responses, rest } = parseResponses(data);
  expect(rest).toBe('');
  expect(responses).toHaveLength(1);
  const [response] = responses;
  if (!response) throw new Error('no response');
  expect(response.status).toBe(413);
  expect(response.headers.connection).toBe('close');
  expect(response.body.length).toBe(Number(response.headers['content-length']));
  expect(
    envelopeProblems({ status: response.status, contentType: response.headers['content-type'], body: response.body }),
  ).toEqual([]);
  expect(envelopeCode(response.body)).toBe('INVALID_REQUEST_JSON');
}

/** The device still answers on both ports, and nothing was wiped. */
async function expectStillServing(device: TestDevice): Promise<void> {
  const wipe = await send(device.url, WIPE, { body: { users: false } });
  expect(wipe.status).toBe(200);
  expect(wipe.json).toEqual({ result: true });
  const uptime = await send(device.systemUrl, UPTIME, { body: {} });
  expect(uptime.status).toBe(200);
  expect(await readState(device)).toEqual(SEEDED_STATE);
  expect(device.reboots()).toBe(0);
}

describe('a large upload still gets its answer', () => {
  for (const framing of ['content-length', 'chunked'] as const) {
    it(`a client that writes a whole 5 MB body (${framing}) before reading reads the 413 envelope, then a clean close`, async () => {
      const device = await startTestDevice();
      await seedFixture(device);
      for (const [port, path] of [
        [device.port, WIPE],
        [Number(new URL(device.systemUrl).port), UPTIME],
      ] as const) {
        const result = await upload(port, { path, framing, bytes: FIVE_MB, readWhileWriting: false });
        expect(result.error).toBeUndefined();
        expect(result.written).toBe(FIVE_MB);
        expectOne413(result.data);
        expect(result.finReceived).toBe(true);
      }
      await expectStillServing(device);
    });
  }

  it('several 5 MB uploads at once all get their answer', async () => {
    const device = await startTestDevice();
    await seedFixture(device);
    const results = await Promise.all(
      (['content-length', 'chunked', 'content-length', 'chunked'] as const).map((framing) =>
        upload(device.port, { path: WIPE, framing, bytes: FIVE_MB, readWhileWriting: false }),
      ),
    );
    for (const result of results) {
      expect(result.error).toBeUndefined();
      expectOne413(result.data);
    }
    await expectStillServing(device);
  });
});

describe('an endless upload is cut off within the bound', () => {
  for (const framing of ['content-length', 'chunked'] as const) {
    it(`a client sending as fast as it can forever (${framing}) is cut off after about DRAIN_MAX_BYTES`, async () => {
      const device = await startTestDevice();
      await seedFixture(device);
      const result = await upload(device.port, {
        path: WIPE,
        framing,
        bytes: Number.POSITIVE_INFINITY,
        readWhileWriting: true,
      });
      // Cut off, by the device, with a reset: the bound was hit while the client was still sending.
      expect(result.error).toMatch(/ECONNRESET|EPIPE/);
      // It read the answer while it was sending.
      expectOne413(result.data);
      // The device read at most DRAIN_MAX_BYTES after the 1 MiB limit; the rest of what the client
      // wrote sat in the two kernels' socket buffers (up to 32 MiB receive and 4 MiB send on Linux).
      expect(result.written).toBeGreaterThan(DRAIN_MAX_BYTES);
      expect(result.written).toBeLessThan(DRAIN_MAX_BYTES + 1024 * 1024 + 40 * 1024 * 1024);
      await expectStillServing(device);
    });

    it(`a client dribbling its body forever (${framing}) is cut off at the request deadline, with no second answer`, async () => {
      const limits = { headersTimeoutMs: 400, requestTimeoutMs: 800, connectionTimeoutMs: 3_000, bodyLimit: 4_096 };
      const device = await startTestDevice({ limits });
      await seedFixture(device);
      const result = await upload(device.port, {
        path: WIPE,
        framing,
        bytes: Number.POSITIVE_INFINITY,
        readWhileWriting: true,
        block: Buffer.alloc(limits.bodyLimit + 1, 0x20),
        everyMs: 50,
      });
      expect(result.ms).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 50);
      // The deadline plus Node's check interval (a quarter of headersTimeoutMs), with room for a loaded machine.
      expect(result.ms).toBeLessThan(limits.requestTimeoutMs * 2 + 600);
      // The 413, and no 408 written after it when the deadline came.
      expectOne413(result.data);
      await expectStillServing(device);
    });
  }

  it('a drain in progress does not hold up close(): the power cycle drops it', async () => {
    const device = await startTestDevice();
    let answered: () => void = () => {};
    const answer = new Promise<void>((resolve) => {
      answered = resolve;
    });
    const uploading = upload(device.port, {
      path: WIPE,
      framing: 'chunked',
      bytes: Number.POSITIVE_INFINITY,
      readWhileWriting: true,
      everyMs: 20,
      onAnswer: () => answered(),
    });
    // The 413 came (the body passed the 1 MiB limit): the drain now runs until close().
    await answer;
    const closing = Date.now();
    await device.close();
    const result = await uploading;
    expect(Date.now() - closing).toBeLessThan(1_000);
    expectOne413(result.data);
  });
});

describe('the checker reading a 413 from a big upload', () => {
  const request = (url: string) =>
    sendHttp(
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(FIVE_MB, 0x20) },
      { timeoutMs: 10_000, origin: performance.now() },
    );

  function expectRecorded413(exchange: Awaited<ReturnType<typeof request>>): void {
    expect(exchange.error).toBeUndefined();
    expect(exchange.status).toBe(413);
    expect(exchange.evidence.response?.status).toBe(413);
    expect(envelopeCode(exchange.body?.toString('utf8') ?? '')).toBe('INVALID_REQUEST_JSON');
    expect(exchange.evidence.request.headers['content-length']).toBe(String(FIVE_MB));
  }

  it('records the answer of the reference device', async () => {
    const device = await startTestDevice();
    expectRecorded413(await request(new URL(WIPE, device.url).href));
    expectRecorded413(await request(new URL(UPTIME, device.systemUrl).href));
  });

  it('records the answer of a device that resets the connection right after answering', async () => {
    // What the reference device did before it drained: answer, then close with the body unread.
    const body = '{"error":{"code":"INVALID_REQUEST_JSON","message":"request body too large"}}';
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write(
          `HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
        socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      expectRecorded413(await request(`http://127.0.0.1:${port}${WIPE}`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
