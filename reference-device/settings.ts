import { type Body, invalidArgument, missingArgument, optionalObject, optionalString } from './arguments.ts';
import { CONFIG_DEFAULTS, type ConfigValue, defaultSettings } from './setting-defaults.ts';
import type { Store } from './store.ts';
import { VendorError } from './vendor-error.ts';

// The defaults live apart so that the store can start from them without importing these commands.
export { CONFIG_DEFAULTS, type ConfigValue, defaultSettings };

type Check = (value: unknown) => boolean;

const integerAtLeast =
  (min: number): Check =>
  (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min;

const CHECKS: Readonly<Record<string, Check>> = {
  MATCH_THRESHOLD: (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100,
  GATE_DUPLICATE_REMOVAL_TIMEOUT: integerAtLeast(0),
  GATE_PASS_MODE: (value) => value === 'normal' || value === 'allpass' || value === 'allforbidden',
  GATE_SUPPORT_STRANGER_GROUP: (value) => typeof value === 'boolean',
  HISTORY_REPORT_PEROID: integerAtLeast(1),
  MEDIA_DEVICE_MONITOR_REPORT_PEROID: integerAtLeast(1),
};

/** Whether `name` is a setting this device has. */
export function isConfigName(name: string): boolean {
  return Object.hasOwn(CONFIG_DEFAULTS, name);
}

/**
 * Validates a whole `config_dict` before anything is applied, so setconfigs is all-or-nothing:
 * an unknown key or a value of the wrong type or range is INVALID_ARGUMENTS naming it.
 */
export function validateConfigDict(dict: Record<string, unknown>): Record<string, ConfigValue> {
  const entries = Object.entries(dict);
  if (entries.length === 0) throw new VendorError('INVALID_ARGUMENTS', 'config_dict: {} (no setting to change)');
  const valid: Record<string, ConfigValue> = {};
  for (const [name, value] of entries) {
    const check = CHECKS[name];
    if (!check) throw new VendorError('INVALID_ARGUMENTS', `config_dict: unknown setting ${JSON.stringify(name)}`);
    if (!check(value)) throw new VendorError('INVALID_ARGUMENTS', `${name}: ${JSON.stringify(value)}`);
    valid[name] = value as ConfigValue;
  }
  return valid;
}

/** `getconfigs`: every setting, or the one named by `config_name`. */
export function getConfigs(store: Store, body: Body): Record<string, ConfigValue> {
  const name = optionalString(body, 'config_name');
  const settings = store.state.settings;
  if (name === undefined) return { ...settings };
  if (!isConfigName(name)) throw invalidArgument('config_name', name, 'unknown setting');
  return { [name]: settings[name] ?? (CONFIG_DEFAULTS[name] as ConfigValue) };
}

/** `setconfigs`: validates every value first, then changes them in one transaction; answers the new values. */
export async function setConfigs(store: Store, body: Body): Promise<Record<string, ConfigValue>> {
  if (!Object.hasOwn(body, 'config_dict')) throw missingArgument('config_dict');
  const dict = optionalObject(body, 'config_dict') ?? {};
  const changes = validateConfigDict(dict);
  return store.commit((doc) => {
    Object.assign(doc.settings, changes);
    return { ...changes };
  });
}
