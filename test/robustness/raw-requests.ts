// Requests as bytes on a real socket, for what inject cannot reach: the request line, header syntax
// and body framing that Node's parser sees. Every one is a request the device must refuse.
import { connect } from 'node:net';
import fc from 'fast-check';
import { invalidBody } from './wipedata-bodies.ts';
import { acceptedContentType } from './wipedata-requests.ts';

export interface RawRequest {
  bytes: Buffer;
  /** False where the device may just close (the client never finished the request). */
  mustAnswer: boolean;
  kind: string;
}

const WIPE = '/sophon/v2/face/wipedata';

const method = fc.oneof(
  { arbitrary: fc.constant('POST'), weight: 6 },
  {
    arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'post', 'P OST', 'POSTX'),
    weight: 2,
  },
);

const target = fc.oneof(
  { arbitrary: fc.constant(WIPE), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      `${WIPE}?users=true`,
      `${WIPE}/`,
      `/${WIPE}`,
      '/sophon/v2/face/WIPEDATA',
      '/sophon/v2/face/%77ipedata',
      `${WIPE}%00`,
      '/sophon/v2/face/%zz',
      '/sophon/v2/face/../face/wipedata',
      `http://127.0.0.1${WIPE}`,
      '*',
      `/${'a'.repeat(9_000)}`,
      `${WIPE}?${'x'.repeat(3_000)}`,
    ),
    weight: 2,
  },
);

const version = fc.oneof(
  { arbitrary: fc.constant('HTTP/1.1'), weight: 6 },
  { arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/1', 'http/1.1', ''), weight: 1 },
);

/** Header lines that are odd, malformed or too big; the framing is added separately. */
const oddLines = fc.array(
  fc.constantFrom(
    'X-Odd: value',
    'X-Empty:',
    'X-Fold: first\r\n continued',
    'Bad Header: x',
    ': no name',
    'X-Nul: a\0b',
    'X-Ctl: a\u0001b',
    'X-Latin: caf\u00e9',
    'Accept: */*',
    'Connection: keep-alive, Upgrade',
    'Upgrade: h2c',
    'X-Http-Method-Override: DELETE',
    `X-Big: ${'a'.repeat(20_000)}`,
    'Expect: something-else',
    'Expect: 100-continue',
    'Content-Encoding: gzip',
    'Transfer-Encoding: gzip',
  ),
  { maxLength: 3 },
);

const contentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  undefined,
  'application/x-www-form-urlencoded',
);

type Framing = 'length' | 'chunked' | 'bad-chunk' | 'length-and-chunked' | 'short-length' | 'long-length' | 'none';
const framing = fc.oneof(
  { arbitrary: fc.constantFrom<Framing>('length', 'chunked'), weight: 4 },
  {
    arbitrary: fc.constantFrom<Framing>('bad-chunk', 'length-and-chunked', 'short-length', 'long-length', 'none'),
    weight: 3,
  },
);

function frame(how: Framing, body: Buffer): { lines: string[]; payload: Buffer; complete: boolean } {
  const chunked = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  switch (how) {
    case 'length':
      return { lines: [`Content-Length: ${body.length}`], payload: body, complete: true };
    case 'chunked':
      return { lines: ['Transfer-Encoding: chunked'], payload: chunked, complete: true };
    case 'bad-chunk':
      return {
        lines: ['Transfer-Encoding: chunked'],
        payload: Buffer.concat([Buffer.from('zz\r\n'), body]),
        complete: true,
      };
    case 'length-and-chunked':
      return {
        lines: [`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'],
        payload: chunked,
        complete: true,
      };
    case 'short-length':
      return { lines: [`Content-Length: ${Math.floor(body.length / 2)}`], payload: body, complete: true };
    case 'long-length':
      return { lines: [`Content-Length: ${body.length + 10}`], payload: body, complete: false };
    case 'none':
      return { lines: [], payload: body, complete: true };
  }
}

/** A whole request; the body is always one the device must refuse, whatever the route makes of it. */
export const rawRequest: fc.Arbitrary<RawRequest> = fc
  .record({ method, target, version, oddLines, contentType, framing, body: invalidBody })
  .map((r) => {
    const body = Buffer.from(r.body.bytes);
    const framed = frame(r.framing, body);
    const lines = [
      `${r.method} ${r.target} ${r.version}`.trimEnd(),
      'Host: 127.0.0.1',
      ...(r.contentType === undefined ? [] : [`Content-Type: ${r.contentType}`]),
      ...r.oddLines,
      ...framed.lines,
      'Connection: close',
    ];
    const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), framed.payload]);
    const refusedType = acceptedContentType(r.contentType) ? '' : ' (refused content type)';
    return {
      bytes,
      // A body the client never finished may be dropped; an upgrade request may be dropped too.
      mustAnswer: framed.complete && !r.oddLines.some((line) => line.startsWith('Upgrade')),
      kind: `${r.method} ${r.target.slice(0, 60)} ${r.version}, ${r.framing}, ${r.oddLines.length} odd lines, body ${r.body.kind}${refusedType}`,
    };
  });

/** One HTTP response read off the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes the bytes, half-closes, and reads until the device closes or `withinMs` passes. Returns the
 * responses found and whatever bytes could not be read as one.
 */
export function exchangeRaw(
  port: number,
  bytes: Buffer,
  withinMs = 3_000,
): Promise<{ responses: RawResponse[]; rest: string; timedOut: boolean; refused: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let refused = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, withinMs);
    socket.on('connect', () => {
      socket.end(bytes);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') refused = true;
    });
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parseResponses(Buffer.concat(chunks)), timedOut, refused });
    });
  });
}

/** Reads consecutive HTTP/1.1 responses (Content-Length or chunked bodies). */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = [];
  let at = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine = '', ...headerLines] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!match) break;
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    let bodyStart = headEnd + 4;
    let body: Buffer;
    if (match[1]?.startsWith('1')) body = Buffer.alloc(0);
    else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = data.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) return { responses, rest: data.subarray(at).toString('latin1') };
        const size = Number.parseInt(data.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        bodyStart = lineEnd + 2;
        if (!(size > 0)) {
          bodyStart += 2;
          break;
        }
        parts.push(data.subarray(bodyStart, bodyStart + size));
        bodyStart += size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers['content-length'] ?? data.length - bodyStart);
      body = data.subarray(bodyStart, bodyStart + length);
      bodyStart += length;
    }
    // An interim 100 Continue has no body; the final answer follows it.
    if (!match[1]?.startsWith('1')) responses.push({ status: Number(match[1]), headers, body: body.toString('utf8') });
    at = bodyStart;
  }
  return { responses, rest: data.subarray(at).toString('latin1') };
}
