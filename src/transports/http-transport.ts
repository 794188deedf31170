import { Agent, type Dispatcher, request } from 'undici';
import type { HttpExchangeEvidence, WireBody } from '../results/types.ts';

/** An HTTP request as the case asks for it, already interpolated. */
export interface HttpRequestSpec {
  method: string;
  /** Absolute URL on the target. */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** The exchange as it happened, with the response bytes kept for the checks. */
export interface HttpExchange {
  evidence: HttpExchangeEvidence;
  status?: number;
  headers: Record<string, string>;
  body?: Buffer;
  /** Transport failure: no (complete) response. */
  error?: string;
  /** When the response was complete (or failed), as performance.now(). */
  completedAt: number;
}

export interface SendOptions {
  timeoutMs: number;
  /** Case start as performance.now(), so timings are relative to it. */
  origin: number;
  signal?: AbortSignal;
  /** Bodies longer than this are cut (a hostile target must not exhaust memory). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** The part of a response body kept as evidence in the report (the checks see up to maxBodyBytes). */
export const EVIDENCE_MAX_BODY = 64 * 1024;

// One connection per exchange ("connection: close"): a device that reboots after answering kills its
// sockets, and a later request must never be written onto one of them, nor be retried by the client.
const agent = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 1, pipelining: 1 });

/**
 * Sends one request and records it byte for byte; never retries, never throws for the device's faults.
 * `timeoutMs` bounds the whole exchange, connect to last body byte (undici's headersTimeout and
 * bodyTimeout only bound the gaps between bytes: a target that drips one byte a second never trips
 * them). The body read is capped at maxBodyBytes, and a longer one is cut and reported as an error.
 */
export async function sendHttp(spec: HttpRequestSpec, options: SendOptions): Promise<HttpExchange> {
  const url = new URL(spec.url);
  const headers: Record<string, string> = { host: url.host, ...spec.headers };
  if (spec.body !== undefined) headers['content-length'] = String(spec.body.length);
  headers.connection = 'close';
  const evidence: HttpExchangeEvidence = {
    request: {
      method: spec.method,
      url: spec.url,
      headers,
      ...(spec.body !== undefined ? { body: wireBody(spec.body) } : {}),
    },
    sentAtMs: since(options.origin),
  };
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  const signal = AbortSignal.any(signals);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  // What arrived before a failure, so a connection that dies mid-body is reported with what it did say.
  let partial: { status: number; headers: Record<string, string>; chunks: Buffer[]; size: number } | undefined;
  try {
    const response = await request(spec.url, {
      dispatcher: agent,
      method: spec.method as Dispatcher.HttpMethod,
      headers: omit(headers, ['host', 'connection', 'content-length']),
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      reset: true,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal,
    });
    evidence.headersAtMs = since(options.origin);
    const responseHeaders = flattenHeaders(response.headers);
    const chunks: Buffer[] = [];
    partial = { status: response.statusCode, headers: responseHeaders, chunks, size: 0 };
    let size = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      partial.size = size;
      if (size > maxBody) {
        truncated = true;
        chunks.push(buffer.subarray(0, buffer.length - (size - maxBody)));
        response.body.destroy();
        break;
      }
      chunks.push(buffer);
    }
    const body = Buffer.concat(chunks);
    evidence.completeAtMs = since(options.origin);
    evidence.response = {
      status: response.statusCode,
      headers: responseHeaders,
      body: evidenceBody(body, size, truncated),
    };
    const exchange: HttpExchange = {
      evidence,
      status: response.statusCode,
      headers: responseHeaders,
      body,
      completedAt: performance.now(),
    };
    if (truncated) {
      exchange.error = `response body longer than ${maxBody} bytes: the checker stopped reading it`;
      evidence.error = exchange.error;
    }
    return exchange;
  } catch (error) {
    let message = describeError(error, options.timeoutMs, options.signal);
    if (partial) {
      // Status and headers came, the body did not complete: keep what came, and say so.
      const body = Buffer.concat(partial.chunks);
      evidence.response = {
        status: partial.status,
        headers: partial.headers,
        body: evidenceBody(body, partial.size, false),
      };
      message = `${message}, after status ${partial.status} and ${partial.size} body bytes`;
    } else if (evidence.headersAtMs === undefined && /^no complete response/.test(message)) {
      message = `${message}, before the status line and headers were complete`;
    }
    evidence.error = message;
    evidence.completeAtMs = since(options.origin);
    return { evidence, headers: {}, error: message, completedAt: performance.now() };
  }
}

// The report keeps the first EVIDENCE_MAX_BODY bytes: a hostile answer must not bloat every report.
function evidenceBody(body: Buffer, received: number, cut: boolean): WireBody {
  if (body.length <= EVIDENCE_MAX_BODY && !cut) return wireBody(body);
  return { ...wireBody(body.subarray(0, EVIDENCE_MAX_BODY)), truncated: true, bytes: received };
}

/** Keeps bytes readable: text when they are valid UTF-8, base64 otherwise. */
export function wireBody(bytes: Buffer): WireBody {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return { text, bytes: bytes.length };
  } catch {
    return { base64: bytes.toString('base64'), bytes: bytes.length };
  }
}

// undici keeps the bytes its parser refused (as a string); they say what the target speaks instead.
function describeNotHttp(data: string | undefined, parserMessage: string): string {
  const bytes = data === undefined ? Buffer.alloc(0) : Buffer.from(data, 'latin1');
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const seen = head ? `; first bytes ${head}` : '';
  if (bytes[0] !== undefined && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03) {
    return `the target answered with TLS, not HTTP (a TLS ${bytes[0] === 0x16 ? 'handshake' : 'alert'} record${seen}): is this an https port?`;
  }
  return `the target did not answer with HTTP (${parserMessage}${seen})`;
}

function since(origin: number): number {
  return Math.round((performance.now() - origin) * 10) / 10;
}

function omit(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

// Names the failure in network terms a tester recognises, with undici's stable code where it has one.
function describeError(error: unknown, timeoutMs: number, external?: AbortSignal): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (external?.aborted) return 'request aborted: the run was interrupted';
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT') {
    // DOMException's numeric code (23) says nothing; undici's string codes do.
    return `no complete response within ${timeoutMs} ms${typeof e.code === 'string' ? ` (${e.code})` : ''}`;
  }
  if (e.name === 'AbortError') return `no complete response within ${timeoutMs} ms (aborted)`;
  if (e.name === 'HTTPParserError') return describeNotHttp((error as { data?: string }).data, e.message ?? '');
  const code = e.cause?.code ?? e.code;
  const text = e.cause?.message ?? e.message ?? String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (${text})`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection closed before a complete response (${code}: ${text})`;
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
      return `the target did not answer with HTTP (${code}: ${text})`;
    default:
      return `${code ? `${code}: ` : ''}${text}`;
  }
}
