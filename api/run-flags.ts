import { parseArgs } from 'node:util';
import type { AmqpSettings } from '../src/run/execute-run.ts';
import { amqpSettings, type SettingValues } from '../src/settings/build-run-settings.ts';
import { RUN_SETTINGS } from '../src/settings/run-settings-registry.ts';
import { POLICY_FLAGS } from './policy-options.ts';

export {
  intFlag,
  listFlag,
  loginPathFlag,
  portFlag,
  profileFlag,
  reportersFlag,
  targetFlag,
} from '../src/settings/parse-setting.ts';
export { KNOWN_REPORTERS } from '../src/settings/run-settings-registry.ts';

type Setting = (typeof RUN_SETTINGS)[number];
type SettingFlagOptions = {
  [S in Setting as S['flag']]: S extends { multiple: true } ? { type: 'string'; multiple: true } : { type: 'string' };
};

// The settings' flags come from the registry; these are the command line's own: what to do, not how.
const ACTION_FLAGS = {
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  quiet: { type: 'boolean' },
  resume: { type: 'string' },
  'rerun-failed': { type: 'string' },
  'no-ledger': { type: 'boolean' },
} as const;

/** The flags of `run` (design §7): every setting of the registry, the actions, and the policy flags. */
export const RUN_FLAGS = {
  ...(Object.fromEntries(
    RUN_SETTINGS.map((s) => [s.flag, 'multiple' in s ? { type: 'string', multiple: true } : { type: 'string' }]),
  ) as SettingFlagOptions),
  ...ACTION_FLAGS,
  ...POLICY_FLAGS,
} as const;

/** The MQ settings from flag values (build-run-settings.ts applies the defaults). */
export function amqpFlags(values: SettingValues): AmqpSettings | undefined {
  return amqpSettings(values);
}

/** `run`'s flag values as node:util's parseArgs gives them. */
export type RunFlagValues = ReturnType<typeof parseRunFlags>['values'];

/** Parses `run`'s command line (strict: an unknown flag is an error that names it). */
export function parseRunFlags(args: string[]) {
  return parseArgs({ args, options: RUN_FLAGS, strict: true, allowPositionals: false });
}

// The settings' part of run's --help (and of docs/cli.md), and flag > SOPHON_* variable > config file, from src/settings.
export { resolveRunValues } from '../src/settings/resolve-run-values.ts';
export { settingsReference, settingsUsage } from '../src/settings/settings-docs.ts';
