import { type Body, invalidArgument, missingArgument, optionalObject, optionalString } from './arguments.ts';
import type { Store } from './store.ts';
import { VendorError } from './vendor-error.ts';

/** A smart-setting value as the device stores it. */
export type ConfigValue = number | string | boolean;

/**
 * The smart settings this device has, with their documented defaults (sophon-api.md). Only keys that
 * are safe to change (no restart, no database reset) exist here; an `all` wipe restores exactly these.
 * The two `PEROID` spellings are the vendor's own.
 */
export const CONFIG_DEFAULTS: Readonly<Record<string, ConfigValue>> = {
  MATCH_THRESHOLD: 82,
  GATE_DUPLICATE_REMOVAL_TIMEOUT: 6,
  GATE_PASS_MODE: 'normal',
  GATE_SUPPORT_STRANGER_GROUP: false,
  HISTORY_REPORT_PEROID: 5,
  MEDIA_DEVICE_MONITOR_REPORT_PEROID: 60,
};

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

/** A fresh copy of the defaults. */
export function defaultSettings(): Record<string, ConfigValue> {
  return { ...CONFIG_DEFAULTS };
}

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
