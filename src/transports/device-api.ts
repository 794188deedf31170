import { Agent, request } from 'undici';

/** The answer of one management-API call (sophon-api.md): data, a vendor error, or no answer at all. */
export type ApiAnswer =
  | { kind: 'ok'; status: number; data: Record<string, unknown> }
  | { kind: 'error'; status: number; code: string; message: string }
  | { kind: 'unreachable'; reason: string };

/** How a management-API call is made (callApi, or a test's fake device). */
export type ApiCall = (
  base: string,
  path: string,
  body: unknown,
  timeoutMs?: number,
  signal?: AbortSignal,
) => Promise<ApiAnswer>;

// Management calls are short and idempotent reads or seeding writes; a fresh connection each time
// keeps them off sockets a rebooting device has already dropped.
const agent = new Agent({ connect: { timeout: 2_000 }, keepAliveTimeout: 1, pipelining: 1 });

/** POSTs `{body}` to `base + path` as JSON and classifies the answer; never throws. */
export async function callApi(
  base: string,
  path: string,
  body: unknown,
  timeoutMs = 5_000,
  signal?: AbortSignal,
): Promise<ApiAnswer> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  try {
    const response = await request(new URL(path, base), {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      reset: true,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.any(signals),
    });
    const text = await readCapped(response.body, MAX_API_BODY);
    if (text === undefined) {
      return {
        kind: 'error',
        status: response.statusCode,
        code: 'TOO_LARGE',
        message: `${path} answered more than ${MAX_API_BODY} bytes: the checker stopped reading`,
      };
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return {
        kind: 'error',
        status: response.statusCode,
        code: 'NOT_JSON',
        message: `${path} answered ${response.statusCode} with a body that is not JSON: ${text.slice(0, 120)}`,
      };
    }
    const error = (data as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && typeof error === 'object') {
      return {
        kind: 'error',
        status: response.statusCode,
        code: String(error.code),
        message: String(error.message ?? ''),
      };
    }
    if (response.statusCode !== 200 || typeof data !== 'object' || data === null || Array.isArray(data)) {
      return {
        kind: 'error',
        status: response.statusCode,
        code: `HTTP_${response.statusCode}`,
        message: `${path} answered ${response.statusCode} ${text.slice(0, 120)}`,
      };
    }
    return { kind: 'ok', status: response.statusCode, data: data as Record<string, unknown> };
  } catch (error) {
    const e = error as { name?: string; code?: unknown; message?: string; cause?: { code?: string; message?: string } };
    // A timeout is a DOMException whose numeric code (23) says nothing.
    if (e.name === 'TimeoutError') return { kind: 'unreachable', reason: `no answer within ${timeoutMs} ms` };
    const code = e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined);
    return { kind: 'unreachable', reason: code ?? e.message ?? String(error) };
  }
}

// Management answers list a device's state; even a full face library is far below this. A target that
// streams without end must not exhaust the checker's memory (the timeout bounds the time).
const MAX_API_BODY = 32 * 1024 * 1024;

async function readCapped(
  body: AsyncIterable<unknown> & { destroy(): unknown },
  max: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The face API path of a management command. */
export const facePath = (command: string): string => `/sophon/v2/face/${command}`;

/** The system API path of a command on the system port. */
export const systemPath = (command: string): string => `/sophon/v2/system/${command}`;
