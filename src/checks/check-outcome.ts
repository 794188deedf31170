import type { CheckOutcome, CheckResult, Level } from '../results/types.ts';

/** Builds one check outcome; checks never do I/O, they judge what the transports recorded. */
export function outcome(
  check: string,
  level: Level,
  result: CheckResult | boolean,
  expected: string,
  received: string,
): CheckOutcome {
  const r: CheckResult = typeof result === 'boolean' ? (result ? 'pass' : 'fail') : result;
  return { check, level, result: r, expected, received };
}

const STRENGTH: Record<Level, number> = { MUST: 3, SHOULD: 2, MAY: 1 };

/** The weaker of two levels: a SHOULD block inside a MUST case is judged at SHOULD. */
export function weaker(a: Level, b: Level): Level {
  return STRENGTH[a] <= STRENGTH[b] ? a : b;
}

/** Short, single-line rendering of a value for expected/received texts. */
export function show(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** Raw text on one line: control characters escaped, long text cut with its length. */
export function oneLine(text: string, max = 200): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max)}… (${text.length} chars)` : escaped;
}
