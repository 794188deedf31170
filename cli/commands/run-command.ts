import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLabRun, runLabCommand } from '../../api/lab/lab-run.ts';
import { loadReport } from '../../api/load-report.ts';
import { refuseMqOnlyWithoutBroker } from '../../api/planned-transports.ts';
import { bundleFromFlags, POLICY_USAGE, policyFromFlags, writeRunBundle } from '../../api/policy-options.ts';
import { ledgerLocation } from '../../api/record-into-ledger.ts';
import { failedCases, loadResumePoint, recordSettings, restoreResumedSettings } from '../../api/resume-run.ts';
import { type ConsoleOptions, listCases, openRunConsole } from '../../api/run-console.ts';
import { listFlag, RUN_FLAGS } from '../../api/run-flags.ts';
import { runWithReports } from '../../api/run-with-reports.ts';
import { defaultReportsDir, PROJECT_ROOT, TOOL } from '../../api/tool-info.ts';
import type { StatusLine } from '../../reports/live-console.ts';
import type { RecordedSettings } from '../../reports/run-journal.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { Selection } from '../../src/plan/plan-cases.ts';
import type { Report } from '../../src/results/types.ts';
import type { RunSettings } from '../../src/run/execute-run.ts';
import { buildRunSettings, reportersOf } from '../../src/settings/build-run-settings.ts';
import { resolveRunValues } from '../../src/settings/resolve-run-values.ts';
import { settingsUsage } from '../../src/settings/settings-docs.ts';
import { EXIT_CODES_USAGE } from '../exit-codes.ts';

export const RUN_USAGE = `Usage: sophon-conformance run --target http://HOST:PORT [options]

  --lab FILE              the lab's devices: devices: [{ name, target, system-port, expected-minutes, … }]
  --shard K/N             only the K-th of N slices of the lab (or SOPHON_SHARD=K/N; --shards N takes K from
                          a Kubernetes Indexed Job's JOB_COMPLETION_INDEX); join them with: merge OUT SHARD…
                          (in a lab, --bundle FILE packs the lab's folder and specs into one .tar.gz)

${settingsUsage()}
  --list                  list the selected cases and exit
  --config FILE           settings file (default ./sophon-conformance.config.yaml; write one with init);
                          a flag beats its SOPHON_* variable, which beats the file (docs/configuration.md)
  --quiet                 print only the summary (no case lines, no status line)
  --resume DIR            continue the run cut short in DIR (its --out): finished cases keep their results,
                          the rest run, one complete report is written into DIR
  --rerun-failed REPORT   run only the fail and could-not-test cases of an earlier run (its folder,
                          report.json or bundle); target, suite and profile default to that run's
  --no-ledger             do not record the run (SOPHON_LEDGER=off does the same)
${POLICY_USAGE}

${EXIT_CODES_USAGE}`;

/** `run`: the whole check against one target; returns the exit code. */
export async function runCommand(
  argv: string[],
  out: NodeJS.WriteStream = process.stdout,
  status?: StatusLine,
): Promise<number> {
  // Several devices (--target twice, URL,system=N, --lab FILE, a shard): one run each, side by side (api/lab/lab-run.ts).
  if (isLabRun(argv)) {
    const defaultOut = () => defaultReportsDir(`${runFolderName()}-lab`);
    return runLabCommand(argv, out, { defaultOut });
  }
  return runOneTarget(argv, out, status);
}

