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

// One connection per exchange ("connection: close"): a device that reboots after answering kills its
// sockets, and a later request must never be written onto one of them, nor be retried by the client.
const agent = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 1, pipelining: 1 });

/** Sends one request and records it byte for byte; never retries, never throws for the device's faults. */
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
    let size = 0;
    let truncated = false;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
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
      body: { ...wireBody(body), ...(truncated ? { truncated: true, bytes: size } : {}) },
    };
    const exchange: HttpExchange = {
      evidence,
      status: response.statusCode,
      headers: responseHeaders,
      body,
      completedAt: performance.now(),
    };
    if (truncated) {
      exchange.error = `response body longer than ${maxBody} bytes; cut`;
      evidence.error = exchange.error;
    }
    return exchange;
  } catch (error) {
    const message = describeError(error, options.timeoutMs, options.signal);
    evidence.error = message;
    evidence.completeAtMs = since(options.origin);
    return { evidence, headers: {}, error: message, completedAt: performance.now() };
  }
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
    return `no complete response within ${timeoutMs} ms (${e.code ?? 'timeout'})`;
  }
  if (e.name === 'AbortError') return `no complete response within ${timeoutMs} ms (aborted)`;
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
