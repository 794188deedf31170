import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJournal } from '../reports/run-journal.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { readReport } from '../src/results/read-report.ts';
import type { Profile, Report } from '../src/results/types.ts';
import type { EarlierRun } from '../src/run/execute-run.ts';
import type { LoadedReport } from './load-report.ts';

/** An interrupted run to continue (--resume DIR): its results, and the settings a resumed run must keep. */
export interface ResumePoint {
  dir: string;
  earlier: EarlierRun;
  suite: string;
  profile: Profile;
  /** The interrupted run's --only / --tag, when its journal says (a report.json does not). */
  selection?: { only: string[]; tags: string[] };
}

/**
 * Reads the record of a run cut short in DIR: its journal (written as each case ends, so it survives a
 * power cut or a kill), or else the partial report.json a stopped run writes. Exit 2 when there is neither,
 * or the run there is complete.
 */
export function loadResumePoint(dir: string): ResumePoint {
  const fail = (why: string): never => {
    throw new ConformanceError('RESUME_MISMATCH', `--resume ${dir}: ${why}`);
  };
  if (!existsSync(dir)) fail('no such folder (give the --out folder of the interrupted run)');
  let journal: ReturnType<typeof readJournal>;
  try {
    journal = readJournal(dir);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (journal) {
    const { header, results } = journal;
    return {
      dir: resolve(dir),
      earlier: {
        source: `the run in ${dir}`,
        startedAt: header.startedAt,
        target: header.target,
        specHash: header.specHash,
        results,
      },
      suite: header.suite,
      profile: header.profile,
      selection: header.selection,
    };
  }
  const file = join(dir, 'report.json');
  if (!existsSync(file)) fail('neither journal.ndjson nor report.json: is it the --out folder of a run?');
  let report: Report;
  try {
    report = readReport(file);
  } catch (error) {
    return fail(`report.json ${(error as Error).message}`);
  }
  if (report.complete) {
    fail(
      `the run there is complete (exit ${report.exitCode}): nothing to resume; run --rerun-failed ${dir} runs its failures again`,
    );
  }
  return {
    dir: resolve(dir),
    earlier: {
      source: `the run in ${dir}`,
      startedAt: report.startedAt,
      target: report.target,
      specHash: report.specHash,
      results: report.results,
    },
    suite: report.suite,
    profile: report.profile,
  };
}

/** The cases of an earlier run to run again (--rerun-failed): those that failed or could not be tested. */
export function failedCases(loaded: LoadedReport): string[] {
  return loaded.report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'could-not-test').map((r) => r.id);
}

/**
 * A resumed run must be the interrupted one continued: a setting given again on the command line must be the
 * one it had (exit 2 naming both otherwise).
 */
export function checkResumeFlag(point: ResumePoint, flag: string, given: string | undefined, had: string): void {
  if (given !== undefined && given !== had) {
    throw new ConformanceError(
      'RESUME_MISMATCH',
      `--resume ${point.dir}: the interrupted run had --${flag} ${had || '(none)'}, not ${given}; resume it with the same settings, or start a new run`,
    );
  }
}
