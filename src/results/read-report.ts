import { readFileSync } from 'node:fs';
import { type TSchema, Type } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Report } from './types.ts';

// The one reader of report.json: resume, rerun, compare, serve, merge, the lab and the ledger all read a run
// through it, so a report that is not one of ours, or one cut short or edited by hand, is refused with the
// reason wherever it is read.

const count = Type.Integer({ minimum: 0 });
const VERDICTS = ['pass', 'fail', 'warn', 'not-applicable', 'could-not-test'];
// An enum rather than a union of literals: the refusal then lists the allowed values.
const oneOf = (values: string[]) => Type.Unsafe<string>({ type: 'string', enum: values });

/** What every report.json holds (design §7); evidence and later additions are left open. */
export const REPORT_SCHEMA: TSchema = Type.Object({
  tool: Type.Literal('sophon-conformance'),
  version: Type.String(),
  target: Type.String(),
  profile: oneOf(['strict', 'lenient']),
  suite: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  complete: Type.Boolean(),
  specHash: Type.String(),
  exitCode: Type.Integer({ minimum: 0, maximum: 3 }),
  summary: Type.Object({
    total: count,
    pass: count,
    fail: count,
    warn: count,
    notApplicable: count,
    couldNotTest: count,
  }),
  clauses: Type.Array(Type.Object({ id: Type.String(), cases: Type.Array(Type.String()), verdict: Type.String() })),
  results: Type.Array(
    Type.Object({
      id: Type.String({ minLength: 1 }),
      title: Type.String(),
      level: oneOf(['MUST', 'SHOULD', 'MAY']),
      clauses: Type.Array(Type.String()),
      transport: oneOf(['http', 'amqp']),
      verdict: oneOf(VERDICTS),
      message: Type.String(),
      durationMs: Type.Number({ minimum: 0 }),
      evidence: Type.Object({}),
    }),
  ),
});

let validator: ValidateFunction | undefined;

/**
 * Checks that `data` is a sophon-conformance report and that its counts agree with its results; returns it
 * typed, or throws an Error whose message says what is wrong (`results/3/verdict: must be equal to one of …`).
 */
export function asReport(data: unknown): Report {
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(REPORT_SCHEMA);
  if (!validator(data)) {
    const error = validator.errors?.[0];
    const tool = (data as { tool?: unknown } | null)?.tool;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('is not a JSON object');
    if (tool !== 'sophon-conformance') {
      throw new Error(`is not a sophon-conformance report (tool: ${JSON.stringify(tool ?? null)})`);
    }
    const where = error?.instancePath ? error.instancePath.slice(1) : 'the report';
    const allowed = (error?.params as { allowedValues?: unknown } | undefined)?.allowedValues;
    throw new Error(
      `is not a valid report: ${where} ${error?.message ?? 'is invalid'}${allowed ? ` (${JSON.stringify(allowed)})` : ''}`,
    );
  }
  const report = data as Report;
  const s = report.summary;
  const counted = s.pass + s.fail + s.warn + s.notApplicable + s.couldNotTest;
  if (s.total !== report.results.length || counted !== s.total) {
    throw new Error(
      `is damaged: its summary counts ${s.total} cases (${counted} by verdict) but it holds ${report.results.length} results`,
    );
  }
  return report;
}

/** Parses report.json text; an Error says why it is not a report (not JSON, foreign, damaged). */
export function parseReport(text: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`is not JSON (${(error as Error).message})`);
  }
  return asReport(data);
}

/** Reads and checks a report.json; an Error says why it cannot be read or is not a report. */
export function readReport(path: string): Report {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseReport(text);
}
