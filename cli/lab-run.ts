import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import type { StatusLine } from '../reports/live-console.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import type { Report } from '../src/results/types.ts';
import { RUN_FLAGS } from './run-options.ts';
import { TOOL } from './tool-info.ts';

/** One device of a lab run: a name (its report folder), its target, and the run flags that are its own. */
export interface LabDevice {
  name: string;
  target: string;
  flags: string[];
}

/** How one device's run ended, as lab-summary.json records it. */
export interface LabDeviceResult {
  name: string;
  target: string;
  exitCode: number;
  out: string;
  durationMs: number;
  summary?: Report['summary'];
  /** Why the run could not be carried out (exit 2). */
  error?: string;
}

/** What the lab run needs from `run`: running one device, and the default output folder. */
export interface LabHooks {
  runOne: (argv: string[], out: NodeJS.WriteStream, status?: StatusLine) => Promise<number>;
  defaultOut: () => string;
}

// Exit codes from best to worst: a run that could not be carried out (2) is worse than a failure (1),
// which is worse than an incomplete run (3).
const EXIT_RANK = [0, 3, 1, 2];
// Per-device keys that are not run flags.
const DEVICE_KEYS = new Set(['name', 'target', 'system']);
// Run flags a device may not set for itself: the lab decides where each report goes.
const LAB_OWNED = new Set(['target', 'out', 'list', 'help']);

/** Whether `run` was asked to check several devices: `--lab FILE`, `--target` more than once, or `URL,key=value`. */
export function isLabRun(argv: readonly string[]): boolean {
  if (argv.includes('--list') || argv.includes('--help') || argv.includes('-h')) return false;
  const targets = flagValues(argv, 'target');
  return flagValues(argv, 'lab').length > 0 || targets.length > 1 || targets.some((t) => t.includes(','));
}

/**
 * `run` against several devices at once: each device gets its own run (the same flags, plus its own target,
 * system port, queues), its own report folder `<out>/<name>/`, and console lines prefixed with its name;
 * then a summary on the console and in `<out>/lab-summary.json`. The exit code is the worst of the devices'.
 */
export async function runLab(argv: readonly string[], out: NodeJS.WriteStream, hooks: LabHooks): Promise<number> {
  const { devices, common, outDir } = parseLab(argv, hooks.defaultOut);
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const width = Math.max(...devices.map((d) => d.name.length));
  out.write(`sophon-conformance ${TOOL.version}: lab run on ${devices.length} devices, reports in ${outDir}\n`);
  // On a terminal, one status line per device under the lines of all of them (reports/status-line.ts): a
  // combined line would not fit four devices' phases, and each device's own line reads like a single run's.
  const board = out.isTTY && !argv.includes('--quiet') ? await statusBoard(out) : undefined;
  const sink = board ? ({ write: (text: string) => board.print(text) } as unknown as NodeJS.WriteStream) : out;
  const results = await Promise.all(
    devices.map(async (device): Promise<LabDeviceResult> => {
      const dir = join(outDir, device.name);
      const prefix = `[${device.name.padEnd(width)}] `;
      const prefixed = linePrefixer(sink, prefix);
      const started = performance.now();
      let exitCode: number;
      let error: string | undefined;
      try {
        exitCode = await hooks.runOne(
          [...common, '--target', device.target, ...device.flags, '--out', dir],
          prefixed,
          board?.slot(prefix),
        );
      } catch (thrown) {
        exitCode = 2;
        error = thrown instanceof ConformanceError ? thrown.describe() : (thrown as Error).message;
        prefixed.write(`sophon-conformance: ${error}\n`);
      }
      await new Promise<void>((resolve) => prefixed.end(resolve));
      const durationMs = Math.round(performance.now() - started);
      const summary = readSummary(join(dir, 'report.json'));
      return {
        name: device.name,
        target: device.target,
        exitCode,
        out: dir,
        durationMs,
        ...(summary ? { summary } : {}),
        ...(error ? { error } : {}),
      };
    }),
  );
  board?.done();
  const exitCode = worstExit(results.map((r) => r.exitCode));
  const summaryPath = join(outDir, 'lab-summary.json');
  writeFileSync(
    summaryPath,
    `${JSON.stringify({ tool: TOOL.name, version: TOOL.version, startedAt, finishedAt: new Date().toISOString(), exitCode, devices: results }, null, 2)}\n`,
  );
  out.write(`${renderLabSummary(results, exitCode).join('\n')}\nlab summary: ${summaryPath}\n`);
  return exitCode;
}

async function statusBoard(out: NodeJS.WriteStream) {
  const { StatusBoard, terminalStatusLine } = await import('../reports/status-line.ts');
  return new StatusBoard(await terminalStatusLine(out));
}

/** The worst of several exit codes (2 > 1 > 3 > 0). */
export function worstExit(codes: readonly number[]): number {
  return codes.reduce((worst, code) => (rank(code) > rank(worst) ? code : worst), 0);
}

function rank(code: number): number {
  const at = EXIT_RANK.indexOf(code);
  return at === -1 ? EXIT_RANK.length : at;
}

