import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { StatusLine } from '../reports/live-console.ts';
import { type LabBundleRequest, writeLabBundle } from '../src/bundle/write-lab-bundle.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { planCases } from '../src/plan/plan-cases.ts';
import type { LabDeviceResult, LabShardInfo, LabSummary } from '../src/results/fleet-types.ts';
import { readReport } from '../src/results/read-report.ts';
import type { Report } from '../src/results/types.ts';
import { worstExit } from '../src/results/worst-exit.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { resolveRunValues } from './config/resolve-run-values.ts';
import { assignShards, chooseShard, labHash, type ShardChoice, shardWeights } from './lab-shards.ts';
import { bundleFromFlags } from './policy-options.ts';
import { listFlag, profileFlag, RUN_FLAGS, targetFlag } from './run-options.ts';
import { PROJECT_ROOT, TOOL } from './tool-info.ts';

export type { LabDeviceResult } from '../src/results/fleet-types.ts';
export { worstExit } from '../src/results/worst-exit.ts';

/** One device of a lab run: a name (its report folder), its target, and the run flags that are its own. */
export interface LabDevice {
  name: string;
  target: string;
  flags: string[];
  /** How long its run is expected to take, from the lab file: what shards are balanced by. */
  expectedMinutes?: number;
}

/** What the lab run needs from `run`: running one device, and the default output folder. */
export interface LabHooks {
  runOne: (argv: string[], out: NodeJS.WriteStream, status?: StatusLine) => Promise<number>;
  defaultOut: () => string;
  /** Where SOPHON_SHARD and JOB_COMPLETION_INDEX are read (process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A lab as the command line gives it: every device, the flags they share, and this run's slice of it. */
export interface ParsedLab {
  devices: LabDevice[];
  common: string[];
  outDir: string;
  /** Absent for a lab run without --shard: all devices, recorded as shard 1 of 1. */
  shard?: ShardChoice;
  /** `--bundle FILE [--sign-key KEY]`: in a lab, one bundle of the lab's (or shard's) folder. */
  bundle?: LabBundleRequest;
}

// Per-device keys that are not run flags.
const DEVICE_KEYS = new Set(['name', 'target', 'system', 'expected-minutes']);
// Run flags a device may not set for itself: the lab decides where each report and bundle goes.
const LAB_OWNED = new Set(['target', 'out', 'list', 'help', 'bundle', 'sign-key']);
// Names a device's folder may not take: the lab's own files (and a lab bundle's) sit beside the device folders.
const RESERVED_NAMES = new Set([
  'lab-summary.json',
  'specs',
  'spec-hash.txt',
  'tool.json',
  'MANIFEST.sha256',
  'MANIFEST.sha256.sig',
]);

/**
 * Whether `run` was asked to check several devices: `--lab FILE`, `--target` more than once, `URL,key=value`,
 * or a shard (`--shard K/N`, `--shards N`, SOPHON_SHARD): a single device given a shard is a lab of one.
 */
export function isLabRun(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (argv.includes('--help') || argv.includes('-h')) return false;
  const targets = flagValues(argv, 'target');
  return (
    flagValues(argv, 'lab').length > 0 ||
    targets.length > 1 ||
    targets.some((t) => t.includes(',')) ||
    flagValues(argv, 'shard').length > 0 ||
    flagValues(argv, 'shards').length > 0 ||
    // A CI job's SOPHON_SHARD does not make `run --list` (which needs no device) a lab.
    (Boolean(env.SOPHON_SHARD) && !argv.includes('--list'))
  );
}

/**
 * `run` against several devices at once: each device gets its own run (the same flags, plus its own target,
 * system port, queues), its own report folder `<out>/<name>/`, and console lines prefixed with its name;
 * then a summary on the console and in `<out>/lab-summary.json`. The exit code is the worst of the devices'.
 * With a shard, only the devices of that slice run; lab-summary.json records the whole lab (its hash, every
 * device and its shard), the specs, suite and planned cases, so that `merge` can put the shards together.
 */
export async function runLab(argv: readonly string[], out: NodeJS.WriteStream, hooks: LabHooks): Promise<number> {
  const env = hooks.env ?? process.env;
  const parsed = parseLab(argv, hooks.defaultOut, env);
  const { common, outDir } = parsed;
  // Specs, suite and selection are checked once for the lab, before any device is touched.
  const { lab, members, specs } = describeLab(parsed, env);
  if (common.includes('--list')) {
    // The cases every device would run (the shared flags checked as a run checks them), then the devices.
    const code = await hooks.runOne(common, out);
    const slice = parsed.shard
      ? ` (shard ${lab.shard.index}/${lab.shard.count} of the lab's ${lab.devices.length})`
      : '';
    out.write(
      `on ${members.length} device${members.length === 1 ? '' : 's'}${slice}: ${members.map((d) => `${d.name} ${d.target}`).join(', ')}\n`,
    );
    return code;
  }
  mkdirSync(outDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const width = Math.max(0, ...members.map((d) => d.name.length));
  const slice = parsed.shard
    ? ` (shard ${lab.shard.index}/${lab.shard.count}: ${members.length} of the lab's ${lab.devices.length} devices)`
    : '';
  out.write(`sophon-conformance ${TOOL.version}: lab run on ${members.length} devices${slice}, reports in ${outDir}\n`);
  if (members.length === 0) out.write(`shard ${lab.shard.index}/${lab.shard.count} holds no device: nothing to run\n`);
  // Each device's run listens for SIGINT and SIGTERM to stop cleanly: many devices are many listeners, not a leak.
  const maxListeners = process.getMaxListeners();
  process.setMaxListeners(Math.max(maxListeners, members.length + 10));
  // On a terminal, one status line per device under the lines of all of them (reports/status-line.ts): a
  // combined line would not fit four devices' phases, and each device's own line reads like a single run's.
  const board = out.isTTY && !argv.includes('--quiet') ? await statusBoard(out) : undefined;
  const sink = board ? ({ write: (text: string) => board.print(text) } as unknown as NodeJS.WriteStream) : out;
  const results = await Promise.all(
    members.map(async (device): Promise<LabDeviceResult> => {
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
  process.setMaxListeners(maxListeners);
  const exitCode = worstExit(results.map((r) => r.exitCode));
  const summaryPath = join(outDir, 'lab-summary.json');
  const summary: LabSummary = {
    tool: TOOL.name,
    version: TOOL.version,
    startedAt,
    finishedAt: new Date().toISOString(),
    exitCode,
    devices: results,
    lab,
  };
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  out.write(`${renderLabSummary(results, exitCode).join('\n')}\nlab summary: ${summaryPath}\n`);
  if (parsed.bundle) {
    await writeLabBundle(parsed.bundle, {
      folder: outDir,
      devices: results.map((r) => r.name),
      specRoot: specs.root,
      specFiles: specs.files,
      specHash: lab.specHash,
      tool: TOOL,
      finishedAt: summary.finishedAt,
    });
    out.write(`lab bundle: ${parsed.bundle.path}\n`);
  }
  return exitCode;
}

async function statusBoard(out: NodeJS.WriteStream) {
  const { StatusBoard, terminalStatusLine } = await import('../reports/status-line.ts');
  return new StatusBoard(await terminalStatusLine(out));
}

/**
 * The lab as merge will check it: its hash and every device with its shard, and the specs, suite, profile and
 * planned cases the devices' runs will use, resolved from the shared flags as `run` resolves them. A bad suite
 * or selection stops the lab here, once, instead of once per device.
 */
export function describeLab(
  parsed: ParsedLab,
  env: NodeJS.ProcessEnv,
): { lab: LabShardInfo; members: LabDevice[]; specs: { root: string; files: string[] } } {
  const { values: flags } = parseArgs({
    args: parsed.common,
    options: RUN_FLAGS,
    strict: true,
    allowPositionals: false,
  });
  const { values } = resolveRunValues(flags, { env, cwd: process.cwd() });
  const root = resolve(values.specs ?? PROJECT_ROOT);
  const catalogue = loadSpecs(root);
  const suite = values.suite ?? 'certification';
  const selection = { only: listFlag(values.only), tags: listFlag(values.tag) };
  const planned = planCases(catalogue.cases, loadSuite(root, suite), selection);
  const count = parsed.shard?.count ?? 1;
  const index = parsed.shard?.index ?? 1;
  const shards = assignShards(shardWeights(parsed.devices), count);
  const devices = parsed.devices.map((d, i) => ({
    name: d.name,
    shard: shards[i] as number,
    ...(d.expectedMinutes !== undefined ? { expectedMinutes: d.expectedMinutes } : {}),
  }));
  return {
    lab: {
      hash: labHash(parsed.devices),
      shard: { index, count },
      devices,
      suite,
      specHash: catalogue.hash,
      profile: profileFlag(values.profile),
      selection,
      planHash: createHash('sha256')
        .update(planned.map((c) => c.spec.id).join('\n'))
        .digest('hex'),
      cases: planned.length,
    },
    members: parsed.devices.filter((_d, i) => shards[i] === index),
    specs: { root, files: catalogue.files },
  };
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

// Flags of the lab itself, taken out of the shared ones: each takes a value.
const LAB_FLAGS = new Set(['--target', '--lab', '--out', '--shard', '--shards', '--bundle', '--sign-key']);

/**
 * Splits the command line into the devices, the flags every device shares, the lab's output folder, its
 * shard (from the flags and the environment) and its bundle.
 */
export function parseLab(
  argv: readonly string[],
  defaultOut: () => string,
  env: NodeJS.ProcessEnv = process.env,
): ParsedLab {
  const common: string[] = [];
  const given = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg, '=') : [arg, undefined];
    if (LAB_FLAGS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new ConformanceError('CONFIG_INVALID', `${name} needs a value`);
      given.set(name, [...(given.get(name) ?? []), value]);
    } else {
      common.push(arg);
    }
  }
  const values = (flag: string) => given.get(flag) ?? [];
  const devices = [...values('--target').map(deviceFromTarget), ...values('--lab').flatMap(devicesFromFile)];
  if (devices.length === 0) throw new ConformanceError('CONFIG_INVALID', 'a lab run needs at least one device');
  const seen = new Map<string, number>();
  for (const device of devices) {
    const n = (seen.get(device.name) ?? 0) + 1;
    seen.set(device.name, n);
    if (n > 1) device.name = `${device.name}-${n}`;
    if (RESERVED_NAMES.has(device.name)) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `device name "${device.name}" is taken by the lab's own files; give the device another name`,
      );
    }
  }
  const shard = chooseShard({ shard: values('--shard'), shards: values('--shards'), env });
  const [out, ...moreOut] = values('--out');
  if (moreOut.length) throw new ConformanceError('CONFIG_INVALID', '--out is given more than once; give it once');
  const outDir = out ?? `${defaultOut()}${shard ? `-shard-${shard.index}-of-${shard.count}` : ''}`;
  const [bundlePath, ...moreBundles] = values('--bundle');
  const [signKey] = values('--sign-key');
  if (moreBundles.length) throw new ConformanceError('CONFIG_INVALID', '--bundle is given more than once');
  const bundle = bundleFromFlags({ bundle: bundlePath, 'sign-key': signKey });
  return { devices, common, outDir, ...(shard ? { shard } : {}), ...(bundle ? { bundle } : {}) };
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

/**
 * lab.yaml: `devices: [{ name?, target, system-port?, command-queue?, expected-minutes?, … }]`; keys are run
 * flags. A top-level `expected-minutes:` is the run time of every device that does not give its own.
 */
function devicesFromFile(path: string): LabDevice[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConformanceError('CONFIG_INVALID', `--lab ${path}: ${(error as Error).message}`);
  }
  const file = data as { devices?: unknown; 'expected-minutes'?: unknown } | null;
  const list = file?.devices;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConformanceError('CONFIG_INVALID', `--lab ${path}: want "devices:" with a list of { target, … }`);
  }
  const unknown = Object.keys(file ?? {}).filter((k) => k !== 'devices' && k !== 'expected-minutes');
  if (unknown.length) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--lab ${path}: unknown top-level key "${unknown[0]}" (want devices and, optionally, expected-minutes)`,
    );
  }
  const labWide = file?.['expected-minutes'];
  const fallback = labWide === undefined ? undefined : minutes(String(labWide), `--lab ${path}: expected-minutes`);
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
    const parsed = device(entries, `--lab ${path}: devices[${i}]`);
    return parsed.expectedMinutes === undefined && fallback !== undefined
      ? { ...parsed, expectedMinutes: fallback }
      : parsed;
  });
}

function device(entries: Record<string, string>, where: string): LabDevice {
  const { target, name, system } = entries;
  if (!target) throw new ConformanceError('CONFIG_INVALID', `${where}: no target URL`);
  // A bad address stops the whole lab before any device is touched, naming the device.
  targetFlag(target, `${where}${name !== undefined ? ` (${name})` : ''}`);
  const flags: string[] = [];
  if (system !== undefined) flags.push('--system-port', system);
  for (const [key, value] of Object.entries(entries)) {
    if (DEVICE_KEYS.has(key)) continue;
    const flag = (RUN_FLAGS as Record<string, { type: string } | undefined>)[key];
    if (flag?.type !== 'string' || LAB_OWNED.has(key)) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `${where}: "${key}" is not a per-device setting (name, system, expected-minutes, or a run flag that takes a value)`,
      );
    }
    flags.push(`--${key}`, value);
  }
  const expected = entries['expected-minutes'];
  return {
    name: safeName(name ?? defaultName(target)),
    target,
    flags,
    ...(expected !== undefined ? { expectedMinutes: minutes(expected, `${where}: expected-minutes`) } : {}),
  };
}

function minutes(text: string, where: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new ConformanceError('CONFIG_INVALID', `${where} ${text}: want a number of minutes above 0 (e.g. 40)`);
  }
  return n;
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
    return readReport(path).summary;
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
