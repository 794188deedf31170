import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RecordedSettings } from '../src/results/run-journal.ts';
import type { Report } from '../src/results/types.ts';
import type { RunSettings } from '../src/run/execute-run.ts';
import { type ConsoleOptions, openRunConsole } from './run-console.ts';
import { runWithReports } from './run-with-reports.ts';

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
  // First: an --out that cannot be written is exit 2 before the device is touched (the command line's describe-error.ts).
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