// One target, never a lab: a lab's device runs come here too, whatever SOPHON_SHARD says.
async function runOneTarget(argv: string[], out: NodeJS.WriteStream, status?: StatusLine): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options: RUN_FLAGS, strict: true, allowPositionals: false });
  // flags > SOPHON_* environment > config file > defaults (cli/config/resolve-run-values.ts)
  const { values, origins } = resolveRunValues(flags, { env: process.env, cwd: process.cwd() });
  if (values.help) {
    out.write(`${RUN_USAGE}\n`);
    return 0;
  }
  if (values.resume !== undefined && values['rerun-failed'] !== undefined) {
    throw new ConformanceError('CONFIG_INVALID', '--resume and --rerun-failed do not go together: pick one');
  }
  const resume = values.resume !== undefined ? loadResumePoint(values.resume) : undefined;
  // Every setting of the interrupted run comes back from its journal; one given again must agree.
  const restored = resume ? restoreResumedSettings(resume, values, origins) : [];
  const rerun =
    values['rerun-failed'] !== undefined ? await loadReport(values['rerun-failed'], '--rerun-failed') : undefined;
  const earlier = resume ?? (rerun ? { suite: rerun.report.suite, profile: rerun.report.profile } : undefined);
  const selection: Selection = {
    only: listFlag(values.only),
    tags: listFlag(values.tag),
    ...(rerun ? { ids: failedCases(rerun) } : {}),
  };
  if (rerun && selection.ids?.length === 0) {
    out.write(`nothing to rerun: ${rerun.source} has no fail or could-not-test case\n`);
    return 0;
  }
  // --list needs no target, but every other flag is checked as for a run: a typo must not pass silently.
  const given = values.target ?? resume?.earlier.target ?? rerun?.report.target;
  if (!given && !values.list)
    throw new ConformanceError('CONFIG_INVALID', '--target is required (e.g. --target http://192.168.1.20:5555)');
  const settings = buildRunSettings(
    { ...values, target: given, suite: values.suite ?? earlier?.suite, profile: values.profile ?? earlier?.profile },
    {
      root: PROJECT_ROOT,
      tool: TOOL,
      policy: policyFromFlags(values),
      selection,
      targetOptional: true,
      ...(resume ? { earlier: resume.earlier } : {}),
      ...(rerun
        ? {
            rerunOf: {
              report: rerun.source,
              startedAt: rerun.report.startedAt,
              target: rerun.report.target,
              cases: selection.ids?.length ?? 0,
            },
          }
        : {}),
    },
  );
  const reporters = reportersOf(values);
  const bundle = bundleFromFlags(values);
  if (values.list) {
    listCases(settings.root, settings.suite, selection, out);
    return 0;
  }
  if (!settings.amqp) refuseMqOnlyWithoutBroker(settings.root, settings.suite, selection);
  const outDir = resume?.dir ?? values.out ?? defaultReportsDir(runFolderName());
  if (restored.length) out.write(`settings of the interrupted run: ${restored.join(' ')}\n`);
  if (rerun) {
    out.write(`running again the ${selection.ids?.length} fail and could-not-test cases of ${rerun.source}\n`);
  }
  const ledger = ledgerLocation(values.ledger, values['no-ledger'] === true);
  const { report } = await runAndReport(settings, outDir, reporters, out, {
    quiet: values.quiet === true,
    status,
    ledger,
    recorded: recordSettings(values),
  });
  if (bundle) out.write(`certification bundle: ${await writeRunBundle(bundle, report, settings)}\n`);
  return report.exitCode;
}

/**
 * Runs with live console output, keeps a journal of finished cases in `outDir` as it goes (what --resume
 * continues from), and writes the reports; stops cleanly on SIGINT/SIGTERM.
 */
export async function runAndReport(
  settings: RunSettings,
  outDir: string,
  reporters: readonly string[],
  out: NodeJS.WriteStream,
  options: ConsoleOptions & {
    /** The run's settings, kept in its journal for `run --resume` (api/resume-run.ts). */
    recorded?: RecordedSettings | undefined;
  } = {},
): Promise<{ report: Report; written: Record<string, string> }> {
  // First: an --out that cannot be written is exit 2 before the device is touched (cli/describe-error.ts).
  // The folders made here go again if the run stops before writing anything (exit 2): no empty run folders.
  const created = mkdirSync(outDir, { recursive: true });
  const live = await openRunConsole(settings, outDir, reporters, out, options);
  const controller = new AbortController();
  // `on`, not `once`, and kept until the reports are written: signal-exit (log-update's cursor restore on a
  // terminal) re-raises a signal that finds no other listener, which would kill the run before its partial
  // report. A second signal is the person insisting: our listeners go and the signal is raised again.
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      removeListeners();
      process.kill(process.pid, signal);
      return;
    }
    live.note(`${signal}: stopping after the current step; writing a partial report (${signal} again: stop now)`);
    controller.abort();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  const removeListeners = () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const { report, written } = await runWithReports(
      { ...settings, signal: AbortSignal.any([settings.signal, controller.signal]) },
      { out: outDir, reporters, recorded: options.recorded, onEvent: live.onEvent },
    );
    await live.finish(report, written);
    return { report, written };
  } catch (error) {
    if (created !== undefined) removeEmptyFolders(resolve(outDir), resolve(created));
    throw error;
  } finally {
    live.stop();
    removeListeners();
  }
}

// From `dir` up to `top` (the first folder mkdir made), each folder that is empty; never one holding a file.
function removeEmptyFolders(dir: string, top: string): void {
  for (let at = dir; at.startsWith(top); at = dirname(at)) {
    if (readdirSync(at).length > 0) return;
    rmdirSync(at);
    if (at === top) return;
  }
}

/** A folder name that sorts by time and never collides within a second. */
export function runFolderName(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19)}-${process.pid}`;
}
