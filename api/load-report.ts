import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkBundle } from '../src/bundle/verify-bundle.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { asReport, readReport } from '../src/results/read-report.ts';
import type { Report } from '../src/results/types.ts';

/** A report read from disk, with where it came from (for messages and the report's origin). */
export interface LoadedReport {
  report: Report;
  source: string;
}

/**
 * Reads a run's report from what a user has at hand: the run's folder (its report.json), a report.json, or a
 * certification bundle (.tar.gz, checked against its manifest first: a tampered bundle is not compared).
 * Anything else is exit 2 with one line saying what was expected. `what` names the argument in messages.
 */
export async function loadReport(path: string, what: string): Promise<LoadedReport> {
  const failAt =
    (at: string) =>
    (why: string): never => {
      throw new ConformanceError('CONFIG_INVALID', `${what} ${at}: ${why}`);
    };
  const fail = failAt(path);
  if (!existsSync(path)) fail('no such file or folder (want a run folder, a report.json or a bundle .tar.gz)');
  if (statSync(path).isDirectory()) {
    const file = join(path, 'report.json');
    if (!existsSync(file)) {
      const interrupted = existsSync(join(path, 'journal.ndjson'));
      fail(
        interrupted
          ? 'no report.json: the run was cut short (continue it with run --resume DIR)'
          : 'no report.json in this folder (is it the --out folder of a run?)',
      );
    }
    return { report: parseReport(file, failAt(file)), source: file };
  }
  if (/\.(tar\.gz|tgz)$/.test(path)) {
    const check = await checkBundle(path);
    if (check.problems.length || !check.report) {
      fail(`not an intact certification bundle (${check.problems[0] ?? 'no report.json'}); see verify ${path}`);
    }
    return { report: shaped(check.report, fail), source: path };
  }
  return { report: parseReport(path, fail), source: path };
}

function parseReport(file: string, fail: (why: string) => never): Report {
  try {
    return readReport(file);
  } catch (error) {
    return fail((error as Error).message);
  }
}

function shaped(data: unknown, fail: (why: string) => never): Report {
  try {
    return asReport(data);
  } catch (error) {
    return fail((error as Error).message);
  }
}
