import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runWithReports } from '../../api/run-with-reports.ts';
import { type ConsoleMode, LiveConsole, type StatusLine } from '../../reports/live-console.ts';
import { colorWanted, renderSummary } from '../../reports/render-console.ts';
import type { RecordedSettings } from '../../reports/run-journal.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { loadSuite } from '../../src/plan/load-suite.ts';
import { planCases, type Selection } from '../../src/plan/plan-cases.ts';
import { redactUrl } from '../../src/results/redact.ts';
import type { Report } from '../../src/results/types.ts';
import type { RunSettings } from '../../src/run/execute-run.ts';
import { buildRunSettings, reportersOf } from '../../src/settings/build-run-settings.ts';
import { settingsUsage } from '../../src/settings/settings-docs.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';
import { describeLogin } from '../../src/transports/platform-login.ts';
import { resolveRunValues } from '../config/resolve-run-values.ts';
import { EXIT_CODES_USAGE } from '../exit-codes.ts';
import { isLabRun, runLab } from '../lab-run.ts';
import { loadReport } from '../load-report.ts';
import { refuseMqOnlyWithoutBroker } from '../planned-transports.ts';
import { bundleFromFlags, POLICY_USAGE, policyFromFlags, writeRunBundle } from '../policy-options.ts';
import { ledgerLocation, recordIntoLedger } from '../record-into-ledger.ts';
import { failedCases, loadResumePoint, recordSettings, restoreResumedSettings } from '../resume-run.ts';
import { intFlag, listFlag, RUN_FLAGS } from '../run-options.ts';
import { defaultReportsDir, PROJECT_ROOT, TOOL } from '../tool-info.ts';

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
  // Several devices (--target twice, URL,system=N, --lab FILE, a shard): one run each, side by side (cli/lab-run.ts).
  if (isLabRun(argv)) {
    const defaultOut = () => defaultReportsDir(`${runFolderName()}-lab`);
    return runLab(argv, out, { runOne: runOneTarget, defaultOut });
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

/** `run --list`: one line per selected case, then how many. */
export function listCases(root: string, suiteName: string, selection: Selection, out: NodeJS.WriteStream): void {
  const catalogue = loadSpecs(root);
  const planned = planCases(catalogue.cases, loadSuite(root, suiteName), selection);
  for (const c of planned) {
    const needs = c.spec.requires ? `  requires ${c.spec.requires.join(',')}` : '';
    out.write(`${c.spec.id}  ${c.spec.level}  [${(c.spec.tags ?? []).join(',')}]${needs}  ${c.spec.title}\n`);
  }
  out.write(`${planned.length} cases in suite ${suiteName}\n`);
}

/** How the console of a run behaves (run-command's flags; lab mode hands each device a status line). */
export interface ConsoleOptions {
  /** --quiet: only the summary. */
  quiet?: boolean;
  /** Where the live status line goes, when not on `out` itself (one line per device in lab mode). */
  status?: StatusLine | undefined;
  /** What an interrupted run's last line advises (default: `run --resume <out>`, which needs the same device). */
  incompleteAdvice?: string;
  /** The results ledger the run records into once its reports are written (none: not recorded). */
  ledger?: string | undefined;
  /** The run's settings, kept in its journal for `run --resume` (cli/resume-run.ts). */
  recorded?: RecordedSettings | undefined;
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
  options: ConsoleOptions = {},
): Promise<{ report: Report; written: Record<string, string> }> {
  // First: an --out that cannot be written is exit 2 before the device is touched (cli/describe-error.ts).
  mkdirSync(outDir, { recursive: true });
  const shown = reporters.includes('console');
  const style = { color: colorWanted(process.env, Boolean(out.isTTY)) };
  const mode: ConsoleMode = !shown || options.quiet ? 'quiet' : options.status || out.isTTY ? 'live' : 'plain';
  // log-update is loaded only for a terminal (reports/status-line.ts).
  const status =
    mode === 'live'
      ? (options.status ?? (await import('../../reports/status-line.ts')).terminalStatusLine(out, (t) => t))
      : undefined;
  const live = new LiveConsole(out, {
    mode,
    style,
    status: await status,
    heartbeatMs: heartbeatFromEnv(),
  });
  const controller = new AbortController();
  const stop = (signal: string) => {
    live.note(`${signal}: stopping after the current step; writing a partial report`);
    controller.abort();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    const { report, written } = await runWithReports(
      { ...settings, signal: AbortSignal.any([settings.signal, controller.signal]) },
      {
        out: outDir,
        reporters,
        recorded: options.recorded,
        onEvent: (event) => {
          if (event.type === 'start') {
            const what = settings.rerunOf ? 'cases to run again' : 'cases';
            live.start(
              event.plan,
              `sophon-conformance ${TOOL.version}: ${event.plan.total} ${what} of suite ${event.plan.suite} against ${redactUrl(settings.target)}`,
            );
          } else if (event.type === 'phase') live.phase(event.phase);
          else if (event.type === 'result') live.result(event.result);
          else if (event.type === 'login-endpoint')
            live.note(
              `platform login endpoint: set MQ_LOGIN_URL on the device to ${event.url} (waiting up to ${settings.upWithinMs} ms, --up-within, for it to log in there and consume its command queue ${settings.amqp?.commandQueue})`,
            );
          else if (event.type === 'login') live.note(redactUrl(describeLogin(event.login)));
          else if (event.type === 'notice') live.note(event.line);
        },
      },
    );
    // Before the summary, whose last line stays the counts; a ledger that fails changes no verdict.
    const ledgerLine = options.ledger
      ? await recordIntoLedger(report, written.json ?? outDir, options.ledger)
      : undefined;
    if (ledgerLine && !shown) process.stderr.write(`${ledgerLine}\n`);
    if (shown) {
      live.finish([
        ...(ledgerLine ? [ledgerLine] : []),
        ...renderSummary(report, style),
        ...(options.quiet ? [] : Object.entries(written).map(([kind, path]) => `${kind} report: ${path}`)),
        ...(report.complete
          ? []
          : [options.incompleteAdvice ?? `continue it: sophon-conformance run --resume ${outDir}`]),
      ]);
    }
    return { report, written };
  } finally {
    live.stop();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

// Off a terminal, a line every SOPHON_HEARTBEAT_MS (default 30 s) while a case waits and nothing is printed.
function heartbeatFromEnv(): number | undefined {
  const value = process.env.SOPHON_HEARTBEAT_MS;
  return value === undefined ? undefined : intFlag('SOPHON_HEARTBEAT_MS', value, 100);
}

/** A folder name that sorts by time and never collides within a second. */
export function runFolderName(now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, '-').replace('T', '_').slice(0, 19)}-${process.pid}`;
}
