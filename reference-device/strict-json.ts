/** Why a request body is not a usable JSON object. */
export type JsonRefusal = 'syntax' | 'encoding' | 'bom' | 'not-object' | 'duplicate-key';

/** A request body read as a JSON object, or the reason it is not one. */
export type JsonObjectReading =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; reason: JsonRefusal; message: string };

/** The two points RFC 8259 leaves open (HTTP-3), as a device variant reads them; strict by default. */
export interface JsonReading {
  /** Skip a UTF-8 byte order mark (RFC 8259 §8.1 lets a parser ignore one). */
  ignoreBom?: boolean;
  /** Take the last of duplicate keys instead of refusing them (RFC 8259 §4 leaves them undefined). */
  lastKeyWins?: boolean;
}

const BOM = [0xef, 0xbb, 0xbf] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a request body as one JSON object, strictly (HTTP-3): UTF-8 only (RFC 8259 §8.1), no BOM
 * (RFC 8259 lets a parser ignore one; this device refuses it), no duplicate keys at any depth
 * (RFC 8259 §4 leaves them undefined; JSON.parse silently keeps the last, which would let
 * `{"users":true,"users":false}` mean either).
 */
export function readJsonObject(bytes: Uint8Array | undefined, reading: JsonReading = {}): JsonObjectReading {
  if (bytes === undefined || bytes.length === 0) return { ok: false, reason: 'syntax', message: 'empty request body' };
  const bom = BOM.every((byte, i) => bytes[i] === byte);
  if (bom && !reading.ignoreBom) {
    return { ok: false, reason: 'bom', message: 'a byte order mark before the JSON text is not accepted' };
  }
  const body = bom ? bytes.subarray(BOM.length) : bytes;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, reason: 'encoding', message: 'the request body is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'syntax', message: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not-object', message: `expected a JSON object, got ${describeJsonType(value)}` };
  }
  const duplicate = reading.lastKeyWins ? undefined : findDuplicateKey(text);
  if (duplicate !== undefined) {
    return { ok: false, reason: 'duplicate-key', message: `duplicate key ${JSON.stringify(duplicate)}` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The first key that occurs twice in one object of a JSON text already known to be valid, compared
 * after unescaping (`"a"` and `"\u0061"` are the same key); undefined when there is none. A reviver
 * cannot do this: it only ever sees the last value. Iterative, so deep nesting cannot overflow the stack.
 */
export function findDuplicateKey(text: string): string | undefined {
  // One frame per open container: the keys seen so far for an object, null for an array.
  const frames: { keys: Set<string> | null; expectKey: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const end = endOfString(text, i);
      const top = frames.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
      continue;
    }
    if (char === '{') frames.push({ keys: new Set(), expectKey: true });
    else if (char === '[') frames.push({ keys: null, expectKey: false });
    else if (char === '}' || char === ']') frames.pop();
    else if (char === ',') {
      const top = frames.at(-1);
      if (top?.keys) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}

// Index just past the closing quote of the string starting at `start`.
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\') i += 2;
    else if (char === '"') return i + 1;
    else i++;
  }
  return text.length;
}
