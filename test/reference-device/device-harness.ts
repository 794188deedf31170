import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import {
  type DeviceOptions,
  type LifecycleEvent,
  type RunningDevice,
  startDevice,
} from '../../reference-device/start-device.ts';

/** A device started for one test, with its lifecycle recorded. */
export interface TestDevice extends RunningDevice {
  dataDir: string;
  events: LifecycleEvent[];
  /** Resolves with the `nth` event of `kind` (counting the first boot's), or rejects after `withinMs`. */
  waitFor(kind: LifecycleEvent['kind'], nth: number, withinMs?: number): Promise<LifecycleEvent>;
}

const running: { device: RunningDevice; dataDir: string }[] = [];

/** Fast defaults so a reboot takes well under 100 ms. */
export const FAST = { bootMs: 50, initMs: 10, rebootDelayMs: 20 } as const;

export async function startTestDevice(options: Partial<DeviceOptions> = {}): Promise<TestDevice> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sophon-refdev-test-'));
  const events: LifecycleEvent[] = [];
  const waiters = new Set<() => void>();
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    ...FAST,
    ...options,
    dataDir,
    onLifecycle: (event) => {
      // stop-serving/serving are the exact port moments the reboot benchmark reads; these tests assert
      // the lifecycle a client sees (down, up, ready).
      if (event.kind !== 'stop-serving' && event.kind !== 'serving') events.push(event);
      for (const wake of waiters) wake();
      options.onLifecycle?.(event);
    },
  });
  running.push({ device, dataDir });
  const waitFor = (kind: LifecycleEvent['kind'], nth: number, withinMs = 5_000) =>
    new Promise<LifecycleEvent>((resolve, reject) => {
      const check = () => {
        const found = events.filter((event) => event.kind === kind)[nth - 1];
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${kind} #${nth} within ${withinMs} ms; saw ${events.map((e) => e.kind).join(',')}`));
      }, withinMs);
      waiters.add(check);
      check();
    });
  return { ...device, dataDir, events, waitFor };
}

/** Closes every device started by this test and removes its data (call from afterEach). */
export async function stopTestDevices(): Promise<void> {
  const all = running.splice(0);
  await Promise.all(all.map(({ device }) => device.close()));
  for (const { dataDir } of all) rmSync(dataDir, { recursive: true, force: true });
}

/** One HTTP exchange as a test sees it. */
export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

export interface SendOptions {
  method?: string;
  /** A string is sent as-is; anything else as JSON. */
  body?: unknown;
  /** null: no Content-Type header at all. */
  contentType?: string | null;
  headers?: Record<string, string>;
}

