import type { StateCategory, StateSnapshot } from '../results/types.ts';
import { type ApiAnswer, callApi, facePath } from '../transports/device-api.ts';
import { StateAccessError, type StateAdapter, type StateAdapterContext } from './state-adapter.ts';

/** Smart settings safe to change in a test (sophon-api.md), with their documented defaults. */
export const SETTING_DEFAULTS: Readonly<Record<string, unknown>> = {
  MATCH_THRESHOLD: 82,
  GATE_DUPLICATE_REMOVAL_TIMEOUT: 6,
  GATE_PASS_MODE: 'normal',
  GATE_SUPPORT_STRANGER_GROUP: false,
  HISTORY_REPORT_PEROID: 5,
  MEDIA_DEVICE_MONITOR_REPORT_PEROID: 60,
};

// Non-default values that change no behaviour a lab cares about. GATE_PASS_MODE stays "normal" (a
// gate must not open for everyone during a test) and GATE_SUPPORT_STRANGER_GROUP stays false (stranger
// auto-enrolment would refill the face library behind the checker's back).
const SEEDED_SETTINGS: Readonly<Record<string, unknown>> = {
  MATCH_THRESHOLD: 83,
  GATE_DUPLICATE_REMOVAL_TIMEOUT: 7,
  HISTORY_REPORT_PEROID: 6,
  MEDIA_DEVICE_MONITOR_REPORT_PEROID: 61,
};

export interface SophonHttpOptions {
  /**
   * URL of a face video or photo the device can play through a `file` input device: the documented
   * API has no call that creates a recognition record, so records come from recognising a face.
   */
  recordSource?: string;
  /** How long to wait for records to appear after adding the record source. */
  recordWaitMs?: number;
}

const PAGE_LIMIT = 100;
const MAX_PAGES = 1_000;

/** The default adapter: seeds and reads through the device's own management API (sophon-api.md). */
export function createSophonHttpAdapter(context: StateAdapterContext, options: SophonHttpOptions = {}): StateAdapter {
  const { target, runTag, timeoutMs } = context;
  const recordWaitMs = options.recordWaitMs ?? 5_000;
  let serial = 0;
  const name = (kind: string) => `sc-${runTag}-${kind}-${++serial}`;

  const call = async (command: string, body: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> => {
    const answer: ApiAnswer = await callApi(target, facePath(command), body, timeoutMs, signal);
    if (answer.kind === 'ok') return answer.data;
    if (answer.kind === 'unreachable') throw new StateAccessError(`${command}: device unreachable (${answer.reason})`);
    throw new StateAccessError(`${command} answered ${answer.status} ${answer.code}: ${answer.message}`);
  };

  const listAll = async (command: string, key: string, signal?: AbortSignal): Promise<Record<string, unknown>[]> => {
    const items: Record<string, unknown>[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const data = await call(command, { page_limit: PAGE_LIMIT, page_index: page }, signal);
      const batch = data[key];
      if (!Array.isArray(batch)) throw new StateAccessError(`${command} answered without a "${key}" list`);
      items.push(...(batch as Record<string, unknown>[]));
      const total = Number((data.pagination as { total_count?: unknown } | undefined)?.total_count ?? items.length);
      if (batch.length === 0 || items.length >= total) break;
    }
    return items;
  };

  const read = async (signal?: AbortSignal): Promise<StateSnapshot> => {
    // The five reads are independent: in parallel, a read costs one round trip instead of five.
    const [identities, permissions, devices, events, configs] = await Promise.all([
      listAll('getidentities', 'identities', signal),
      listAll('getpermissions', 'permissions', signal),
      call('getmediadevices', {}, signal),
      call('getevents', { page_limit: 1, page_index: 0 }, signal),
      call('getconfigs', {}, signal),
    ]);
    if (!Array.isArray(devices.devices))
      throw new StateAccessError('getmediadevices answered without a "devices" list');
    const eventCount = Number((events.pagination as { total_count?: unknown } | undefined)?.total_count);
    if (!Number.isFinite(eventCount)) throw new StateAccessError('getevents answered without pagination.total_count');
    const settings: Record<string, unknown> = {};
    for (const key of Object.keys(SETTING_DEFAULTS)) settings[key] = configs[key];
    return {
      identities: {
        count: identities.length,
        faces: identities.reduce((n, i) => n + (Array.isArray(i.face_ids) ? i.face_ids.length : 0), 0),
        ids: identities.map((i) => String(i.identity_id)).sort(),
      },
      permissions: { count: permissions.length, ids: permissions.map((p) => String(p.permission_id)).sort() },
      mediaDevices: {
        count: devices.devices.length,
        ids: (devices.devices as Record<string, unknown>[]).map((d) => String(d.media_device_id)).sort(),
      },
      events: { count: eventCount },
      settings,
    };
  };

  const seed = async (
    categories: readonly StateCategory[],
    current: StateSnapshot,
    signal?: AbortSignal,
  ): Promise<StateCategory[]> => {
    const unseedable: StateCategory[] = [];
    let permissionIds = current.permissions.ids;
    if (categories.includes('permissions')) {
      permissionIds = [];
      for (let i = 0; i < 2; i++) {
        const made = await call(
          'createpermission',
          { permission_name: name('group'), description: 'seeded by sophon-conformance' },
          signal,
        );
        permissionIds.push(String(made.permission_id));
      }
    }
    if (categories.includes('identities')) {
      for (let i = 0; i < 2; i++) {
        await call(
          'createidentity',
          {
            identity_name: name('person'),
            register_feature: faceFeature(serial),
            permission_ids: permissionIds.slice(0, 2),
            ext_user_info: { seeded_by: 'sophon-conformance' },
          },
          signal,
        );
      }
    }
    if (categories.includes('mediaDevices')) {
      // An RTSP address on the device's own loopback: it is never played from anywhere else.
      await call(
        'addmediadevice',
        {
          media_device_name: name('camera'),
          media_device_type: 'rtsp',
          media_device_url: `rtsp://127.0.0.1:554/sophon-conformance/${name('stream')}`,
        },
        signal,
      );
    }
    if (categories.includes('events')) {
      const made = await seedRecords(signal);
      if (!made) unseedable.push('events');
    }
    if (categories.includes('settings')) {
      await call('setconfigs', { config_dict: SEEDED_SETTINGS }, signal);
    }
    return unseedable;
  };

  // A lab produces records by letting the device recognise a face from a file input; wait for them
  // against a deadline rather than for a fixed time.
  const seedRecords = async (signal?: AbortSignal): Promise<boolean> => {
    const source = options.recordSource ?? `file:///sophon-conformance/${name('face')}.mp4`;
    await call(
      'addmediadevice',
      { media_device_name: name('face-video'), media_device_type: 'file', media_device_url: source },
      signal,
    );
    const deadline = performance.now() + recordWaitMs;
    for (;;) {
      const events = await call('getevents', { page_limit: 1, page_index: 0 }, signal);
      if (Number((events.pagination as { total_count?: unknown } | undefined)?.total_count) > 0) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  return {
    name: 'sophon-http',
    seedable: new Set<StateCategory>(['permissions', 'identities', 'mediaDevices', 'events', 'settings']),
    settingDefaults: SETTING_DEFAULTS,
    read,
    seed,
  };
}

// A deterministic, unit-length 512-float feature: no image, no quality check (sophon-api.md).
function faceFeature(seed: number): number[] {
  let x = seed * 2654435761;
  const raw = Array.from({ length: 512 }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  });
  const norm = Math.sqrt(raw.reduce((s, v) => s + v * v, 0));
  return raw.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}
