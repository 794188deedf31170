import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import type { CheckOutcome, Level, Profile } from '../results/types.ts';
import {
  type BodyExpectSpec,
  ERROR_CODES,
  type ErrorExpectSpec,
  FAMILY_ERROR_CODES,
  type MessageExpectSpec,
  type StatusExpectSpec,
} from '../specs/case-schema.ts';
import type { HttpExchange } from '../transports/http-transport.ts';
import { oneLine, outcome, show, weaker } from './check-outcome.ts';
import { renderingsOf } from './value-renderings.ts';

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
  const tolerated: readonly string[] = spec.tolerate ?? [];
  const also = [
    ...(allowed.length ? [`lenient profile also accepts ${allowed.join(', ')}`] : []),
    ...(tolerated.length ? [`${tolerated.join(', ')} tolerated with a warning`] : []),
  ];
  const expectedCode = `error.code ${spec.code}${also.length ? ` (${also.join('; ')})` : ''}`;
  const seenCode = `error.code ${code}${documentedAs(code)}`;
  if (code === spec.code) {
    checks.push(outcome('error.code', level, 'pass', expectedCode, seenCode));
    if (spec.message) checks.push(checkMessage(String(error.message), spec.message, level, view));
    return checks;
  }
  // Another reading the documents allow (design §6): not the case's code, never a MUST failure either. The
  // message requirement belongs to the case's own code (its row of the error table), so it is not applied.
  if (tolerated.includes(code)) {
    checks.push(outcome('error.code', weaker(level, 'SHOULD'), 'fail', expectedCode, seenCode));
    return checks;
  }
  const lenient = allowed.includes(code as never) && profile === 'lenient';
  checks.push(outcome('error.code', level, lenient ? 'lenient' : 'fail', expectedCode, seenCode));
  return checks;
}

function documentedAs(code: string): string {
  if ((ERROR_CODES as readonly string[]).includes(code)) return '';
  if ((FAMILY_ERROR_CODES as readonly string[]).includes(code)) {
    return " (a code of the API family's error tables, not of the wipedata page)";
  }
  return ' (not one of the five documented codes)';
}

function checkMessage(message: string, expect: MessageExpectSpec, level: Level, view: ResponseView): CheckOutcome {
  const lower = message.toLowerCase();
  const mentions = (s: string) => lower.includes(s.toLowerCase());
  if ('carriesValueOf' in expect) {
    const sent = requestJson(view);
    const forms = expect.carriesValueOf.flatMap((name) => [
      name,
      ...(sent && Object.hasOwn(sent, name) ? renderingsOf(sent[name]) : []),
    ]);
    return outcome(
      'error.message',
      level,
      forms.some(mentions),
      `message naming ${expect.carriesValueOf.join(' or ')} or carrying the value sent (any of ${forms.map((f) => show(f)).join(', ')})`,
      `message ${show(message)}`,
    );
  }
  if ('mentionsAny' in expect) {
    return outcome(
      'error.message',
      level,
      expect.mentionsAny.some(mentions),
      `message mentioning any of ${expect.mentionsAny.map((s) => show(s)).join(', ')}`,
      `message ${show(message)}`,
    );
  }
  return outcome(
    'error.message',
    level,
    expect.mentionsAll.every(mentions),
    `message mentioning all of ${expect.mentionsAll.map((s) => show(s)).join(', ')}`,
    `message ${show(message)}`,
  );
}

/** The JSON object the request sent, as recorded, when it was one. */
function requestJson(view: ResponseView): Record<string, unknown> | undefined {
  const text = view.exchange.evidence.request.body?.text;
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
