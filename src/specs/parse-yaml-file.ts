import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import { ConformanceError } from '../errors/conformance-error.ts';

/** A parsed YAML file that can say where any of its values was written. */
export interface YamlFile {
  path: string;
  text: string;
  data: unknown;
  /** `file:line:col` of the value at a JSON pointer-like path (segments), or of the file when not found. */
  where(segments: readonly (string | number)[]): string;
}

/** How a file is named in messages: relative to the working folder when inside it, else absolute. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function parseYamlFile(path: string, shownAs = displayPath(path)): YamlFile {
  const displayPath = shownAs;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConformanceError('SPEC_UNREADABLE', `cannot read ${displayPath}: ${(error as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ConformanceError(
      'SPEC_SYNTAX',
      first.message.split('\n')[0] ?? first.message,
      `${displayPath}:${pos.line}:${pos.col}`,
    );
  }
  const where = (segments: readonly (string | number)[]): string => {
    const offset = offsetOf(doc, segments);
    const pos = lineCounter.linePos(offset);
    return `${displayPath}:${pos.line}:${pos.col}`;
  };
  return { path: displayPath, text, data: doc.toJS(), where };
}

// Walks down as far as the path exists, so an error about a missing key points at its parent map.
function offsetOf(doc: Document, segments: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      node = pair.value;
      offset = rangeStart(pair.value) ?? rangeStart(pair.key) ?? offset;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items)) {
      const item: unknown = node.items[Number(segment)];
      if (item === undefined) break;
      node = item;
      offset = rangeStart(item) ?? offset;
    } else {
      break;
    }
  }
  return offset ?? 0;
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
    return node.range[0] as number;
  }
  return undefined;
}

/** Validates a parsed file; the first error becomes a SpecError naming file:line:col, the case id and the path. */
export function assertValid(file: YamlFile, validate: ValidateFunction, label: (segments: string[]) => string): void {
  if (validate(file.data)) return;
  const error = mostSpecific(validate.errors ?? []);
  if (!error) return;
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = error.params as Record<string, unknown>;
  let detail = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') detail = `unknown key "${String(extra.additionalProperty)}"`;
  else if (error.keyword === 'required') detail = `missing key "${String(extra.missingProperty)}"`;
  else if (error.keyword === 'const' || error.keyword === 'enum')
    detail = `${detail} (${JSON.stringify(extra.allowedValue ?? extra.allowedValues)})`;
  const at = error.keyword === 'additionalProperties' ? [...segments, String(extra.additionalProperty)] : segments;
  const path = `/${segments.join('/')}`;
  throw new ConformanceError(
    'SPEC_SCHEMA',
    `${label(segments)}${path === '/' ? '' : ` at ${path}`}: ${detail}`,
    file.where(at),
  );
}

// In a union every branch reports an error; the deepest, most concrete one is what an author needs.
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  const rank = (e: ErrorObject): number =>
    e.instancePath.split('/').length * 10 +
    (e.keyword === 'additionalProperties' ? 3 : 0) +
    (e.keyword === 'required' ? 2 : 0) +
    (e.keyword === 'anyOf' || e.keyword === 'oneOf' ? -5 : 0);
  return [...errors].sort((a, b) => rank(b) - rank(a))[0];
}
