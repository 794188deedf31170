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

/** A fresh copy of the defaults. */
export function defaultSettings(): Record<string, ConfigValue> {
  return { ...CONFIG_DEFAULTS };
}
