// What a refusal must look like, over HTTP (HTTP-14) and over MQ (MQ-4): the checks the fuzzers apply
// to every answer. Each returns the ways an answer departs from the envelope (empty: it is one).
import { ERROR_CODES } from '../../src/specs/case-schema.ts';

/** The five codes a wipedata refusal may carry (000_2427abba6c145ae1.txt, 错误码): the specs' own list. */
export const WIPEDATA_CODES = ERROR_CODES;
export type WipedataCode = (typeof WIPEDATA_CODES)[number];

/** An HTTP answer as the fuzzers see it. */
export interface HttpAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/**
 * Problems with an HTTP refusal: a non-error status, a body that is not exactly
 * `{"error":{"code":C,"message":M}}` with C a documented code and M a string, or not sent as JSON.
 */
export function envelopeProblems(answer: HttpAnswer): string[] {
  const problems: string[] = [];
  if (answer.status < 400) problems.push(`status ${answer.status} for a refusal`);
  if (!/^application\/json\b/i.test(answer.contentType ?? '')) {
    problems.push(`content-type ${JSON.stringify(answer.contentType)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(answer.body);
  } catch {
    problems.push(`body is not JSON: ${JSON.stringify(answer.body.slice(0, 120))}`);
    return problems;
  }
  const error = exactObject(value, ['error'])?.error;
  const inner = exactObject(error, ['code', 'message']);
  if (!inner) {
    problems.push(`not the vendor envelope: ${answer.body.slice(0, 200)}`);
    return problems;
  }
  if (!WIPEDATA_CODES.includes(inner.code as WipedataCode)) problems.push(`code ${JSON.stringify(inner.code)}`);
  if (typeof inner.message !== 'string') problems.push('message is not a string');
  return problems;
}

/** The code of an envelope, if the body is one. */
export function envelopeCode(body: string): string | undefined {
  try {
    const value = JSON.parse(body) as { error?: { code?: unknown } };
    return typeof value.error?.code === 'string' ? value.error.code : undefined;
  } catch {
    return undefined;
  }
}

const MQ_REPLY_KEYS = ['result', 'code', 'message', 'mq_license_key', 'message_key', 'ext_data'];

/** Problems with an MQ failure reply (MQ-4): exactly the vendor's fields, result false, a failure code. */
export function mqFailureProblems(reply: unknown, licenseKey: string): string[] {
  const problems: string[] = [];
  const withId =
    typeof reply === 'object' && reply !== null && Object.hasOwn(reply, 'message_id')
      ? [...MQ_REPLY_KEYS, 'message_id']
      : MQ_REPLY_KEYS;
  const fields = exactObject(reply, withId);
  if (!fields) return [`not the reply envelope: ${JSON.stringify(reply).slice(0, 200)}`];
  if (fields.result !== false) problems.push(`result ${JSON.stringify(fields.result)} for a refused command`);
  if (!WIPEDATA_CODES.includes(fields.code as WipedataCode)) problems.push(`code ${JSON.stringify(fields.code)}`);
  if (typeof fields.message !== 'string') problems.push('message is not a string');
  if (typeof fields.message_key !== 'string') problems.push('message_key is not a string');
  if (fields.mq_license_key !== licenseKey) problems.push(`mq_license_key ${JSON.stringify(fields.mq_license_key)}`);
  if (typeof fields.ext_data !== 'object' || fields.ext_data === null || Array.isArray(fields.ext_data)) {
    problems.push('ext_data is not an object');
  }
  return problems;
}

// The object's own keys are exactly `keys` (in any order): the fields, else undefined.
function exactObject(value: unknown, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const own = Object.keys(value);
  if (own.length !== keys.length || !keys.every((key) => Object.hasOwn(value, key))) return undefined;
  return value as Record<string, unknown>;
}
