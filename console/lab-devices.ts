import { loadLab } from '../src/lab/lab-file.ts';
import { redactUrl } from '../src/results/redact.ts';
import type { SettingValues } from '../src/settings/build-run-settings.ts';
import { callApi, facePath, systemPath } from '../src/transports/device-api.ts';

/** A device of the lab file, with the settings its runs use (its own flags over the defaults). */
export interface ConsoleDevice {
  name: string;
  target: string;
  values: SettingValues;
  expectedMinutes?: number | undefined;
}

/** What the console shows of a device: never a password, a token or a broker URL's secret. */
export interface DeviceView {
  name: string;
  target: string;
  systemPort?: number | undefined;
  mq: boolean;
  broker?: string | undefined;
  expectedMinutes?: number | undefined;
}

/** What one non-destructive probe learns: is it answering, and which firmware it runs. */
export interface DeviceProbe {
  reachable: boolean;
  firmware?: Record<string, unknown> | undefined;
  error?: string | undefined;
}

/** The devices of a lab file (the format `run --lab` reads), each with its run settings. */
export function loadLabDevices(file: string): ConsoleDevice[] {
  return loadLab(file).devices.map((device) => ({
    name: device.name,
    target: device.target,
    values: { ...device.values, target: device.target },
    ...(device.expectedMinutes !== undefined ? { expectedMinutes: device.expectedMinutes } : {}),
  }));
}

export function deviceView(device: ConsoleDevice): DeviceView {
  const amqp = device.values.amqp;
  const port = device.values['system-port'];
  return {
    name: device.name,
    target: redactUrl(device.target),
    systemPort: port === undefined ? 8888 : Number(port),
    mq: amqp !== undefined,
    ...(amqp !== undefined ? { broker: redactUrl(String(amqp)) } : {}),
    ...(device.expectedMinutes !== undefined ? { expectedMinutes: device.expectedMinutes } : {}),
  };
}

/** One read the device answers without changing anything (getconfigs), and its firmware where it says. */
export async function probeDevice(device: ConsoleDevice): Promise<DeviceProbe> {
  const target = device.target.replace(/\/+$/, '');
  const answer = await callApi(target, facePath('getconfigs'), {}, 2_000);
  if (answer.kind === 'unreachable') return { reachable: false, error: answer.reason };
  const port = Number(device.values['system-port'] ?? 8888);
  if (port === 0) return { reachable: true };
  const url = new URL(target);
  url.port = String(port);
  const version = await callApi(url.origin, systemPath('getsoftwareversion'), {}, 2_000);
  return { reachable: true, ...(version.kind === 'ok' ? { firmware: version.data } : {}) };
}
