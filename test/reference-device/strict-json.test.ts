import { describe, expect, it } from 'vitest';
import { findDuplicateKey, readJsonObject } from '../../reference-device/strict-json.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readJsonObject (HTTP-3)', () => {
  it.each([
    ['{"users":true}', { users: true }],
    ['  {"users":true, "x": [1, {"y": null}]}\n', { users: true, x: [1, { y: null }] }],
    ['{"a":{"b":1},"b":{"a":2}}', { a: { b: 1 }, b: { a: 2 } }],
    ['{"a":[{"k":1},{"k":2}]}', { a: [{ k: 1 }, { k: 2 }] }],
    ['{"k\\"ey":1,"k\\\\":2}', { 'k"ey': 1, 'k\\': 2 }],
  ])('accepts %s', (text, value) => {
    expect(readJsonObject(bytes(text))).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'syntax'],
    ['{"users":true', 'syntax'],
    ["{'users':true}", 'syntax'],
    ['{"users":true,}', 'syntax'],
    ['\ufeff{"users":true}', 'bom'],
    ['[]', 'not-object'],
    ['"x"', 'not-object'],
    ['true', 'not-object'],
    ['null', 'not-object'],
    ['{"users":true,"users":true}', 'duplicate-key'],
    ['{"a":1,"\\u0061":2}', 'duplicate-key'],
    ['{"o":{"k":1,"k":2}}', 'duplicate-key'],
    ['{"l":[{"k":1,"k":2}]}', 'duplicate-key'],
  ])('refuses %j as %s', (text, reason) => {
    expect(readJsonObject(bytes(text))).toMatchObject({ ok: false, reason });
  });

  it('refuses bytes that are not UTF-8 and a body that is absent', () => {
    expect(readJsonObject(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]))).toMatchObject({ ok: false, reason: 'encoding' });
    expect(readJsonObject(undefined)).toMatchObject({ ok: false, reason: 'syntax' });
  });

  it('finds duplicates at depth without recursion', () => {
    const deep = `${'['.repeat(50_000)}{"a":1,"a":2}${']'.repeat(50_000)}`;
    expect(findDuplicateKey(deep)).toBe('a');
    expect(findDuplicateKey('{"a":"{\\"a\\":1}","b":"a"}')).toBeUndefined();
  });
});
