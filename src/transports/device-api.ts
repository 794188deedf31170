import { Agent, request } from 'undici';

/** The answer of one management-API call (sophon-api.md): data, a vendor error, or no answer at all. */
export type ApiAnswer =
  | { kind: 'ok'; status: number; data: Record<string, unknown> }
  | { kind: 'error'; status: number; code: string; message: string }
  | { kind: 'unreachable'; reason: string };

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
    const text = await response.body.text();
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
    const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    return { kind: 'unreachable', reason: e.cause?.code ?? e.code ?? e.message ?? String(error) };
  }
}

/** The face API path of a management command. */
export const facePath = (command: string): string => `/sophon/v2/face/${command}`;

/** The system API path of a command on the system port. */
export const systemPath = (command: string): string => `/sophon/v2/system/${command}`;
