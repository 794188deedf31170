import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import type { CheckOutcome, Level, Profile } from '../results/types.ts';
import type { BodyExpectSpec, ErrorExpectSpec, MessageExpectSpec, StatusExpectSpec } from '../specs/case-schema.ts';
import { ERROR_CODES } from '../specs/error-codes.ts';
import type { HttpExchange } from '../transports/http-transport.ts';
import { oneLine, outcome, show } from './check-outcome.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** The response as the checks see it: parsed once, judged many times. */
export interface ResponseView {
  exchange: HttpExchange;
  /** The body parsed as JSON, when it is. */
  json: { ok: true; value: unknown } | { ok: false; reason: string };
}

export function viewResponse(exchange: HttpExchange): ResponseView {
  if (exchange.body === undefined) return { exchange, json: { ok: false, reason: 'no body' } };
  const text = exchange.body.toString('utf8');
  try {
    return { exchange, json: { ok: true, value: JSON.parse(text) } };
  } catch (error) {
    return { exchange, json: { ok: false, reason: `not JSON (${(error as Error).message})` } };
  }
}

/** What came back, in one line: `200 {"result":true}`, or the transport failure. */
export function describeResponse(view: ResponseView): string {
  const { exchange } = view;
  if (exchange.status === undefined) return `no response: ${exchange.error ?? 'unknown failure'}`;
  const body = exchange.body?.length ? ` ${oneLine(exchange.body.toString('utf8'), 160)}` : ' (empty body)';
  return `${exchange.status}${body}${exchange.error ? ` [${exchange.error}]` : ''}`;
}

export function checkStatus(view: ResponseView, expect: StatusExpectSpec, level: Level): CheckOutcome {
  const status = view.exchange.status;
  const expected =
    typeof expect === 'number'
      ? `status ${expect}`
      : 'not' in expect
        ? `status other than ${expect.not}`
        : `status ${expect.class}`;
  if (status === undefined || view.exchange.error)
    return outcome('status', level, false, expected, describeResponse(view));
  const ok =
    typeof expect === 'number'
      ? status === expect
      : 'not' in expect
        ? status !== expect.not
        : Math.floor(status / 100) === Number(expect.class[0]);
  return outcome('status', level, ok, expected, `status ${status}`);
}

export function checkContentType(view: ResponseView, mediaType: string, level: Level): CheckOutcome {
  const header = view.exchange.headers['content-type'];
  const received = header === undefined ? 'no content-type' : `content-type ${header}`;
  const actual = header?.split(';')[0]?.trim().toLowerCase();
  return outcome('content-type', level, actual === mediaType.toLowerCase(), `content-type ${mediaType}`, received);
}

export function checkBody(view: ResponseView, expect: BodyExpectSpec, level: Level): CheckOutcome[] {
  const checks: CheckOutcome[] = [];
  if (!view.json.ok) {
    const received = view.exchange.status === undefined ? describeResponse(view) : `body ${view.json.reason}`;
    return [outcome('body', level, false, 'a JSON body', received)];
  }
  const value = view.json.value;
  if (expect.equals !== undefined) {
    checks.push(
      outcome('body.equals', level, isDeepStrictEqual(value, expect.equals), show(expect.equals), show(value)),
    );
  }
  if (expect.schema !== undefined) {
    let validate = compiled.get(expect.schema);
    if (!validate) {
      validate = ajv.compile(expect.schema);
      compiled.set(expect.schema, validate);
    }
    const ok = validate(value) === true;
    const why = ok ? '' : ` (${ajv.errorsText(validate.errors, { dataVar: 'body' })})`;
    checks.push(outcome('body.schema', level, ok, `body matching ${show(expect.schema, 160)}`, `${show(value)}${why}`));
  }
  return checks;
}

/**
 * An error answer (HTTP-14): not 200, the vendor envelope `{"error":{"code","message"}}`, the expected
 * code (or, under the lenient profile, one it allows), and what the message must say.
 */
export function checkError(
  view: ResponseView,
  expect: ErrorExpectSpec,
  level: Level,
  profile: Profile,
): CheckOutcome[] {
  const spec = typeof expect === 'string' ? { code: expect } : expect;
  const received = describeResponse(view);
  const status = view.exchange.status;
  if (status === undefined || view.exchange.error) {
    return [outcome('error', level, false, `an error answer with code ${spec.code}`, received)];
  }
  const checks: CheckOutcome[] = [
    outcome('error.status', level, status !== 200, 'a non-200 status for an error', `status ${status}`),
  ];
  const envelope = view.json.ok ? (view.json.value as { error?: { code?: unknown; message?: unknown } } | null) : null;
  const error = envelope && typeof envelope === 'object' && !Array.isArray(envelope) ? envelope.error : undefined;
  const wellFormed =
    error !== undefined &&
    error !== null &&
    typeof error === 'object' &&
    typeof error.code === 'string' &&
    typeof error.message === 'string';
  checks.push(
    outcome(
      'error.envelope',
      level,
      wellFormed,
      'body {"error":{"code":<string>,"message":<string>}}',
      view.json.ok ? show(view.json.value) : `body ${view.json.reason}`,
    ),
  );
  if (!wellFormed) return checks;
  const code = String(error.code);
  const allowed = spec.lenient ?? [];
  const expectedCode = `error.code ${spec.code}${allowed.length ? ` (lenient profile also accepts ${allowed.join(', ')})` : ''}`;
  const documented = (ERROR_CODES as readonly string[]).includes(code) ? '' : ' (not one of the five documented codes)';
  const codeResult =
    code === spec.code ? 'pass' : allowed.includes(code as never) && profile === 'lenient' ? 'lenient' : 'fail';
  checks.push(outcome('error.code', level, codeResult, expectedCode, `error.code ${code}${documented}`));
  if (spec.message) checks.push(checkMessage(String(error.message), spec.message, level));
  return checks;
}

function checkMessage(message: string, expect: MessageExpectSpec, level: Level): CheckOutcome {
  const lower = message.toLowerCase();
  if ('mentionsAny' in expect) {
    const ok = expect.mentionsAny.some((s) => lower.includes(s.toLowerCase()));
    return outcome(
      'error.message',
      level,
      ok,
      `message mentioning any of ${expect.mentionsAny.map((s) => show(s)).join(', ')}`,
      `message ${show(message)}`,
    );
  }
  const ok = expect.mentionsAll.every((s) => lower.includes(s.toLowerCase()));
  return outcome(
    'error.message',
    level,
    ok,
    `message mentioning all of ${expect.mentionsAll.map((s) => show(s)).join(', ')}`,
    `message ${show(message)}`,
  );
}
