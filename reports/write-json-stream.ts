import { closeSync, openSync, writeSync } from 'node:fs';

// Flushed to the file whenever this much text is pending: a 10,000-case report never exists as one string.
const CHUNK_CHARS = 1 << 16;
// Arrays and objects this deep are written member by member; deeper values go through JSON.stringify whole.
const STREAM_DEPTH = 3;

/**
 * Writes `value` to `path` exactly as `${JSON.stringify(value, null, 2)}\n` would, without ever holding the
 * whole text: the outer levels (the report, its results, each result) are written member by member, and
 * each smaller value is stringified alone and indented to its place. The output is byte-identical, because
 * JSON.stringify never puts a raw newline inside a string, so re-indenting a nested value's text is exact.
 */
export function writeJsonFile(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  let pending = '';
  const emit = (text: string) => {
    pending += text;
    if (pending.length >= CHUNK_CHARS) {
      writeSync(fd, pending);
      pending = '';
    }
  };
  try {
    writeValue(emit, prepared(value, ''), 0, '');
    emit('\n');
    writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
}

// JSON.stringify's rules, member by member (the caller has applied toJSON): undefined, functions and symbols are left out of
// objects and written as null in arrays; everything else keeps its key order.
function writeValue(emit: (text: string) => void, value: unknown, depth: number, indent: string): void {
  if (depth >= STREAM_DEPTH || value === null || typeof value !== 'object') {
    const text = JSON.stringify(value, null, 2);
    emit(indent === '' ? text : text.replaceAll('\n', `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      emit('[]');
      return;
    }
    emit('[');
    value.forEach((item, i) => {
      emit(i === 0 ? `\n${inner}` : `,\n${inner}`);
      const member = prepared(item, String(i));
      if (omitted(member)) emit('null');
      else writeValue(emit, member, depth + 1, inner);
    });
    emit(`\n${indent}]`);
    return;
  }
  let first = true;
  for (const [name, raw] of Object.entries(value)) {
    const member = prepared(raw, name);
    if (omitted(member)) continue;
    emit(`${first ? '{' : ','}\n${inner}${JSON.stringify(name)}: `);
    first = false;
    writeValue(emit, member, depth + 1, inner);
  }
  emit(first ? '{}' : `\n${indent}}`);
}

function prepared(value: unknown, key: string): unknown {
  const withToJson = value as { toJSON?: (key: string) => unknown } | null | undefined;
  if (withToJson !== null && typeof withToJson === 'object' && typeof withToJson.toJSON === 'function') {
    return withToJson.toJSON(key);
  }
  // Boxed primitives serialise as their primitive.
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return value.valueOf();
  return value;
}

function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
