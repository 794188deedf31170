import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { readReport } from '../src/results/read-report.ts';
import { REDACTED, redactUrl } from '../src/results/redact.ts';
import { type RecordedSettings, readJournal } from '../src/results/run-journal.ts';
import type { Profile, Report } from '../src/results/types.ts';
import type { EarlierRun } from '../src/run/execute-run.ts';
import type { SettingOrigin } from '../src/settings/resolve-run-values.ts';
import { RUN_SETTINGS, type SettingKind } from '../src/settings/run-settings-registry.ts';
import type { LoadedReport } from './load-report.ts';
import { RUN_FLAGS } from './run-flags.ts';

/** An interrupted run to continue (--resume DIR): its results, and the settings a resumed run must keep. */
export interface ResumePoint {
  dir: string;
  earlier: EarlierRun;
  suite: string;
  profile: Profile;
  /** The interrupted run's --only / --tag, when its journal says (a report.json does not). */
  selection?: { only: string[]; tags: string[] };
  /** Every setting the interrupted run was given, when its journal says (journals of 0.1.0 before it do not). */
  settings?: RecordedSettings;
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
      ...(header.settings ? { settings: header.settings } : {}),
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

// What a run is not: where it writes, how it prints, and the flags that say what to do with another run.
const NOT_SETTINGS = new Set(['target', 'out', 'list', 'help', 'config', 'quiet', 'resume', 'rerun-failed']);
// The policy flags outside the registry: --repeat is a number, the bundle and its key are files.
const KINDS: Record<string, SettingKind> = {
  ...Object.fromEntries(RUN_SETTINGS.map((s) => [s.flag, s.kind])),
  repeat: 'int',
  bundle: 'path',
  'sign-key': 'path',
};

type FlagValues = Record<string, string | boolean | string[] | undefined>;

/**
 * The settings a run was given (by flag, SOPHON_* variable or config file), in the form its journal keeps
 * them: passwords in URLs as `***` (the journal is no place for a secret), paths absolute.
 */
export function recordSettings(values: FlagValues, cwd = process.cwd()): RecordedSettings {
  const recorded: RecordedSettings = {};
  for (const flag of Object.keys(RUN_FLAGS)) {
    if (NOT_SETTINGS.has(flag)) continue;
    const value = normalise(flag, values[flag], cwd);
    if (value !== undefined) recorded[flag] = value;
  }
  return recorded;
}

function normalise(flag: string, value: FlagValues[string], cwd: string): string | string[] | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (Array.isArray(value))
    return value
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
  const kind = KINDS[flag];
  // Files and folders absolute, so a run resumed from another folder reads the same ones.
  if (kind === 'path' || (kind === 'name-or-path' && /[\\/]|\.(ya?ml|[cm]?[jt]s)$/.test(value))) {
    return resolve(cwd, value);
  }
  if ((kind === 'int' || kind === 'port') && /^\d+$/.test(value.trim())) return String(Number(value));
  return redactUrl(value);
}

const show = (value: string | string[]): string => (Array.isArray(value) ? value.join(',') : value);

/**
 * A resumed run is the interrupted one continued: every setting it had comes back from the journal (system
 * port, windows, profile, queues, callback port, selection…), and a setting given again that differs from it
 * is exit 2 naming the flag and both values. A URL whose password the journal kept as `***` must be given
 * again (the same URL, password and all). Returns the settings it took from the journal, as flags.
 */
export function restoreResumedSettings(
  point: ResumePoint,
  values: FlagValues,
  origins: Record<string, SettingOrigin | undefined>,
  cwd = process.cwd(),
): string[] {
  if (values.out !== undefined && resolve(cwd, String(values.out)) !== point.dir) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--resume ${point.dir} writes its report there: leave out --out ${String(values.out)}`,
    );
  }
  const had = point.settings;
  if (!had) {
    // A journal from before settings were kept: suite, profile and selection are all it says.
    checkResumeFlag(point, 'suite', values.suite as string | undefined, point.suite);
    checkResumeFlag(point, 'profile', values.profile as string | undefined, point.profile);
    const only = normalise('only', values.only, cwd);
    const tags = normalise('tag', values.tag, cwd);
    if (point.selection && (only?.length || tags?.length)) {
      checkResumeFlag(point, 'only', show(only ?? []), point.selection.only.join(','));
      checkResumeFlag(point, 'tag', show(tags ?? []), point.selection.tags.join(','));
    }
    if (point.selection && !only?.length && !tags?.length) {
      values.only = point.selection.only;
      values.tag = point.selection.tags;
    }
    return [];
  }
  const restored: string[] = [];
  for (const flag of Object.keys(RUN_FLAGS)) {
    if (NOT_SETTINGS.has(flag)) continue;
    const before = had[flag];
    const now = normalise(flag, values[flag], cwd);
    if (now === undefined) {
      if (before === undefined) continue;
      if (!Array.isArray(before) && before.includes(`:${REDACTED}@`)) {
        throw new ConformanceError(
          'RESUME_MISMATCH',
          `--resume ${point.dir}: the interrupted run had --${flag} ${before}, whose password the journal does not keep: give --${flag} again`,
        );
      }
      values[flag] = before;
      restored.push(`--${flag} ${show(before)}`);
      continue;
    }
    if (before !== undefined && show(before) === show(now)) {
      // Given again with its password, or as it was: the value typed now is the one to use.
      continue;
    }
    const where =
      origins[flag] === 'env' ? ' (from the environment)' : origins[flag] === 'config' ? ' (from the config file)' : '';
    throw new ConformanceError(
      'RESUME_MISMATCH',
      `--resume ${point.dir}: the interrupted run had --${flag} ${before === undefined ? '(not given)' : show(before)}, not ${show(now)}${where}; resume it with its own settings (leave --${flag} out), or start a new run`,
    );
  }
  return restored;
}
