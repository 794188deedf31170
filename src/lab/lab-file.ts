import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { SettingValues } from '../settings/build-run-settings.ts';
import { targetFlag } from '../settings/parse-setting.ts';
import { RUN_SETTINGS } from '../settings/run-settings-registry.ts';

/** One device of a lab: its name (its report folder), its target, and the settings that are its own. */
export interface LabDevice {
  name: string;
  target: string;
  /** The device's own settings by flag name, in flag form and in the order written (e.g. `system-port`). */
  values: SettingValues;
  /** How long its run is expected to take, from the lab file: what shards are balanced by. */
  expectedMinutes?: number;
}

/** A lab's devices, named as their report folders will be. */
export interface Lab {
  devices: LabDevice[];
}

// Per-device keys that are not settings of a run.
const DEVICE_KEYS = new Set(['name', 'target', 'system', 'expected-minutes']);
// Settings a device may not set for itself: the lab decides where each report goes.
const LAB_OWNED = new Set(['target', 'out']);
const SETTING_FLAGS = new Set<string>(RUN_SETTINGS.map((s) => s.flag));
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
 * Reads a lab file's devices, each checked and named (duplicate names numbered): what a lab console lists and
 * `run --lab FILE` runs. Every mistake is CONFIG_INVALID naming the file and the device.
 */
export function loadLab(file: string): Lab {
  return { devices: nameDevices(readLabFile(file)) };
}

/**
 * lab.yaml: `devices: [{ name?, target, system-port?, command-queue?, expected-minutes?, … }]`; keys are
 * settings of `run` by flag name. A top-level `expected-minutes:` is the run time of every device that does
 * not give its own.
 */
export function readLabFile(path: string): LabDevice[] {
  const where = `--lab ${path}`;
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message}`);
  }
  const file = data as { devices?: unknown; 'expected-minutes'?: unknown } | null;
  const list = file?.devices;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalid(`${where}: want "devices:" with a list of { target, … }`);
  }
  const unknown = Object.keys(file ?? {}).filter((k) => k !== 'devices' && k !== 'expected-minutes');
  if (unknown.length) {
    throw invalid(`${where}: unknown top-level key "${unknown[0]}" (want devices and, optionally, expected-minutes)`);
  }
  const labWide = file?.['expected-minutes'];
  const fallback = labWide === undefined ? undefined : minutes(String(labWide), `${where}: expected-minutes`);
  return list.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw invalid(`${where}: devices[${i}] is not a mapping`);
    }
    const entries: Record<string, string> = {};
    for (const [key, value] of Object.entries(item)) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw invalid(`${where}: devices[${i}].${key} must be a string or number`);
      }
      entries[key] = String(value);
    }
    const device = deviceFromEntries(entries, `${where}: devices[${i}]`);
    return device.expectedMinutes === undefined && fallback !== undefined
      ? { ...device, expectedMinutes: fallback }
      : device;
  });
}

/** `URL[,system=N][,name=NAME][,FLAG=VALUE…]`, FLAG being any setting of `run` (e.g. `up-queue`). */
export function deviceFromTargetText(text: string): LabDevice {
  const [target = '', ...pairs] = text.split(',');
  const entries: Record<string, string> = { target };
  for (const pair of pairs) {
    const [key, value] = splitOnce(pair, '=');
    if (value === undefined || key === '') throw invalid(`--target ${text}: "${pair}" is not KEY=VALUE`);
    entries[key] = value;
  }
  return deviceFromEntries(entries, `--target ${text}`);
}

/** One device from its keys as written (name, target, system, expected-minutes, and settings by flag name). */
export function deviceFromEntries(entries: Readonly<Record<string, string>>, where: string): LabDevice {
  const { target, name, system } = entries;
  if (!target) throw invalid(`${where}: no target URL`);
  // A bad address stops the whole lab before any device is touched, naming the device.
  targetFlag(target, `${where}${name !== undefined ? ` (${name})` : ''}`);
  const values: Record<string, string> = {};
  if (system !== undefined) values['system-port'] = system;
  for (const [key, value] of Object.entries(entries)) {
    if (DEVICE_KEYS.has(key)) continue;
    if (!SETTING_FLAGS.has(key) || LAB_OWNED.has(key)) {
      throw invalid(
        `${where}: "${key}" is not a per-device setting (name, system, expected-minutes, or a setting of run such as system-port)`,
      );
    }
    values[key] = value;
  }
  const expected = entries['expected-minutes'];
  return {
    name: safeName(name ?? defaultName(target)),
    target,
    values: values as SettingValues,
    ...(expected !== undefined ? { expectedMinutes: minutes(expected, `${where}: expected-minutes`) } : {}),
  };
}

/**
 * The devices with the names their folders take: a repeated name is numbered (`bench-2`), and a name the
 * lab's own files hold is refused.
 */
export function nameDevices(devices: readonly LabDevice[]): LabDevice[] {
  const seen = new Map<string, number>();
  return devices.map((device) => {
    const n = (seen.get(device.name) ?? 0) + 1;
    seen.set(device.name, n);
    const name = n > 1 ? `${device.name}-${n}` : device.name;
    if (RESERVED_NAMES.has(name)) {
      throw invalid(`device name "${name}" is taken by the lab's own files; give the device another name`);
    }
    return name === device.name ? device : { ...device, name };
  });
}

/**
 * A device's own settings in flag form (`--system-port 8888`), in the order written: how the lab's identity
 * (labHash) has always been computed, so shards of one lab file keep one hash.
 */
export function deviceFlags(device: Pick<LabDevice, 'values'>): string[] {
  return Object.entries(device.values).flatMap(([flag, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((v) => [`--${flag}`, String(v)]),
  );
}

function minutes(text: string, where: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw invalid(`${where} ${text}: want a number of minutes above 0 (e.g. 40)`);
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

function invalid(message: string): ConformanceError {
  return new ConformanceError('CONFIG_INVALID', message);
}
