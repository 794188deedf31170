import { resolve } from 'node:path';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { Selection } from '../plan/plan-cases.ts';
import type { CasePolicy } from '../run/case-policy.ts';
import type { AmqpSettings, RunSettings } from '../run/execute-run.ts';
import {
  amqpUrlFlag,
  intFlag,
  listFlag,
  loginPathFlag,
  portFlag,
  profileFlag,
  reportersFlag,
  targetFlag,
} from './parse-setting.ts';
import { defaultOf, RUN_SETTINGS, type SettingFlag } from './run-settings-registry.ts';

/**
 * A run's settings as given: each in flag form (the text of a flag, a SOPHON_* variable or a config value), or
 * in its own type from code (a number for a window). Absent ones take the registry's default.
 */
export type SettingValues = { [F in SettingFlag]?: string | number | readonly string[] | undefined };

/** What a run needs beside its settings: where the specs are, who runs it, and what it continues. */
export interface RunRuntime {
  /** Folder holding specs/ and suites/ when `--specs` is not given (the package's own). */
  root: string;
  tool: { name: string; version: string };
  signal?: AbortSignal | undefined;
  policy?: CasePolicy | undefined;
  /** The selection as already resolved (a resumed run's, a rerun's ids); absent: --only and --tag. */
  selection?: Selection | undefined;
  earlier?: RunSettings['earlier'];
  rerunOf?: RunSettings['rerunOf'];
  /** `run --list`: no target needed, every other setting still checked. */
  targetOptional?: boolean;
}

/** How long the target may take to answer at the start before the run gives up (exit 2). */
const PREFLIGHT_MS = 5_000;

/**
 * The one place a run's settings are built and defaulted: the command line, the demo, the matrices and
 * the programmatic API all come here. A bad value is CONFIG_INVALID naming its flag.
 */
export function buildRunSettings(values: SettingValues, runtime: RunRuntime): RunSettings {
  const text = (flag: SettingFlag): string | undefined => {
    const v = values[flag];
    return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : String(v);
  };
  const int = (flag: SettingFlag, min: number): number => intFlag(flag, text(flag), min) ?? defaultOf<number>(flag);
  const given = text('target');
  if (given === undefined && !runtime.targetOptional) {
    throw new ConformanceError('CONFIG_INVALID', '--target is required (e.g. --target http://192.168.1.20:5555)');
  }
  const downWithinMs = int('down-within', 1);
  const systemPort = portFlag('system-port', text('system-port')) ?? defaultOf<number>('system-port');
  const specs = text('specs');
  const selection: Selection = runtime.selection ?? {
    only: listFlag(values.only as string | readonly string[] | undefined),
    tags: listFlag(values.tag as string | readonly string[] | undefined),
  };
  return {
    root: resolve(specs ?? runtime.root),
    target: given === undefined ? '' : targetFlag(given),
    systemPort: systemPort === 0 ? undefined : systemPort,
    suite: text('suite') ?? defaultOf<string>('suite'),
    selection,
    profile: profileFlag(text('profile') ?? defaultOf<string>('profile')),
    stateAdapter: text('state-adapter') ?? defaultOf<string>('state-adapter'),
    downWithinMs,
    upWithinMs: int('up-within', 1),
    quietMs: Math.min(int('quiet-ms', 0), downWithinMs),
    probeIntervalMs: int('probe-ms', 1),
    requestTimeoutMs: int('timeout', 100),
    wipeWithinMs: int('wipe-within', 100),
    caseConcurrency: int('concurrency', 1),
    preflightMs: PREFLIGHT_MS,
    recordSource: text('record-source'),
    amqp: amqpSettings(values),
    tool: runtime.tool,
    policy: runtime.policy,
    signal: runtime.signal ?? new AbortController().signal,
    ...(runtime.earlier ? { earlier: runtime.earlier } : {}),
    ...(runtime.rerunOf ? { rerunOf: runtime.rerunOf } : {}),
  };
}

/** Refuses a setting the registry does not declare (a typo in code that calls the API). */
export function assertKnownSettings(values: Record<string, unknown>): void {
  for (const flag of Object.keys(values)) {
    if (values[flag] !== undefined && !RUN_SETTINGS.some((s) => s.flag === flag)) {
      throw new ConformanceError('CONFIG_INVALID', `unknown setting ${flag}`);
    }
  }
}

/** The reports to write: `--reporter`, or all of them. */
export function reportersOf(values: SettingValues): string[] {
  return reportersFlag(values.reporter as string | readonly string[] | undefined);
}

/** The MQ settings: defaults follow sophon-api.md (command queue `queue-dev-<key>`, up queue `upload-queue`). */
export function amqpSettings(values: SettingValues): AmqpSettings | undefined {
  const text = (flag: SettingFlag): string | undefined => {
    const v = values[flag];
    return v === undefined ? undefined : String(v);
  };
  const url = text('amqp');
  if (url === undefined) {
    const stray = (['command-queue', 'up-queue', 'reply-within', 'callback-host', 'platform-login'] as const).find(
      (f) => text(f) !== undefined,
    );
    if (stray) throw new ConformanceError('CONFIG_INVALID', `--${stray} needs --amqp URL`);
    return undefined;
  }
  amqpUrlFlag(url);
  const license = text('license');
  const commandQueue = text('command-queue') ?? (license ? `queue-dev-${license}` : undefined);
  if (!commandQueue) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      '--amqp needs --command-queue Q (or --license KEY for the default queue-dev-KEY)',
    );
  }
  const callbackPort = portFlag('callback-port', text('callback-port'));
  const platformLogin = loginPathFlag(text('platform-login'));
  const listen = text('callback-listen');
  const host = text('callback-host');
  return {
    url,
    commandQueue,
    upQueue: text('up-queue') ?? defaultOf<string>('up-queue'),
    replyWithinMs: intFlag('reply-within', text('reply-within'), 1) ?? defaultOf<number>('reply-within'),
    licenseKey: license,
    callback: {
      ...(listen ? { listenHost: listen } : {}),
      ...(host ? { advertisedHost: host } : {}),
      ...(callbackPort !== undefined ? { port: callbackPort } : {}),
    },
    ...(platformLogin ? { platformLogin } : {}),
  };
}
