import { type ConsoleMode, LiveConsole, type StatusLine } from '../reports/live-console.ts';
import { colorWanted, renderSummary } from '../reports/render-console.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { planCases, type Selection } from '../src/plan/plan-cases.ts';
import { redactUrl } from '../src/results/redact.ts';
import type { Report } from '../src/results/types.ts';
import type { RunSettings } from '../src/run/execute-run.ts';
import { intFlag } from '../src/settings/parse-setting.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { describeLogin } from '../src/transports/platform-login.ts';
import { recordIntoLedger } from './record-into-ledger.ts';
import type { RunEvent } from './run-with-reports.ts';
import { TOOL } from './tool-info.ts';

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
}

/** One run's console: it is told the run's events and prints them; `stop` when the run is over, however. */
export interface RunConsole {
  onEvent: (event: RunEvent) => void;
  note: (text: string) => void;
  /** Records the finished run into the ledger (when one is set), then prints the summary and the reports. */
  finish: (report: Report, written: Record<string, string>) => Promise<void>;
  stop: () => void;
}

/**
 * The console of one run of these settings on `out`: case lines (or the live status line on a terminal),
 * and at the end the summary and where the reports are, as `run` prints them.
 */
export async function openRunConsole(
  settings: RunSettings,
  outDir: string,
  reporters: readonly string[],
  out: NodeJS.WriteStream,
  options: ConsoleOptions = {},
): Promise<RunConsole> {
  const shown = reporters.includes('console');
  const style = { color: colorWanted(process.env, Boolean(out.isTTY)) };
  const mode: ConsoleMode = !shown || options.quiet ? 'quiet' : options.status || out.isTTY ? 'live' : 'plain';
  // log-update is loaded only for a terminal (reports/status-line.ts).
  const status =
    mode === 'live'
      ? (options.status ?? (await import('../reports/status-line.ts')).terminalStatusLine(out, (t) => t))
      : undefined;
  const live = new LiveConsole(out, { mode, style, status: await status, heartbeatMs: heartbeatFromEnv() });
  const onEvent = (event: RunEvent): void => {
    if (event.type === 'start') {
      const what = settings.rerunOf ? 'cases to run again' : 'cases';
      // A resumed run's kept results count for the live line: its count, its clock and its estimate.
      const kept = new Set(event.plan.kept);
      live.start(
        event.plan,
        `sophon-conformance ${TOOL.version}: ${event.plan.total} ${what} of suite ${event.plan.suite} against ${redactUrl(settings.target)}`,
        (settings.earlier?.results ?? []).filter((r) => kept.has(r.id)),
      );
    } else if (event.type === 'phase') live.phase(event.phase);
    else if (event.type === 'result') live.result(event.result);
    else if (event.type === 'login-endpoint')
      live.note(
        `platform login endpoint: set MQ_LOGIN_URL on the device to ${event.url} (waiting up to ${settings.upWithinMs} ms, --up-within, for it to log in there and consume its command queue ${settings.amqp?.commandQueue})`,
      );
    else if (event.type === 'login') live.note(redactUrl(describeLogin(event.login)));
    else if (event.type === 'notice') live.note(event.line);
  };
  const finish = async (report: Report, written: Record<string, string>): Promise<void> => {
    // Before the summary, whose last line stays the counts; a ledger that fails changes no verdict.
    const ledgerLine = options.ledger
      ? await recordIntoLedger(report, written.json ?? outDir, options.ledger)
      : undefined;
    if (ledgerLine && !shown) process.stderr.write(`${ledgerLine}\n`);
    if (!shown) return;
    live.finish([
      ...(ledgerLine ? [ledgerLine] : []),
      ...renderSummary(report, style),
      ...(options.quiet ? [] : Object.entries(written).map(([kind, path]) => `${kind} report: ${path}`)),
      ...(report.complete
        ? []
        : [options.incompleteAdvice ?? `continue it: sophon-conformance run --resume ${outDir}`]),
    ]);
  };
  return { onEvent, note: (text) => live.note(text), finish, stop: () => live.stop() };
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

// Off a terminal, a line every SOPHON_HEARTBEAT_MS (default 30 s) while a case waits and nothing is printed.
function heartbeatFromEnv(): number | undefined {
  const value = process.env.SOPHON_HEARTBEAT_MS;
  return value === undefined ? undefined : intFlag('SOPHON_HEARTBEAT_MS', value, 100);
}

export { colorWanted } from '../reports/render-console.ts';
// The status line a run draws on (a test hands its own); whether the terminal wants colour.
export type { StatusLine };
