import { mkdirSync } from 'node:fs';
import type { PhaseEvent, RunPlan } from '../src/results/progress.ts';
import { type JournalHeader, type RecordedSettings, RunJournal } from '../src/results/run-journal.ts';
import type { CaseResult, PlatformLoginRecord, Report } from '../src/results/types.ts';
import type { RunSettings } from '../src/run/execute-run.ts';
import { writeReports } from './write-reports.ts';

/** What a run tells while it goes, in order: `start`, then `phase` and `result` events, then `end`. */
export type RunEvent =
  | { type: 'start'; plan: RunPlan }
  | { type: 'phase'; phase: PhaseEvent }
  | { type: 'result'; result: CaseResult }
  /** The platform login endpoint is up (`platform-login`): the URL to set as the device's MQ_LOGIN_URL. */
  | { type: 'login-endpoint'; url: string }
  /** A device called the login endpoint (already redacted: no broker password). */
  | { type: 'login'; login: PlatformLoginRecord }
  /** A line about the whole run, said once when the run learns it (nothing consumes the command queue, say). */
  | { type: 'notice'; line: string }
  | { type: 'end'; report: Report; written: Record<string, string> };

/** Where a run writes, and who listens. */
export interface RecordOptions {
  /** The folder for the journal and the reports; absent: nothing is written, the report is only returned. */
  out?: string | undefined;
  /** Which file reports to write into `out` (json, junit, html; `console` is the caller's to print). */
  reporters?: readonly string[] | undefined;
  onEvent?: ((event: RunEvent) => void) | undefined;
  /** The settings as given (flag → value, no secrets), kept in the journal for a resume (api/resume-run.ts). */
  recorded?: RecordedSettings | undefined;
}

/** A finished (or stopped) run: its report, its gate's exit code, and the files written by kind. */
export interface RunOutcome {
  report: Report;
  exitCode: number;
  written: Record<string, string>;
}

/**
 * Runs with fully built settings, keeps a journal of finished cases in `out` as it goes (what a resumed run
 * continues from), and writes the reports. Stopping (the settings' signal) ends after the current step with a
 * partial report: `report.complete` is false and the journal stays for a resume.
 */
export async function runWithReports(settings: RunSettings, options: RecordOptions = {}): Promise<RunOutcome> {
  // The engine (undici, the checks, the transports) loads with a run, never with `run --list` or `--help`.
  const { executeRun } = await import('../src/run/execute-run.ts');
  const emit = options.onEvent ?? (() => {});
  const out = options.out;
  // An out folder that cannot be made fails before the device is touched.
  if (out !== undefined) mkdirSync(out, { recursive: true });
  let journal: RunJournal | undefined;
  try {
    const report = await executeRun({
      ...settings,
      onStart: (plan) => {
        if (out !== undefined)
          journal = RunJournal.start(out, journalHeader(settings, plan, options.recorded), kept(settings, plan));
        emit({ type: 'start', plan });
      },
      onPhase: (phase) => emit({ type: 'phase', phase }),
      onResult: (result) => {
        journal?.append(result);
        emit({ type: 'result', result });
      },
      onLoginEndpoint: (url) => emit({ type: 'login-endpoint', url }),
      onLogin: (login) => emit({ type: 'login', login }),
      onNotice: (line) => emit({ type: 'notice', line }),
    });
    const written = out === undefined ? {} : writeReports(report, out, options.reporters ?? ['json', 'junit', 'html']);
    // A complete run's record is report.json; an interrupted one keeps its journal for a resume.
    journal?.close(report.complete && written.json !== undefined);
    emit({ type: 'end', report, written });
    return { report, exitCode: report.exitCode, written };
  } finally {
    journal?.close();
  }
}

function journalHeader(settings: RunSettings, plan: RunPlan, recorded?: RecordedSettings): JournalHeader {
  return {
    journal: 'sophon-conformance',
    tool: settings.tool.name,
    version: settings.tool.version,
    target: plan.target,
    suite: plan.suite,
    profile: settings.profile,
    selection: { only: settings.selection.only ?? [], tags: settings.selection.tags ?? [] },
    specHash: plan.specHash,
    startedAt: plan.startedAt,
    total: plan.total,
    ...(recorded ? { settings: recorded } : {}),
  };
}

// The earlier results a resumed run keeps go into its new journal first.
function kept(settings: RunSettings, plan: RunPlan): CaseResult[] {
  const ids = new Set(plan.kept);
  return (settings.earlier?.results ?? []).filter((r) => ids.has(r.id));
}
