// fast-check arbitraries of wipedata bodies, each with what the clauses make of it (HTTP-3 … HTTP-5,
// HTTP-16), known by construction: the fuzzers never ask the device what its input means.
import fc from 'fast-check';

/** What a body calls for: a wipe (which may change nothing), or a refusal with this code. */
export type BodyVerdict =
  | { valid: true; changes: boolean }
  | { valid: false; code: 'INVALID_REQUEST_JSON' | 'MISSING_ARGUMENTS' | 'INVALID_ARGUMENTS' };

/** A generated body: its bytes, what it calls for, and what the generator made (for failure reports). */
export interface GeneratedBody {
  bytes: Uint8Array;
  verdict: BodyVerdict;
  kind: string;
}

export const FLAGS = ['users', 'events', 'all'] as const;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: (Uint8Array | string)[]): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? utf8(part) : part)));

const NOT_JSON = { valid: false, code: 'INVALID_REQUEST_JSON' } as const;

/** Keys that are not flags, the awkward ones included. */
const extraKey = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'Users', 'USERS', 'all ', ' events', 'user', 'toString'),
  )
  .filter((key) => !(FLAGS as readonly string[]).includes(key));

/** Unknown fields beside the flags (HTTP-16), as a list so `__proto__` stays an own key. */
const extras = fc.uniqueArray(fc.tuple(extraKey, fc.jsonValue({ maxDepth: 2 })), {
  selector: ([key]) => key,
  maxLength: 4,
});

/** Any JSON value but a boolean: what a flag must not be (HTTP-5). */
export const nonBoolean = fc.oneof(
  fc.constantFrom<unknown>('true', 'false', 'TRUE', 1, 0, -0, null, {}, [], [true], { value: true }, '', 1e308),
  fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'boolean'),
);

/** Some of the three flags as booleans (maybe none). */
const booleanFlags = fc.record({ users: fc.boolean(), events: fc.boolean(), all: fc.boolean() }, { requiredKeys: [] });

/** JSON text of an object given as entries (so keys such as `__proto__` survive), with random layout. */
const layout = fc.record({
  indent: fc.constantFrom(0, 1, 2, '\t'),
  before: fc.constantFrom('', ' ', '\n', '\r\n\t '),
  after: fc.constantFrom('', ' ', '\n', '\t\r\n'),
});
type Layout = { indent: number | string; before: string; after: string };