/** Sends one request on a fresh connection (a rebooting device drops kept-alive ones). */
export async function send(base: string, path: string, options: SendOptions = {}): Promise<Exchange> {
  const { method = 'POST', contentType = 'application/json' } = options;
  const headers: Record<string, string> = { ...(contentType === null ? {} : { 'content-type': contentType }) };
  Object.assign(headers, options.headers);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string' || options.body instanceof Uint8Array
        ? options.body
        : JSON.stringify(options.body);
  const response = await request(new URL(path, base), {
    method: method as 'POST',
    headers,
    ...(body === undefined ? {} : { body }),
    reset: true,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** Calls a face command and returns its 200 answer (throws on anything else). */
export async function face(
  device: RunningDevice,
  command: string,
  body: unknown = {},
): Promise<Record<string, unknown>> {
  const exchange = await send(device.url, `/sophon/v2/face/${command}`, { body });
  if (exchange.status !== 200) throw new Error(`${command} answered ${exchange.status} ${exchange.text}`);
  return exchange.json as Record<string, unknown>;
}

/** POSTs wipedata with a JSON body. */
export function wipe(device: RunningDevice, body: unknown, options: Omit<SendOptions, 'body'> = {}): Promise<Exchange> {
  return send(device.url, '/sophon/v2/face/wipedata', { ...options, body });
}

/** A deterministic 512-float face feature. */
export function feature(seed: number): number[] {
  return Array.from({ length: 512 }, (_, i) => Math.round(Math.sin(seed * 1000 + i) * 1e4) / 1e4);
}

/** Non-default values for every setting. */
export const SEEDED_SETTINGS = {
  MATCH_THRESHOLD: 85,
  GATE_DUPLICATE_REMOVAL_TIMEOUT: 9,
  GATE_PASS_MODE: 'allforbidden',
  GATE_SUPPORT_STRANGER_GROUP: true,
  HISTORY_REPORT_PEROID: 7,
  MEDIA_DEVICE_MONITOR_REPORT_PEROID: 90,
} as const;

export const DEFAULT_SETTINGS = {
  MATCH_THRESHOLD: 82,
  GATE_DUPLICATE_REMOVAL_TIMEOUT: 6,
  GATE_PASS_MODE: 'normal',
  GATE_SUPPORT_STRANGER_GROUP: false,
  HISTORY_REPORT_PEROID: 5,
  MEDIA_DEVICE_MONITOR_REPORT_PEROID: 60,
} as const;

/**
 * Seeds every category: 2 permission groups, 2 identities with a face each, an RTSP camera, a file
 * input (which records one recognition per identity: 2 events), non-default settings.
 */
export function seedFixture(device: RunningDevice): Promise<void> {
  return seedWith((command, body) => face(device, command, body));
}

/** One face-API call however it reaches the device (a socket, or fastify's inject). */
export type FaceCall = (command: string, body: unknown) => Promise<Record<string, unknown>>;

/** The fixture of seedFixture, through any way of calling the device. */
export async function seedWith(call: FaceCall): Promise<void> {
  const groups = [];
  for (const name of ['staff', 'visitors']) groups.push(await call('createpermission', { permission_name: name }));
  for (const [i, name] of ['alice', 'bob'].entries()) {
    await call('createidentity', {
      identity_name: name,
      register_feature: feature(i + 1),
      permission_ids: groups.map((g) => g.permission_id),
    });
  }
  await call('addmediadevice', {
    media_device_name: 'gate camera',
    media_device_type: 'rtsp',
    media_device_url: 'rtsp://10.0.0.9:554/stream1',
  });
  await call('addmediadevice', {
    media_device_name: 'face video',
    media_device_type: 'file',
    media_device_url: 'file:///videos/faces.mp4',
  });
  await call('setconfigs', { config_dict: SEEDED_SETTINGS });
}

/** The device's state as counts and settings, read through its own API. */
export interface StateSummary {
  identities: number;
  faces: number;
  permissions: number;
  mediaDevices: number;
  events: number;
  settings: Record<string, unknown>;
}

export async function readState(device: RunningDevice): Promise<StateSummary> {
  const identities = await face(device, 'getidentities', { page_limit: 1000 });
  const list = identities.identities as { face_ids: string[] }[];
  const permissions = await face(device, 'getpermissions', { page_limit: 1000 });
  const devices = await face(device, 'getmediadevices', {});
  const events = await face(device, 'getevents', { page_limit: 1 });
  return {
    identities: list.length,
    faces: list.reduce((n, identity) => n + identity.face_ids.length, 0),
    permissions: (permissions.permissions as unknown[]).length,
    mediaDevices: (devices.devices as unknown[]).length,
    events: (events.pagination as { total_count: number }).total_count,
    settings: await face(device, 'getconfigs', {}),
  };
}

/** The state seedFixture produces. */
export const SEEDED_STATE: StateSummary = {
  identities: 2,
  faces: 2,
  permissions: 2,
  mediaDevices: 2,
  events: 2,
  settings: { ...SEEDED_SETTINGS },
};

export const EMPTY_STATE: StateSummary = {
  identities: 0,
  faces: 0,
  permissions: 0,
  mediaDevices: 0,
  events: 0,
  settings: { ...DEFAULT_SETTINGS },
};

/** Resolves after `ms`: only for asserting that something does NOT happen within a window. */
export function quiet(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
