import type { LabBundleRequest } from '../../src/bundle/write-lab-bundle.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { type LabPlan, describeLab as planLab } from '../../src/lab/describe-lab.ts';
import {
  deviceFlags,
  deviceFromTargetText,
  type Lab,
  type LabDevice,
  nameDevices,
  readLabFile,
} from '../../src/lab/lab-file.ts';
import { chooseShard, type ShardChoice } from '../../src/lab/lab-shards.ts';
import { renderLabSummary } from '../../src/lab/lab-summary.ts';
import { buildRunSettings, type SettingValues } from '../../src/settings/build-run-settings.ts';
import { resolveRunValues } from '../../src/settings/resolve-run-values.ts';
import { RUN_SETTINGS } from '../../src/settings/run-settings-registry.ts';
import { refuseMqOnlyWithoutBroker } from '../planned-transports.ts';
import { bundleFromFlags, policyFromFlags } from '../policy-options.ts';
import { ledgerLocation } from '../record-into-ledger.ts';
import { recordSettings } from '../resume-run.ts';
import { listCases } from '../run-console.ts';
import { parseRunFlags, type RunFlagValues } from '../run-flags.ts';
import { PROJECT_ROOT, TOOL } from '../tool-info.ts';
import { openLabOutput } from './lab-output.ts';
import { runLab } from './run-lab.ts';

export { worstExit } from '../../src/results/worst-exit.ts';

/** A device as the command line wrote it: its own settings in flag form (what the lab's hash covers). */
export interface WrittenDevice {
  name: string;
  target: string;
  flags: string[];
  expectedMinutes?: number;
}

/** A lab as the command line gives it: every device, the flags they share, and this run's slice of it. */
export interface ParsedLab {
  /** The devices as written, for messages and tests; `lab` holds the same devices as the engine runs them. */
  devices: WrittenDevice[];
  lab: Lab;
  common: string[];
  outDir: string;
  /** Absent for a lab run without --shard: all devices, recorded as shard 1 of 1. */
  shard?: ShardChoice;
  /** `--bundle FILE [--sign-key KEY]`: in a lab, one bundle of the lab's (or shard's) folder. */
  bundle?: LabBundleRequest;
}

/** What the lab needs from `run`: the default output folder, and where SOPHON_SHARD is read (process.env). */
export interface LabHooks {
  defaultOut: () => string;
  env?: NodeJS.ProcessEnv;
}

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
 * `run` against several devices at once (api/lab/run-lab.ts): parses the lab, runs it, and prints each
 * device's console lines prefixed with its name (one status line per device on a terminal), then the lab's
 * summary. The exit code is the worst of the devices'.
 */
