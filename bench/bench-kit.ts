import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PACKAGE_ROOT } from '../src/package-root.ts';
import type { Report } from '../src/results/types.ts';

/** The project's root folder (specs/, suites/, bin/). */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** The CLI as users run it: the compiled code in dist/ (npm run build). */
export const BIN = join(PROJECT_ROOT, 'bin', 'sophon-conformance.mjs');

/** Stops a benchmark of the CLI early, with what to do, when dist/ was never built. */
export function requireBuild(): void {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('dist/ is missing: run `npm run build` first (the benchmark measures the compiled CLI)\n');
    process.exit(2);
  }
}

/** What one run of a Node child cost: wall time from spawn to exit, and its peak RSS. */
export interface NodeRunFigures {
  wallMs: number;
  peakRssMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ARGS…` to its end with bench/rss-probe.mjs preloaded, which writes the child's peak RSS
 * (getrusage maxRSS) as it exits. The preload is one small module: the same for every contender.
 */
export function measureNode(args: readonly string[], options: { cwd?: string } = {}): NodeRunFigures {
  const dir = mkdtempSync(join(tmpdir(), 'sophon-bench-rss-'));
  const file = join(dir, 'peak');
  try {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--import', join(PROJECT_ROOT, 'bench', 'rss-probe.mjs'), ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, RSS_PROBE_FILE: file, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallMs = performance.now() - started;
    const peakRssMb = existsSync(file) ? Number(readFileSync(file, 'utf8')) / 1_048_576 : Number.NaN;
    return { wallMs, peakRssMb, status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The median of a list of numbers; NaN when empty. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Prints one benchmark figure as a JSON line on stdout: the only thing a benchmark prints there. */
export function emit(bench: string, figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench, ...figures })}\n`);
}

/** What the figures were measured on (RESULTS.md records it beside them). */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
}

/** The q-quantile (0..1) of a list of numbers, nearest rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to one decimal, for figures in ms. */
export function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

/** A reference device in a child process, so its CPU is not the benchmark's event loop. */
export interface DeviceProcess {
  /** The child's process id (its CPU can be read from /proc/<pid>/stat while it runs). */
  pid: number;
  url: string;
  systemUrl: string;
  systemPort: number;
  close(): Promise<void>;
}

/** Starts `sophon-conformance device` on ephemeral ports in a child process and waits for its ready line. */
export async function startDeviceProcess(options: { bootMs?: number; faults?: string[] } = {}): Promise<DeviceProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-bench-device-'));
  const args = [
    join(PROJECT_ROOT, 'bin', 'sophon-conformance.mjs'),
    'device',
    '--port',
    '0',
    '--system-port',
    '0',
    '--data',
    dataDir,
    ...(options.bootMs !== undefined ? ['--boot-ms', String(options.bootMs)] : []),
    ...(options.faults ?? []).flatMap((f) => ['--fault', f]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the device process exited (${code}) before it was ready`)));
  });
  const api = /api (\S+)/.exec(line)?.[1];
  const system = /system (\S+)/.exec(line)?.[1];
  if (!api || !system) throw new Error(`unexpected device line: ${line}`);
  return {
    pid: child.pid as number,
    url: api,
    systemUrl: system,
    systemPort: Number(new URL(system).port),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A synthetic report's clause list: `perChannel` passing MUST clauses of each channel (HTTP-0…, MQ-0…). */
export function passingClauses(perChannel: number): Report['clauses'] {
  return Array.from({ length: perChannel * 2 }, (_, i) => ({
    id: `${i < perChannel ? 'HTTP' : 'MQ'}-${i % perChannel}`,
    level: 'MUST' as const,
    text: 'a clause',
    source: 'doc',
    cases: [],
    verdict: 'pass' as const,
  }));
}
