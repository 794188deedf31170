// fast-check arbitraries of MQ command messages the device must refuse (MQ-2, MQ-3, MQ-9), with the
// code each calls for, and of odd AMQP properties that must change nothing.
import fc from 'fast-check';
import type { WipedataCode } from './vendor-envelope.ts';
import { FLAGS, invalidBody, nonBoolean, validObject } from './wipedata-bodies.ts';

export interface MqInput {
  body: Buffer;
  properties: MqProperties;
  code: WipedataCode;
  kind: string;
}

/** The publish options the fuzzer varies; the correlation id is the driver's, to match replies. */
export interface MqProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  priority?: number;
  deliveryMode?: number;
  messageId?: string;
  type?: string;
  appId?: string;
  timestamp?: number;
  expiration?: string;
}

const json = (entries: [string, unknown][]): Buffer =>
  Buffer.from(`{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`);

/** A command's fields around the flags: a valid wipe's flags, maybe a message_id. */
const wipeEntries = fc
  .tuple(validObject, fc.option(fc.uuid(), { nil: undefined }))
  .map(([object, id]) =>
    id === undefined ? object.entries : [...object.entries, ['message_id', id] as [string, unknown]],
  );

/** Not a usable JSON object at all (the HTTP fuzzer's bodies that are not): dead-lettered. */
const notJson = invalidBody
  .filter((body) => body.verdict.valid === false && body.verdict.code === 'INVALID_REQUEST_JSON')
  .map((body) => ({ body: Buffer.from(body.bytes), code: 'INVALID_REQUEST_JSON' as const, kind: `body ${body.kind}` }));

/** A wipe without message_key, even with true flags: MISSING_ARGUMENTS. */
const noKey = wipeEntries.map((entries) => ({
  body: json(entries),
  code: 'MISSING_ARGUMENTS' as const,
  kind: 'no message_key',
}));

/** A message_key that is not exactly "wipedata": INVALID_ARGUMENTS. */
const wrongKey = fc
  .tuple(
    fc.oneof(
      fc.constantFrom<unknown>('wipedatas', 'WipeData', 'WIPEDATA', 'wipedata ', ' wipedata', '', 'wipe', 'wipedata\0'),
      fc.string({ maxLength: 12 }).filter((key) => key !== 'wipedata'),
      fc.jsonValue({ maxDepth: 1 }).filter((key) => key !== 'wipedata'),
    ),
    wipeEntries,
  )
  .map(([key, entries]) => ({
    body: json([['message_key', key], ...entries]),
    code: 'INVALID_ARGUMENTS' as const,
    kind: 'wrong message_key',
  }));

/** message_id or notify_path present but not a non-empty string: INVALID_ARGUMENTS. */
const badField = fc
  .tuple(
    fc.constantFrom('message_id', 'notify_path'),
    fc.oneof(
      fc.constantFrom<unknown>('', '   ', null, 0, 7, true, [], {}, ['x']),
      nonBoolean.filter((v) => typeof v !== 'string'),
    ),
    validObject,
  )
  .map(([field, value, object]) => ({
    body: json([['message_key', 'wipedata'], ...object.entries, [field, value]]),
    code: 'INVALID_ARGUMENTS' as const,
    kind: `bad ${field}`,
  }));

/** The flags wrong as over HTTP: none (MISSING_ARGUMENTS) or one not a boolean (INVALID_ARGUMENTS). */
const badFlags = fc.oneof(
  fc.tuple(fc.constantFrom(...FLAGS), nonBoolean, fc.boolean()).map(([flag, value, other]) => {
    const entries: [string, unknown][] = [['message_key', 'wipedata']];
    for (const name of FLAGS) entries.push([name, name === flag ? value : other]);
    return { body: json(entries), code: 'INVALID_ARGUMENTS' as const, kind: `non-boolean ${flag}` };
  }),
  fc
    .constantFrom<[string, unknown][]>(
      [['message_key', 'wipedata']],
      [
        ['message_key', 'wipedata'],
        ['message_id', 'abc'],
      ],
      [
        ['message_key', 'wipedata'],
        ['flags', { users: true }],
      ],
      [
        ['message_key', 'wipedata'],
        ['__proto__', { all: true }],
      ],
    )
    .map((entries) => ({ body: json(entries), code: 'MISSING_ARGUMENTS' as const, kind: 'no flag' })),
);

const shortString = fc.string({ maxLength: 40 });

/** Header names the broker gives no meaning to (not x-…, CC or BCC). */
const headerName = fc
  .string({ minLength: 1, maxLength: 16 })
  .filter((name) => !/^(x-|cc$|bcc$)/i.test(name) && Buffer.byteLength(name) < 128);

export const mqProperties: fc.Arbitrary<MqProperties> = fc.record(
  {
    contentType: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', '', 'x/y; z=1'),
    contentEncoding: fc.constantFrom('gzip', 'utf-8', 'identity', 'base64', ''),
    headers: fc.dictionary(
      headerName,
      fc.oneof(shortString, fc.integer(), fc.boolean(), fc.double({ noNaN: true, min: -1e15, max: 1e15 })),
    ),
    priority: fc.integer({ min: 0, max: 9 }),
    deliveryMode: fc.constantFrom(1, 2),
    messageId: shortString,
    type: fc.constantFrom('wipedata', 'command', ''),
    appId: shortString,
    timestamp: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    expiration: fc.constantFrom('600000'),
  },
  { requiredKeys: [] },
);

/** A message the device must refuse, with odd properties. */
export const mqInput: fc.Arbitrary<MqInput> = fc
  .tuple(fc.oneof(notJson, noKey, wrongKey, badField, badFlags), mqProperties)
  .map(([message, properties]) => ({ ...message, properties }));