export async function runLabCommand(
  argv: readonly string[],
  out: NodeJS.WriteStream,
  hooks: LabHooks,
): Promise<number> {
  const env = hooks.env ?? process.env;
  const parsed = parseLab(argv, hooks.defaultOut, env);
  const values = commonValues(parsed, env);
  if (values.resume !== undefined || values['rerun-failed'] !== undefined) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--${values.resume !== undefined ? 'resume' : 'rerun-failed'} continues one device's run: give it without --lab, a second --target or a shard`,
    );
  }
  const shared = settingsOf(values);
  const shard = parsed.shard ? { index: parsed.shard.index, count: parsed.shard.count } : undefined;
  if (values.list) {
    // The cases every device would run (the shared settings checked as a run checks them), then the devices.
    const { lab, members } = planLab(parsed.lab.devices, shared, shard);
    const settings = buildRunSettings(shared, { root: PROJECT_ROOT, tool: TOOL, targetOptional: true });
    listCases(settings.root, settings.suite, settings.selection, out);
    const slice = shard ? ` (shard ${lab.shard.index}/${lab.shard.count} of the lab's ${lab.devices.length})` : '';
    out.write(
      `on ${members.length} device${members.length === 1 ? '' : 's'}${slice}: ${members.map((d) => `${d.name} ${d.target}`).join(', ')}\n`,
    );
    return 0;
  }
  const { repeat } = policyFromFlags(values.repeat === undefined ? {} : { repeat: values.repeat });
  const output = await openLabOutput(out, {
    quiet: values.quiet === true,
    outDir: parsed.outDir,
    sharded: !!shard,
    // Each device's run is recorded into the ledger, as a run of one device is.
    ledger: ledgerLocation(values.ledger, values['no-ledger'] === true),
  });
  const controller = new AbortController();
  const stop = (signal: string) => {
    output.note(`${signal}: stopping after the current step; writing a partial report`);
    controller.abort();
  };
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    const request = { devices: parsed.lab.devices, shared, out: parsed.outDir, shard, bundle: parsed.bundle, repeat };
    const outcome = await runLab(
      {
        ...request,
        signal: controller.signal,
        // Each device's journal keeps its settings, so `run --resume <out>/<name>` continues that device alone.
        record: (values) =>
          recordSettings(
            Object.fromEntries(
              Object.entries(values).map(([flag, v]) => [flag, typeof v === 'number' ? String(v) : v]),
            ) as Parameters<typeof recordSettings>[0],
          ),
        refuse: (settings) => {
          if (!settings.amqp) refuseMqOnlyWithoutBroker(settings.root, settings.suite, settings.selection);
        },
      },
      output.onEvent,
    );
    await output.close();
    const { summary, summaryPath, bundlePath, exitCode } = outcome;
    out.write(`${renderLabSummary(summary.devices, exitCode).join('\n')}\nlab summary: ${summaryPath}\n`);
    if (bundlePath) out.write(`lab bundle: ${bundlePath}\n`);
    return exitCode;
  } finally {
    await output.close();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/**
 * The lab as merge will check it (src/lab/describe-lab.ts), from the shared flags resolved as `run` resolves
 * them (flags, SOPHON_* variables, the config file).
 */
export function describeLab(parsed: ParsedLab, env: NodeJS.ProcessEnv): LabPlan {
  const shard = parsed.shard ? { index: parsed.shard.index, count: parsed.shard.count } : undefined;
  return planLab(parsed.lab.devices, settingsOf(commonValues(parsed, env)), shard);
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
  const devices = nameDevices([
    ...values('--target').map(deviceFromTargetText),
    ...values('--lab').flatMap((file) => readLabFile(file)),
  ]);
  if (devices.length === 0) throw new ConformanceError('CONFIG_INVALID', 'a lab run needs at least one device');
  const shard = chooseShard({ shard: values('--shard'), shards: values('--shards'), env });
  const [out, ...moreOut] = values('--out');
  if (moreOut.length) throw new ConformanceError('CONFIG_INVALID', '--out is given more than once; give it once');
  const outDir = out ?? `${defaultOut()}${shard ? `-shard-${shard.index}-of-${shard.count}` : ''}`;
  const [bundlePath, ...moreBundles] = values('--bundle');
  const [signKey] = values('--sign-key');
  if (moreBundles.length) throw new ConformanceError('CONFIG_INVALID', '--bundle is given more than once');
  const bundle = bundleFromFlags({ bundle: bundlePath, 'sign-key': signKey });
  return {
    devices: devices.map(written),
    lab: { devices },
    common,
    outDir,
    ...(shard ? { shard } : {}),
    ...(bundle ? { bundle } : {}),
  };
}

/** `URL[,system=N][,name=NAME][,FLAG=VALUE…]`, FLAG being any setting of run (e.g. `up-queue`). */
export function deviceFromTarget(text: string): WrittenDevice {
  return written(deviceFromTargetText(text));
}

function written(device: LabDevice): WrittenDevice {
  return {
    name: device.name,
    target: device.target,
    flags: deviceFlags(device),
    ...(device.expectedMinutes !== undefined ? { expectedMinutes: device.expectedMinutes } : {}),
  };
}

// The shared flags, then SOPHON_* variables and the config file, as one device's `run` would read them.
function commonValues(parsed: ParsedLab, env: NodeJS.ProcessEnv): RunFlagValues {
  return resolveRunValues(parseRunFlags(parsed.common).values, { env, cwd: process.cwd() }).values;
}

// The settings among the flag values (the rest are the command line's own: --list, --quiet, --repeat…).
function settingsOf(values: RunFlagValues): SettingValues {
  const all = values as Record<string, SettingValues[keyof SettingValues]>;
  return Object.fromEntries(
    RUN_SETTINGS.map((s) => [s.flag, all[s.flag]] as const).filter(([, v]) => v !== undefined),
  ) as SettingValues;
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
