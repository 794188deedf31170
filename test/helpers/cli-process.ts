import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The command line as a user runs it. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sophon-conformance.mjs');

/** How a child `sophon-conformance` process ended. */
export interface CliRun {
  /** The exit code; null when it had to be killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** It was still running at `killAfterMs` and was killed: it hung. */
  killed: boolean;
}

/**
 * Runs the command line in a child process, as a user or CI would, and waits for the process itself to
 * exit (not only for its output to end): anything that keeps it alive past the run shows as `killed`.
 * `child` is the process, for a test that cuts it short.
 */
export function runCli(
  args: readonly string[],
  options: { killAfterMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; onStdout?: (text: string) => void } = {},
): Promise<CliRun> & { child: ChildProcess } {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    options.onStdout?.(text);
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.killAfterMs ?? 60_000);
  const exited = new Promise<CliRun>((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: Math.round(performance.now() - started), killed });
    });
  });
  return Object.assign(exited, { child });
}

/** Runs the CLI and expects the bad-input answer: exit 2 and exactly one line on stderr, without a stack. */
export async function oneErrorLine(args: string[], cwd?: string): Promise<string> {
  const run = await runCli(args, { killAfterMs: 30_000, ...(cwd ? { cwd } : {}) });
  expect(run.code, run.stdout + run.stderr).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  return lines[0] as string;
}
