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
  writeStreamed(path, (emit) => {
    streamJson(emit, value, true);
    emit('\n');
  });
}

/**
 * Emits `value` as JSON piece by piece: as JSON.stringify(value, null, 2) when `pretty`, else as
 * JSON.stringify(value). The pieces joined are byte-identical to that text.
 */
export function streamJson(emit: (text: string) => void, value: unknown, pretty: boolean): void {
  writeValue(emit, prepared(value, ''), 0, pretty ? '' : undefined);
}

/** Opens `path`, lets `write` emit text, and flushes it in chunks: the whole text never exists at once. */
export function writeStreamed(path: string, write: (emit: (text: string) => void) => void): void {
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
    write(emit);
    writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
}

// JSON.stringify's rules, member by member (the caller has applied toJSON): undefined, functions and symbols are left out of
// objects and written as null in arrays; everything else keeps its key order.
// `indent` undefined writes compact JSON (no whitespace), as JSON.stringify(value) does.
function writeValue(emit: (text: string) => void, value: unknown, depth: number, indent: string | undefined): void {
  if (depth >= STREAM_DEPTH || value === null || typeof value !== 'object') {
    if (indent === undefined) {
      emit(JSON.stringify(value));
      return;
    }
    const text = JSON.stringify(value, null, 2);
    emit(indent === '' ? text : text.replaceAll('\n', `\n${indent}`));
    return;
  }
  const inner = indent === undefined ? undefined : `${indent}  `;
  const open = inner === undefined ? '' : `\n${inner}`;
  const close = indent === undefined ? '' : `\n${indent}`;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      emit('[]');
      return;
    }
    emit('[');
    value.forEach((item, i) => {
      emit(i === 0 ? open : `,${open}`);
      const member = prepared(item, String(i));
      if (omitted(member)) emit('null');
      else writeValue(emit, member, depth + 1, inner);
    });
    emit(`${close}]`);
    return;
  }
  let first = true;
  for (const [name, raw] of Object.entries(value)) {
    const member = prepared(raw, name);
    if (omitted(member)) continue;
    emit(`${first ? '{' : ','}${open}${JSON.stringify(name)}:${inner === undefined ? '' : ' '}`);
    first = false;
    writeValue(emit, member, depth + 1, inner);
  }
  emit(first ? '{}' : `${close}}`);
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
