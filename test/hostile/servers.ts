import { randomBytes } from 'node:crypto';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import amqp from 'amqplib';
import { freePort } from '../../src/transports/free-port.ts';

/**
 * Hostile targets for the checker's own robustness tests and `bench/false-pass.ts`. Every server
 * listens on 127.0.0.1 on an ephemeral port, keeps track of its sockets and closes them all on
 * `close()`, so nothing outlives a test.
 */

/** How a hostile target misbehaves. */
export type HostileMode =
  /** Relays every request to the backend unchanged: the control that must still pass. */
  | 'healthy'
  /** Reads the request and never answers (the socket stays open). */
  | 'hang'
  /** A well-formed `200 {"result":true}`, written one byte per `dripMs`. */
  | 'drip'
  /** Relays to the backend, then sends the headers and half the body and resets the connection. */
  | 'reset'
  /** Answers bytes that are not HTTP, then closes. */
  | 'garbage'
  /** Relays to the backend, then streams its JSON body followed by `hugeBytes` of JSON whitespace. */
  | 'huge'
  /** Relays to the backend, but labels a 200 answer `text/html`. */
  | 'wrong-content-type'
  /** Answers a TLS ServerHello record, as an HTTPS port does, then closes. */
  | 'tls';

export interface HostileTargetOptions {
  mode: HostileMode;
  /** `wipedata`: only `POST /sophon/v2/face/wipedata` is hostile, the rest is relayed; `all`: every request. */
  scope: 'wipedata' | 'all';
  /** The healthy device behind (http://127.0.0.1:PORT); required for relayed requests. */
  backend?: string;
  /** Interval of the drip (default 1000 ms: one byte a second). */
  dripMs?: number;
  /** Bytes of padding the `huge` body carries (default 50 MB). */
  hugeBytes?: number;
}

/** A running hostile target. */
export interface HostileTarget {
  url: string;
  port: number;
  /** How many requests were treated with the hostile behaviour. */
  hostileRequests(): number;
  close(): Promise<void>;
}

const WIPEDATA = '/sophon/v2/face/wipedata';
const OK_BODY = '{"result":true}';

// Which modes let the device act on the request before spoiling its answer: with those the device
// really wipes and reboots, so only the corrupted answer can tell the checker something is wrong.
const RELAYS_FIRST = new Set<HostileMode>(['healthy', 'reset', 'huge', 'wrong-content-type']);