function objectText(entries: readonly (readonly [string, unknown])[], form: Layout): string {
  const inner = entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value, null, form.indent)}`);
  return `${form.before}{${inner.join(',')}}${form.after}`;
}

/** Objects with at least one flag, every flag a boolean, unknown fields beside: a wipe. */
export const validObject: fc.Arbitrary<{ entries: [string, unknown][]; changes: boolean }> = fc
  .tuple(booleanFlags, extras)
  .filter(([flags]) => Object.keys(flags).length > 0)
  .chain(([flags, more]) =>
    fc.shuffledSubarray([...Object.entries(flags), ...more], { minLength: Object.keys(flags).length + more.length }),
  )
  .map((entries) => ({
    entries,
    changes: entries.some(([key, value]) => (FLAGS as readonly string[]).includes(key) && value === true),
  }));

const validBody: fc.Arbitrary<GeneratedBody> = fc.tuple(validObject, layout).map(([object, form]) => ({
  bytes: utf8(objectText(object.entries, form)),
  verdict: { valid: true, changes: object.changes },
  kind: 'valid object',
}));

/** A flag that is not a boolean, maybe beside valid ones: INVALID_ARGUMENTS (HTTP-5), nothing deleted. */
const badFlag: fc.Arbitrary<GeneratedBody> = fc
  .tuple(fc.constantFrom(...FLAGS), nonBoolean, booleanFlags, extras, layout)
  .map(([flag, value, flags, more, form]) => {
    const entries: [string, unknown][] = [...more, ...Object.entries(flags).filter(([key]) => key !== flag)];
    entries.push([flag, value]);
    return {
      bytes: utf8(objectText(entries, form)),
      verdict: { valid: false, code: 'INVALID_ARGUMENTS' },
      kind: `non-boolean ${flag}`,
    };
  });

/** No flag at all, only unknown fields (prototype keys included): MISSING_ARGUMENTS (HTTP-4). */
const noFlag: fc.Arbitrary<GeneratedBody> = fc
  .oneof(
    fc.tuple(extras, layout).map(([more, form]) => objectText(more, form)),
    fc.constantFrom(
      '{"__proto__":{"users":true}}',
      '{"constructor":{"prototype":{"all":true}}}',
      '{"Users":true,"EVENTS":true,"ALL":true}',
      '{"flags":{"users":true}}',
      '{"users ":true}',
    ),
  )
  .map((text) => ({ bytes: utf8(text), verdict: { valid: false, code: 'MISSING_ARGUMENTS' }, kind: 'no flag' }));

/** JSON that is not an object: INVALID_REQUEST_JSON (HTTP-3). */
const notObject: fc.Arbitrary<GeneratedBody> = fc
  .oneof(
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)),
    fc.constantFrom<unknown>([{ users: true }], '{"users":true}', null, true, 0),
  )
  .map((value) => ({ bytes: utf8(JSON.stringify(value)), verdict: NOT_JSON, kind: 'not an object' }));

/** A valid wipe's text cut short anywhere (the empty body included). */
const truncated: fc.Arbitrary<GeneratedBody> = fc.tuple(validObject, fc.nat()).map(([object, at]) => {
  const text = objectText(object.entries, { indent: 0, before: '', after: '' });
  return { bytes: utf8(text.slice(0, at % text.length)), verdict: NOT_JSON, kind: 'truncated' };
});

/** A valid wipe behind a UTF-8 byte order mark (refused by this device; HTTP-3 allows either). */
const withBom: fc.Arbitrary<GeneratedBody> = validBody.map((body) => ({
  bytes: concat(new Uint8Array([0xef, 0xbb, 0xbf]), body.bytes),
  verdict: NOT_JSON,
  kind: 'byte order mark',
}));

/** A key twice in one object, at the top or nested, plainly or escaped (HTTP-3, duplicate keys). */
const duplicateKey: fc.Arbitrary<GeneratedBody> = fc
  .tuple(fc.oneof(fc.constantFrom(...FLAGS), fc.string({ maxLength: 6 })), fc.boolean(), fc.boolean(), fc.nat(2))
  .map(([key, first, second, where]) => {
    const pair = `${JSON.stringify(key)}:${first},${JSON.stringify(key)}:${second}`;
    const texts = [
      `{${pair}}`,
      `{"users":true,"nested":{${pair}}}`,
      key === 'users' ? '{"users":false,"\\u0075sers":true}' : `{"all":true,"list":[{${pair}}]}`,
    ];
    return { bytes: utf8(texts[where] ?? `{${pair}}`), verdict: NOT_JSON, kind: 'duplicate key' };
  });

/** A valid wipe with bytes that are not UTF-8 inside a string. */
const badUtf8: fc.Arbitrary<GeneratedBody> = fc
  .constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80])
  .map((bytes) => ({
    bytes: concat('{"users":true,"note":"', new Uint8Array(bytes), '"}'),
    verdict: NOT_JSON,
    kind: 'not UTF-8',
  }));

/** Things that look like JSON and are not. */
const almostJson: fc.Arbitrary<GeneratedBody> = fc
  .constantFrom(
    "{'users':true}",
    '{users:true}',
    '{"users":true,}',
    '{"users":True}',
    '{"users":tru}',
    '{"users":NaN}',
    '{"users":true}x',
    '{"users":true}{"all":true}',
    '{"users":true} // wipe',
    '{/* c */"users":true}',
    '{"users":true',
    '"users":true}',
    '{"users"=true}',
    '{"users":01}',
    '{"users":"\u0000"}',
    '\u0000{"users":true}',
    `{"x":${'['.repeat(50_000)}`,
    `${'{"a":'.repeat(20_000)}true`,
    'null{}',
    'undefined',
  )
  .map((text) => ({ bytes: utf8(text), verdict: NOT_JSON, kind: 'almost JSON' }));

/** Whether bytes read leniently (UTF-8, JSON.parse) as an object: random input that does is not kept. */
function leniently(bytes: Uint8Array): boolean {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Random bytes and random text that are not a JSON object even to a lenient reader. */
const noise: fc.Arbitrary<GeneratedBody> = fc
  .oneof(
    fc.uint8Array({ maxLength: 96 }),
    fc.string({ unit: 'binary', maxLength: 64 }).map(utf8),
    fc.string({ maxLength: 64 }).map((text) => utf8(`{${text}`)),
  )
  .filter((bytes) => !leniently(bytes))
  .map((bytes) => ({ bytes, verdict: NOT_JSON, kind: 'noise' }));

/** Bodies that must be refused, each with its code. */
export const invalidBody: fc.Arbitrary<GeneratedBody> = fc.oneof(
  badFlag,
  noFlag,
  notObject,
  truncated,
  withBom,
  duplicateKey,
  badUtf8,
  almostJson,
  noise,
);

/** Mostly refusals, some wipes (so the fuzz also sees the device answer a wipe among them). */
export const anyBody: fc.Arbitrary<GeneratedBody> = fc.oneof(
  { arbitrary: invalidBody, weight: 6 },
  { arbitrary: validBody, weight: 1 },
);
