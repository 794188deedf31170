import { ConformanceError } from '../errors/conformance-error.ts';
import type { SophonConfig } from './config-schema.ts';
import { validateConfig as validateEnv } from './config-validator.compiled.ts';
import { configLedger, configPath, findConfigFile, type LoadedConfig, loadConfig } from './load-config.ts';
import { RUN_SETTINGS, type SettingDeclaration } from './run-settings-registry.ts';

/** One setting a config file or the environment can give (the registry's entries with both). */
export interface SettingSource extends SettingDeclaration {
  env: string;
  key: readonly [string] | readonly [string, string];
}

/**
 * Every setting a config file or the environment can give: the registry's (src/settings). Precedence: flag >
 * environment variable > config file > the registry's default (applied by buildRunSettings).
 */
export const SETTINGS: readonly SettingSource[] = (RUN_SETTINGS as readonly SettingDeclaration[]).filter(
  (s): s is SettingSource => s.env !== undefined && s.key !== undefined,
);

/** Where each setting that was not left at its default came from. */
export type SettingOrigin = 'flag' | 'env' | 'config';

export interface ResolvedRunValues<T> {
  values: T;
  /** The config file read, if any. */
  config: LoadedConfig | undefined;
  origins: Record<string, SettingOrigin>;
}

/**
 * Fills in the flags the command line did not give from SOPHON_* variables, then from the config file
 * (`--config FILE` or ./sophon-conformance.config.yaml), in flag form: the run command parses and
 * defaults them exactly as if they had been typed.
 */
export function resolveRunValues<T extends { config?: string | undefined }>(
  flags: T,
  options: { env: NodeJS.ProcessEnv; cwd: string },
): ResolvedRunValues<T> {
  // `run --help` answers even beside a broken config file.
  if ((flags as { help?: boolean }).help) return { values: flags, config: undefined, origins: {} };
  const configFile = findConfigFile(flags.config, options.cwd);
  const config = configFile ? loadConfig(configFile) : undefined;
  const fromEnv = readEnv(options.env);
  const values: Record<string, unknown> = { ...flags };
  const origins: Record<string, SettingOrigin> = {};
  for (const setting of SETTINGS) {
    if (values[setting.flag] !== undefined) {
      origins[setting.flag] = 'flag';
      continue;
    }
    let value = fromEnv.get(setting.flag);
    let origin: SettingOrigin = 'env';
    if (value === undefined && config) {
      const raw = lookup(config.config, setting.key);
      if (raw !== undefined) {
        value = flagForm(raw, setting, config.dir);
        origin = 'config';
      }
    }
    if (value === undefined) continue;
    // A flag that may be repeated (e.g. --target in lab mode) is parsed as a list.
    values[setting.flag] = 'multiple' in setting ? [value] : value;
    origins[setting.flag] = origin;
  }
  // A broker from the environment or a file needs its queue from there too; say so in those terms.
  const broker = origins.amqp;
  if (
    (broker === 'env' || broker === 'config') &&
    values['command-queue'] === undefined &&
    values.license === undefined
  ) {
    const from = broker === 'env' ? 'SOPHON_AMQP_URL' : `amqp.url in ${config?.path ?? 'the config file'}`;
    throw new ConformanceError(
      'CONFIG_INVALID',
      `${from} names a broker but no command queue: set --command-queue, SOPHON_COMMAND_QUEUE or amqp.commandQueue (or the license for queue-dev-<license>)`,
    );
  }
  // The MQ settings mean something only with a broker: from a file or the environment they wait for one
  // quietly (replyWithin may sit in every lab's file), while a typed flag without --amqp stays an error.
  if (values.amqp === undefined) {
    for (const flag of MQ_ONLY) {
      if (origins[flag] !== 'flag' && origins[flag] !== undefined) {
        delete values[flag];
        delete origins[flag];
      }
    }
  }
  return { values: values as T, config, origins };
}

const MQ_ONLY = SETTINGS.filter((s) => s.mqOnly).map((s) => s.flag);

function lookup(config: SophonConfig, key: SettingSource['key']): unknown {
  let node: unknown = config;
  for (const part of key) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

function flagForm(raw: unknown, setting: SettingSource, dir: string): string {
  if (Array.isArray(raw)) return raw.join(',');
  const text = String(raw);
  if (setting.kind === 'path') return configPath(dir, text);
  // The ledger: a postgres:// URL or `off` as written, a file relative to the config file.
  if (setting.kind === 'path-or-url') return configLedger(text, dir);
  // A suite or adapter written as a path (./my-suite.yaml) is relative to the file; a name stays a name.
  if (setting.kind === 'name-or-path' && (text.startsWith('.') || text.includes('/'))) return configPath(dir, text);
  return text;
}

/** The SOPHON_* variables that are set, checked against the config schema so a bad one names itself. */
function readEnv(env: NodeJS.ProcessEnv): Map<string, string> {
  const found = new Map<string, string>();
  const shaped: Record<string, unknown> = {};
  const byPath = new Map<string, SettingSource>();
  for (const setting of SETTINGS) {
    const text = env[setting.env];
    if (text === undefined || text === '') continue;
    found.set(setting.flag, text);
    const value =
      (setting.kind === 'int' || setting.kind === 'port') && /^-?\d+$/.test(text.trim())
        ? Number(text)
        : setting.kind === 'reporters'
          ? text
              .split(',')
              .map((v) => v.trim())
              .filter(Boolean)
          : text;
    const [first, second] = setting.key;
    if (second === undefined) shaped[first] = value;
    else shaped[first] = { ...(shaped[first] as Record<string, unknown> | undefined), [second]: value };
    byPath.set(`/${setting.key.join('/')}`, setting);
  }
  if (!validateEnv(shaped)) {
    const error = validateEnv.errors?.find((e) => e.instancePath !== '') ?? validateEnv.errors?.[0];
    const path = error?.instancePath ?? '';
    const setting = [...byPath].find(([p]) => path === p || path.startsWith(`${p}/`))?.[1];
    const name = setting ? `${setting.env}=${env[setting.env]}` : 'a SOPHON_* variable';
    throw new ConformanceError('CONFIG_INVALID', `${name}: ${error?.message ?? 'is invalid'}`);
  }
  return found;
}
