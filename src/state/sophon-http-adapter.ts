import type { StateCategory, StateSnapshot } from '../results/types.ts';
import { type ApiAnswer, type ApiCall, callApi as callOverNetwork, facePath } from '../transports/device-api.ts';
import { type SeedResult, StateAccessError, type StateAdapter, type StateAdapterContext } from './state-adapter.ts';

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
  /** How the management API is called; default: over the network (a test gives its fake device). */
  callApi?: ApiCall;
}

const PAGE_LIMIT = 100;
const MAX_PAGES = 1_000;

// Records are listed by id so that an events wipe can be judged by which records are gone (records made after
// it are new history, HTTP-7), but a busy device can hold many thousands: the list stops at this many. Above
// it the snapshot says the list is incomplete (idsComplete false) and the check falls back to the count, which
// must then be 0. The page count is bounded too, for a device that serves one record a page (capped paging).
const MAX_LISTED_RECORDS = 300;
const MAX_RECORD_PAGES = 300;

/** The default adapter: seeds and reads through the device's own management API (sophon-api.md). */
export function createSophonHttpAdapter(context: StateAdapterContext, options: SophonHttpOptions = {}): StateAdapter {
  const { target, runTag, timeoutMs } = context;
  const recordWaitMs = options.recordWaitMs ?? 5_000;
  const callApi = options.callApi ?? callOverNetwork;
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

  // getevents pages newest first, and a live device adds records while it is paged: they push the older ones to
  // later pages (seen twice, never skipped), so ids are kept once each and paging goes on to the end the latest
  // page reports. The page size is the one the device served on the first page, not the one asked for: a device
  // may cap it (and still echo the page_limit asked for).
  const listRecords = async (signal?: AbortSignal): Promise<StateSnapshot['events']> => {
    const ids = new Set<string>();
    let first: number | undefined;
    let size = PAGE_LIMIT;
    let count = 0;
    let complete = false;
    let withIds = true;
    for (let page = 0; page < MAX_RECORD_PAGES; page++) {
      const data = await call('getevents', { page_limit: PAGE_LIMIT, page_index: page }, signal);
      count = Number((data.pagination as { total_count?: unknown } | undefined)?.total_count);
      if (!Number.isFinite(count)) throw new StateAccessError('getevents answered without pagination.total_count');
      const batch = data.events;
      if (!Array.isArray(batch)) throw new StateAccessError('getevents answered without an "events" list');
      if (first === undefined) {
        first = count;
        if (batch.length > 0 && batch.length < Math.min(PAGE_LIMIT, count)) size = batch.length;
      }
      for (const event of batch as Record<string, unknown>[]) {
        const id = event?.event_id;
        if (typeof id === 'string' || typeof id === 'number') ids.add(String(id));
        else withIds = false;
      }
      if (batch.length === 0 || (page + 1) * size >= count) {
        complete = withIds;
        break;
      }
      if (ids.size >= MAX_LISTED_RECORDS || !withIds) break;
    }
    // Every record there when paging began was seen, unless some were deleted meanwhile (which can make a later
    // one skip a page): then fewer than that first total were seen, and the list does not count as complete.
    return { count, ids: [...ids].sort(), idsComplete: complete && ids.size >= (first ?? 0) };
  };

  const read = async (signal?: AbortSignal): Promise<StateSnapshot> => {
    // The five reads are independent: in parallel, a read costs one round trip instead of five.
    const [identities, permissions, devices, events, configs] = await Promise.all([
      listAll('getidentities', 'identities', signal),
      listAll('getpermissions', 'permissions', signal),
      call('getmediadevices', {}, signal),
      listRecords(signal),
      call('getconfigs', {}, signal),
    ]);
    if (!Array.isArray(devices.devices))
      throw new StateAccessError('getmediadevices answered without a "devices" list');
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
      events,
      settings,
    };
  };

  const seed = async (
    categories: readonly StateCategory[],
    current: StateSnapshot,
    signal?: AbortSignal,
  ): Promise<SeedResult> => {
    const unseedable: StateCategory[] = [];
    const why: Partial<Record<StateCategory, string>> = {};
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
      const failed = await seedRecords(signal);
      if (failed !== undefined) {
        unseedable.push('events');
        why.events = failed;
      }
    }
    if (categories.includes('settings')) {
      await call('setconfigs', { config_dict: SEEDED_SETTINGS }, signal);
    }
    return { unseedable, why };
  };

  // A lab produces records by letting the device recognise a face from a file input; wait for them
  // against a deadline rather than for a fixed time.
  const recordsAppear = async (signal?: AbortSignal): Promise<boolean> => {
    const deadline = performance.now() + recordWaitMs;
    for (;;) {
      const events = await call('getevents', { page_limit: 1, page_index: 0 }, signal);
      if (Number((events.pagination as { total_count?: unknown } | undefined)?.total_count) > 0) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  // Adds a file input; a duplicate URL (DEVICE_ADDRESS_DUPLICATE_ERROR, sophon-api.md) is the answer's to tell.
  const addFileInput = async (
    url: string,
    signal?: AbortSignal,
  ): Promise<Exclude<ApiAnswer, { kind: 'unreachable' }>> => {
    const body = { media_device_name: name('face-video'), media_device_type: 'file', media_device_url: url };
    const answer = await callApi(target, facePath('addmediadevice'), body, timeoutMs, signal);
    if (answer.kind === 'unreachable')
      throw new StateAccessError(`addmediadevice: device unreachable (${answer.reason})`);
    return answer;
  };

  // Whether the device made new records when its input already played the record source; learnt on the first
  // reuse, so a device that plays a file once costs the wait only once.
  let replaysSource: boolean | undefined;
  let variation = 0;

  /** Seeds records; returns why it could not (with what the tester can do), or undefined once records exist. */
  const seedRecords = async (signal?: AbortSignal): Promise<string | undefined> => {
    const waited = `no record appeared within ${recordWaitMs} ms`;
    const source = options.recordSource;
    if (source === undefined) {
      // No face video: a fresh address each time, so the URL is never a duplicate. A device that recognises
      // nothing from it makes no record, which is expected.
      const answer = await addFileInput(`file:///sophon-conformance/${name('face')}.mp4`, signal);
      if (answer.kind !== 'ok')
        throw new StateAccessError(`addmediadevice answered ${answer.status} ${answer.code}: ${answer.message}`);
      if (await recordsAppear(signal)) return undefined;
      return `${waited} of adding a file input without a face video: give --record-source URL (a face video the device can play)`;
    }
    // The URL is unique on the device (sophon-api.md) and an events wipe keeps input devices (HTTP-7): after the
    // first events wipe the record source is usually still there. Reuse it; if the device plays a file once, add
    // it again under an address a server reads as the same file.
    const devices = await call('getmediadevices', {}, signal);
    const list = Array.isArray(devices.devices) ? (devices.devices as Record<string, unknown>[]) : [];
    const playing = list.find((d) => d.media_device_url === source);
    let url = source;
    if (playing) {
      const id = String(playing.media_device_id);
      if (replaysSource !== false && (await recordsAppear(signal))) {
        replaysSource = true;
        return undefined;
      }
      replaysSource = false;
      const varied = variedAddress(source, `${runTag}-${++variation}`);
      if (varied === undefined) {
        return (
          `input device ${id} already plays --record-source ${source} (an events wipe keeps input devices, HTTP-7) and ` +
          `${waited}; the address must be unique (DEVICE_ADDRESS_DUPLICATE_ERROR) and a ${schemeOf(source)} address ` +
          'cannot be varied without naming another file: give --record-source an http(s) or rtsp URL of the face video ' +
          '(the checker adds a query parameter sophon-seed=… to add it again), or a video the device plays in a loop'
        );
      }
      url = varied;
    }
    const answer = await addFileInput(url, signal);
    if (answer.kind !== 'ok') {
      const duplicate = answer.code === 'DEVICE_ADDRESS_DUPLICATE_ERROR';
      return (
        `addmediadevice ${url} answered ${answer.status} ${answer.code}: ${answer.message}` +
        (duplicate
          ? ' (the device takes the sophon-seed query parameter as part of the address; give --record-source a face video it plays in a loop)'
          : ' (give --record-source a face video the device can play as a file input)')
      );
    }
    if (await recordsAppear(signal)) return undefined;
    return `added --record-source as file input ${url}, but ${waited}: check that the video shows a face the device recognises (an enrolled identity is seeded first) and raise the wait if it is slow to play`;
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

/**
 * The record source under another address that names the same video: a query parameter a file server or an RTSP
 * server ignores. A file:// path (or anything that is not such a URL) has no such part: undefined.
 */
export function variedAddress(source: string, tag: string): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return undefined;
  }
  if (!['http:', 'https:', 'rtsp:', 'rtsps:'].includes(url.protocol)) return undefined;
  url.searchParams.set('sophon-seed', tag);
  return url.toString();
}

function schemeOf(source: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(source);
  return match?.[1] ? `${match[1]}:` : 'plain path';
}
