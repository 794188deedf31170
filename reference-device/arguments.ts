import { VendorError } from './vendor-error.ts';

/** A request body already read as a JSON object. */
export type Body = Readonly<Record<string, unknown>>;

/** INVALID_ARGUMENTS whose message carries the parameter and its value as JSON (cut to stay readable). */
export function invalidArgument(name: string, value: unknown, why?: string): VendorError {
  const json = JSON.stringify(value) ?? String(value);
  const shown = json.length > 200 ? `${json.slice(0, 200)}…` : json;
  return new VendorError('INVALID_ARGUMENTS', `${name}: ${shown}${why ? ` (${why})` : ''}`);
}

/** MISSING_ARGUMENTS naming what is missing. */
export function missingArgument(...names: string[]): VendorError {
  return new VendorError(
    'MISSING_ARGUMENTS',
    names.length === 1 ? `missing ${names[0]}` : `missing one of: ${names.join(', ')}`,
  );
}

/** Whether the body has the key at all (a present `null` is present, and then invalid). */
export function has(body: Body, name: string): boolean {
  return Object.hasOwn(body, name);
}

export function requiredString(body: Body, name: string): string {
  if (!has(body, name)) throw missingArgument(name);
  return optionalString(body, name) as string;
}

/** A non-empty string, or undefined when the key is absent. */
export function optionalString(body: Body, name: string): string | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '')
    throw invalidArgument(name, value, 'expected a non-empty string');
  return value;
}

/** A string that may be empty (descriptions, name filters), or undefined when absent. */
export function optionalText(body: Body, name: string): string | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'string') throw invalidArgument(name, value, 'expected a string');
  return value;
}

export function optionalBoolean(body: Body, name: string): boolean | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'boolean') throw invalidArgument(name, value, 'expected true or false');
  return value;
}

export function optionalObject(body: Body, name: string): Record<string, unknown> | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(name, value, 'expected an object');
  }
  return value as Record<string, unknown>;
}

/** A list of non-empty strings, duplicates removed, order kept. */
export function optionalStringList(body: Body, name: string): string[] | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw invalidArgument(name, value, 'expected a list of non-empty strings');
  }
  return [...new Set(value as string[])];
}

export function optionalEnum<T extends string>(body: Body, name: string, allowed: readonly T[]): T | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(name, value, `expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A 0-based page of a list (sophon-api.md: page_limit default 10, page_index default 0). */
export interface Page {
  limit: number;
  index: number;
}

export function readPage(body: Body): Page {
  const limit = has(body, 'page_limit') ? body.page_limit : 10;
  const index = has(body, 'page_index') ? body.page_index : 0;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw invalidArgument('page_limit', limit, 'expected a positive integer');
  }
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
    throw invalidArgument('page_index', index, 'expected an integer from 0');
  }
  return { limit, index };
}

/** One page of `items` with the vendor's pagination block. */
export function paginate<T>(
  items: readonly T[],
  page: Page,
): { items: T[]; pagination: { page_index: number; page_limit: number; total_count: number } } {
  const start = page.index * page.limit;
  return {
    items: items.slice(start, start + page.limit),
    pagination: { page_index: page.index, page_limit: page.limit, total_count: items.length },
  };
}