/** Starts a hostile HTTP target (see HostileMode). */
export async function startHostileTarget(options: HostileTargetOptions): Promise<HostileTarget> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let hostile = 0;
  const server = createHttpServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 1 });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: IncomingMessage, res) => {
    readBody(req).then(async (body) => {
      const isHostile = options.scope === 'all' || (req.method === 'POST' && req.url === WIPEDATA);
      const socket = req.socket;
      if (!isHostile) {
        const answer = await relay(options.backend, req, body);
        if (!answer) return void socket.destroy();
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      hostile++;
      const answer =
        RELAYS_FIRST.has(options.mode) && options.backend ? await relay(options.backend, req, body) : undefined;
      if (RELAYS_FIRST.has(options.mode) && !answer) return void socket.destroy();
      switch (options.mode) {
        case 'healthy':
        case 'wrong-content-type': {
          const a = answer as Relayed;
          const headers = { ...a.headers };
          // Only a success is relabelled: "a 200 with the wrong content type".
          if (options.mode === 'wrong-content-type' && a.status === 200) {
            headers['content-type'] = 'text/html; charset=utf-8';
          }
          res.writeHead(a.status, headers);
          res.end(a.body);
          return;
        }
        case 'hang':
          return;
        case 'drip': {
          const bytes = Buffer.from(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${OK_BODY.length}\r\n\r\n${OK_BODY}`,
          );
          let i = 0;
          const timer = setInterval(() => {
            if (socket.destroyed || i >= bytes.length) {
              clearInterval(timer);
              timers.delete(timer);
              return;
            }
            socket.write(bytes.subarray(i, i + 1));
            i++;
          }, options.dripMs ?? 1_000);
          timers.add(timer);
          return;
        }
        case 'reset': {
          const a = answer as Relayed;
          const head = rawHead(a.status, { ...a.headers, 'content-length': String(a.body.length) });
          socket.write(Buffer.concat([head, a.body.subarray(0, Math.floor(a.body.length / 2))]), () =>
            socket.resetAndDestroy(),
          );
          return;
        }
        case 'garbage':
          // Bytes no HTTP parser accepts, starting with neither "HTTP/" nor a TLS record type.
          socket.end(Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x37, 0x7f]), randomBytes(59)]));
          return;
        case 'tls':
          socket.end(serverHello());
          return;
        case 'huge': {
          const a = answer as Relayed;
          await streamHuge(socket, a, options.hugeBytes ?? 50 * 1024 * 1024);
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hostileRequests: () => hostile,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Relayed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

// One request to the backend on a fresh connection; undefined when the backend does not answer (it
// is rebooting), and the caller then drops the client's connection as a device that is down would.
function relay(backend: string | undefined, req: IncomingMessage, body: Buffer): Promise<Relayed | undefined> {
  if (!backend) return Promise.resolve(undefined);
  const url = new URL(req.url ?? '/', backend);
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      url,
      { method: req.method, headers: forwardable(req.headers), agent: false, timeout: 5_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined && !['connection', 'keep-alive', 'transfer-encoding'].includes(name)) {
              headers[name] = Array.isArray(value) ? value.join(', ') : value;
            }
          }
          resolve({ status: response.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
        response.on('error', () => resolve(undefined));
      },
    );
    outgoing.on('error', () => resolve(undefined));
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.end(body);
  });
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== 'host' && name !== 'connection') {
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  out.connection = 'close';
  return out;
}

function rawHead(status: number, headers: Record<string, string>): Buffer {
  const lines = [`HTTP/1.1 ${status} X`, ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`), '', ''];
  return Buffer.from(lines.join('\r\n'));
}

// The backend's real JSON answer, then whitespace (still valid JSON) in 64 KiB chunks, honouring
// backpressure and stopping as soon as the client hangs up.
async function streamHuge(socket: Socket, answer: Relayed, padding: number): Promise<void> {
  const headers: Record<string, string> = { ...answer.headers, 'content-type': 'application/json' };
  delete headers['content-length'];
  headers['transfer-encoding'] = 'chunked';
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const frame = (data: Buffer) =>
    Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
  if (!socket.write(Buffer.concat([rawHead(answer.status, headers), frame(answer.body)]))) await drained(socket);
  for (let sent = 0; sent < padding && !socket.destroyed; sent += chunk.length) {
    if (!socket.write(frame(chunk))) await drained(socket);
  }
  if (!socket.destroyed) socket.end('0\r\n\r\n');
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

// A TLS 1.2 ServerHello record (content type 0x16, version 3.3), what an HTTPS port sends first.
function serverHello(): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    randomBytes(32),
    Buffer.from([0x00]), // no session id
    Buffer.from([0xc0, 0x2f]), // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    Buffer.from([0x00]), // no compression
  ]);
  const handshake = Buffer.concat([Buffer.from([0x02, 0x00, 0x00, body.length]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x03, 0x00, handshake.length]), handshake]);
}

/** A port that was free a moment ago: connecting to it is refused. */
export const closedPort = freePort;

/** A TCP proxy in front of the broker that a test can cut (drop every connection) or stall (stop relaying). */
export interface BrokerProxy {
  /** amqp URL through the proxy, with the upstream's credentials. */
  url: string;
  /** Drops every connection at once and refuses new ones, as a broker that went away. */
  cut(): void;
  /** Keeps the connections open but relays nothing more, as a broker that hangs. */
  stall(): void;
  /**
   * Stalls once the broker has answered the `nth` publish whose body holds `marker`: the command was
   * confirmed, and the broker goes silent while the checker waits for the reply (and then purges the queue).
   */
  stallAfterConfirm(marker: string, nth: number): void;
  close(): Promise<void>;
}

// The payload of an AMQP 0-9-1 basic.ack method frame (class 60, method 80): the broker's publisher confirm.
const BASIC_ACK = Buffer.from([0x00, 0x3c, 0x00, 0x50]);

/** Starts a TCP proxy to the broker of `upstreamUrl` (only 127.0.0.1 is allowed). */
export async function startBrokerProxy(upstreamUrl: string): Promise<BrokerProxy> {
  const upstream = new URL(upstreamUrl);
  if (upstream.hostname !== '127.0.0.1' && upstream.hostname !== 'localhost') {
    throw new Error(`the broker proxy only relays to 127.0.0.1, not ${upstream.hostname}`);
  }
  const pairs = new Set<[Socket, Socket]>();
  let stalled = false;
  // stallAfterConfirm: the publishes still to see, and whether the broker's next confirm is the last relayed.
  let trigger: { marker: Buffer; left: number } | undefined;
  let stallAfterNextAnswer = false;
  const server: Server = createTcpServer((client) => {
    const broker = connect({ host: '127.0.0.1', port: Number(upstream.port || 5672) });
    const pair: [Socket, Socket] = [client, broker];
    pairs.add(pair);
    for (const s of pair) {
      s.on('error', () => {});
      s.once('close', () => {
        pairs.delete(pair);
        client.destroy();
        broker.destroy();
      });
    }
    client.on('data', (data: Buffer) => {
      if (stalled) return;
      if (trigger && data.includes(trigger.marker) && --trigger.left === 0) {
        trigger = undefined;
        stallAfterNextAnswer = true;
      }
      broker.write(data);
    });
    broker.on('data', (data: Buffer) => {
      if (stalled) return;
      client.write(data);
      if (stallAfterNextAnswer && data.includes(BASIC_ACK)) stalled = true;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(upstreamUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(portOf(server));
  const cut = () => {
    server.close();
    for (const [client, broker] of pairs) {
      client.destroy();
      broker.destroy();
    }
  };
  return {
    url: proxied.toString().replace(/\/$/, ''),
    cut,
    stall: () => {
      stalled = true;
    },
    stallAfterConfirm: (marker, nth) => {
      trigger = { marker: Buffer.from(marker), left: nth };
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}

/** A device-side MQ consumer whose notify_path callbacks start and never finish. */
export interface HangingCallbackDevice {
  /** Callback POSTs begun (and left hanging). */
  callbacksStarted(): number;
  close(): Promise<void>;
}

/**
 * Consumes `commandQueue` like a device would. A command without notify_path gets a well-formed
 * failure reply on the up queue; one with notify_path gets a POST to it that sends its headers and
 * part of the body, then hangs with the connection open: the checker's receiver must neither wait
 * for it forever nor take it for a reply.
 */
export async function startHangingCallbackDevice(options: {
  brokerUrl: string;
  commandQueue: string;
  upQueue: string;
  licenseKey: string;
}): Promise<HangingCallbackDevice> {
  const model = await amqp.connect(options.brokerUrl);
  model.on('error', () => {});
  const channel = await model.createChannel();
  channel.on('error', () => {});
  await channel.assertQueue(options.commandQueue, { durable: true });
  await channel.assertQueue(options.upQueue, { durable: true });
  const sockets = new Set<Socket>();
  let started = 0;
  await channel.consume(options.commandQueue, (message) => {
    if (!message) return;
    channel.ack(message);
    let command: Record<string, unknown> = {};
    try {
      command = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
    } catch {}
    const reply = {
      result: false,
      code: 'INVALID_ARGUMENTS',
      message: 'users must be a boolean',
      mq_license_key: options.licenseKey,
      message_key: 'wipedata',
      message_id: command.message_id,
      ext_data: { message_id: command.message_id },
    };
    const notify = typeof command.notify_path === 'string' ? safeUrl(command.notify_path) : undefined;
    if (!notify) {
      channel.sendToQueue(options.upQueue, Buffer.from(JSON.stringify(reply)), { contentType: 'application/json' });
      return;
    }
    if (notify.hostname !== '127.0.0.1') return;
    started++;
    const body = JSON.stringify(reply);
    const socket = connect({ host: '127.0.0.1', port: Number(notify.port || 80) });
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
    socket.write(
      `POST ${notify.pathname} HTTP/1.1\r\nhost: ${notify.host}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
  });
  return {
    callbacksStarted: () => started,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await model.close().catch(() => {});
    },
  };
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function portOf(server: Server | import('node:http').Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