/** One line per device, then the verdict of the lab. */
export function renderLabSummary(results: readonly LabDeviceResult[], exitCode: number): string[] {
  const width = Math.max(4, ...results.map((r) => r.name.length));
  const lines = [`${'device'.padEnd(width)}  exit  pass  fail  warn  n/a  could-not-test  target`];
  for (const r of results) {
    const s = r.summary;
    const counts = s
      ? [s.pass, s.fail, s.warn, s.notApplicable].map((n) => String(n).padStart(4)).join('  ') +
        String(s.couldNotTest).padStart(16)
      : `${'-'.padStart(4)}  ${'-'.padStart(4)}  ${'-'.padStart(4)}  ${'-'.padStart(4)}${'-'.padStart(16)}`;
    lines.push(`${r.name.padEnd(width)}  ${String(r.exitCode).padStart(4)}  ${counts}  ${r.target}`);
    if (r.error) lines.push(`${' '.repeat(width)}  ${r.error}`);
  }
  lines.push(`lab: ${results.length} devices, exit ${exitCode} (the worst device's)`);
  return lines;
}

/** Splits the command line into the devices, the flags every device shares, and the lab's output folder. */
export function parseLab(
  argv: readonly string[],
  defaultOut: () => string,
): { devices: LabDevice[]; common: string[]; outDir: string } {
  const common: string[] = [];
  const targets: string[] = [];
  const labFiles: string[] = [];
  let outDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    if (name === '--target' || name === '--lab' || name === '--out') {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new ConformanceError('CONFIG_INVALID', `${name} needs a value`);
      if (name === '--target') targets.push(value);
      else if (name === '--lab') labFiles.push(value);
      else outDir = value;
    } else {
      common.push(arg);
    }
  }
  const devices = [...targets.map(deviceFromTarget), ...labFiles.flatMap(devicesFromFile)];
  if (devices.length === 0) throw new ConformanceError('CONFIG_INVALID', 'a lab run needs at least one device');
  const seen = new Map<string, number>();
  for (const device of devices) {
    const n = (seen.get(device.name) ?? 0) + 1;
    seen.set(device.name, n);
    if (n > 1) device.name = `${device.name}-${n}`;
  }
  return { devices, common, outDir: outDir ?? defaultOut() };
}

/** `URL[,system=N][,name=NAME][,FLAG=VALUE…]`, FLAG being any run flag that takes a value (e.g. `up-queue`). */
export function deviceFromTarget(text: string): LabDevice {
  const [target = '', ...pairs] = text.split(',');
  const entries: Record<string, string> = { target };
  for (const pair of pairs) {
    const [key, value] = splitOnce(pair, '=');
    if (value === undefined || key === '') {
      throw new ConformanceError('CONFIG_INVALID', `--target ${text}: "${pair}" is not KEY=VALUE`);
    }
    entries[key] = value;
  }
  return device(entries, `--target ${text}`);
}

// lab.yaml: `devices: [{ name?, target, system-port?, command-queue?, … }]`; keys are run flags.
function devicesFromFile(path: string): LabDevice[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConformanceError('CONFIG_INVALID', `--lab ${path}: ${(error as Error).message}`);
  }
  const list = (data as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConformanceError('CONFIG_INVALID', `--lab ${path}: want "devices:" with a list of { target, … }`);
  }
  return list.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ConformanceError('CONFIG_INVALID', `--lab ${path}: devices[${i}] is not a mapping`);
    }
    const entries: Record<string, string> = {};
    for (const [key, value] of Object.entries(item)) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ConformanceError('CONFIG_INVALID', `--lab ${path}: devices[${i}].${key} must be a string or number`);
      }
      entries[key] = String(value);
    }
    return device(entries, `--lab ${path}: devices[${i}]`);
  });
}

function device(entries: Record<string, string>, where: string): LabDevice {
  const { target, name, system } = entries;
  if (!target) throw new ConformanceError('CONFIG_INVALID', `${where}: no target URL`);
  const flags: string[] = [];
  if (system !== undefined) flags.push('--system-port', system);
  for (const [key, value] of Object.entries(entries)) {
    if (DEVICE_KEYS.has(key)) continue;
    const flag = (RUN_FLAGS as Record<string, { type: string } | undefined>)[key];
    if (flag?.type !== 'string' || LAB_OWNED.has(key)) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `${where}: "${key}" is not a per-device setting (name, system, or a run flag that takes a value)`,
      );
    }
    flags.push(`--${key}`, value);
  }
  return { name: safeName(name ?? defaultName(target)), target, flags };
}

function defaultName(target: string): string {
  try {
    const url = new URL(target);
    return `${url.hostname}-${url.port || '80'}`;
  } catch {
    return target;
  }
}

// A device's name becomes a folder name.
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'device';
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function flagValues(argv: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === `--${flag}`) values.push(argv[i + 1] ?? '');
    else if (arg.startsWith(`--${flag}=`)) values.push(arg.slice(flag.length + 3));
  }
  return values;
}

function readSummary(path: string): Report['summary'] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as Report).summary;
  } catch {
    return undefined;
  }
}

// Each device's console lines, whole and prefixed with its name, so parallel runs stay readable.
function linePrefixer(out: NodeJS.WriteStream, prefix: string): NodeJS.WriteStream & Writable {
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const lines = (partial + String(chunk)).split('\n');
      partial = lines.pop() ?? '';
      if (lines.length) out.write(lines.map((l) => `${prefix}${l}\n`).join(''));
      done();
    },
    final(done) {
      if (partial) out.write(`${prefix}${partial}\n`);
      done();
    },
  });
  return Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream & Writable;
}
