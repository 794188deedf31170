import { createHash, randomUUID } from 'node:crypto';
import { type Body, invalidArgument, optionalObject, optionalString, paginate, readPage } from './arguments.ts';
import type { MediaDevice, RecognitionEvent, Store, StoreDocument } from './store.ts';

/**
 * The recognition simulation. The documented API has no call that creates a record (sophon-api.md):
 * a real device makes one when it recognises a face from an input. This device treats a new `file`
 * or `photo` input as a recording in which every enrolled person with a face appears once, and
 * records one recognition per such identity. Nothing else creates records.
 */
export function recogniseEnrolled(doc: StoreDocument, device: MediaDevice, now: number): RecognitionEvent[] {
  const threshold = Number(doc.settings.MATCH_THRESHOLD ?? 82);
  return doc.identities
    .filter((identity) => identity.faces.length > 0)
    .map((identity) => ({
      event_id: randomUUID(),
      timestamp: now,
      identity_id: identity.identity_id,
      identity_name: identity.identity_name,
      user_type: identity.user_type,
      score: scoreFor(identity.identity_id, device.media_device_id, threshold),
      media_device_info: {
        media_device_id: device.media_device_id,
        media_device_name: device.media_device_name,
        media_device_type: device.media_device_type,
      },
    }));
}

// A recognised face scores at or above the match threshold; the exact value is stable per
// (identity, input) so repeated runs produce the same records.
function scoreFor(identityId: string, deviceId: string, threshold: number): number {
  const spread = createHash('sha256').update(`${identityId}/${deviceId}`).digest().readUInt16BE(0) / 65535;
  const low = Math.max(threshold, 90);
  return Math.round(Math.min(100, low + spread * (100 - low)) * 100) / 100;
}

/** Variant records-keep-coming: how often a file input records, and how many records the device holds at most. */
export const CONTINUOUS_RECOGNITION = { intervalMs: 300, maxRecords: 100 } as const;

/**
 * Variant records-keep-coming: every `file` input is a video played in a loop and every `rtsp` input a camera
 * facing someone, so each tick every such input recognises one enrolled identity (in turn). The simulation stops adding once the device holds `maxRecords`,
 * which keeps memory and the store small (and drops no record, as an oldest-first rotation would). Returns the
 * function that stops it; `persist` false only under the wipe-not-persisted fault, whose in-memory wipe a tick
 * must not write to disk.
 */
export function recogniseContinuously(
  store: Store,
  options: { intervalMs?: number; maxRecords?: number; persist?: boolean } = {},
): () => void {
  const intervalMs = options.intervalMs ?? CONTINUOUS_RECOGNITION.intervalMs;
  const maxRecords = options.maxRecords ?? CONTINUOUS_RECOGNITION.maxRecords;
  const persist = options.persist ?? true;
  let turn = 0;
  let busy = false;
  const tick = async () => {
    const doc = store.state;
    const inputs = doc.mediaDevices.filter(playsOn);
    if (busy || inputs.length === 0 || doc.events.length >= maxRecords) return;
    if (!doc.identities.some((identity) => identity.faces.length > 0)) return;
    busy = true;
    const now = Date.now();
    const index = turn++;
    try {
      await store.commit(
        (draft) => {
          for (const device of draft.mediaDevices.filter(playsOn)) {
            if (draft.events.length >= maxRecords) break;
            const seen = recogniseEnrolled(draft, device, now);
            const one = seen[index % seen.length];
            if (one) draft.events.push(one);
          }
        },
        { persist },
      );
    } catch {
      // The store closed under the tick (the device is going down): the next boot starts again.
    } finally {
      busy = false;
    }
  };
  // The video plays from the boot on: the first record comes at once, before the device is ready, so a read
  // right after a reboot already sees records made after the wipe.
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  return () => clearInterval(timer);
}

// A video in a loop and a camera facing someone both go on being recognised; a photo is seen once.
function playsOn(device: MediaDevice): boolean {
  return device.media_device_type === 'file' || device.media_device_type === 'rtsp';
}

/** `getevents`: recognition records, newest first, filtered and one page at a time. */
export function getEvents(store: Store, body: Body): unknown {
  const filters = optionalObject(body, 'filters') ?? {};
  const identityId = optionalString(filters, 'identity_id');
  const deviceId = optionalString(filters, 'media_device_id');
  const start = optionalTime(filters, 'start_time');
  const end = optionalTime(filters, 'end_time');
  const page = readPage(body);
  const matching = store.state.events
    .filter(
      (event) =>
        (identityId === undefined || event.identity_id === identityId) &&
        (deviceId === undefined || event.media_device_info.media_device_id === deviceId) &&
        (start === undefined || event.timestamp >= start) &&
        (end === undefined || event.timestamp <= end),
    )
    .reverse();
  const { items, pagination } = paginate(matching, page);
  return { events: items, pagination };
}

function optionalTime(filters: Body, name: string): number | undefined {
  if (!Object.hasOwn(filters, name)) return undefined;
  const value = filters[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidArgument(name, value, 'expected milliseconds since the epoch');
  }
  return value;
}
