import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CONFIG_DEFAULTS, type ConfigValue, defaultSettings } from './setting-defaults.ts';

/** A permission group (sophon-api.md, createpermission). */
export interface PermissionGroup {
  permission_id: string;
  permission_name: string;
  description: string;
}

/** One registered face of an identity: its feature, and the image it came from if any. */
export interface Face {
  face_id: string;
  register_image_id: string | null;
  feature: number[];
}

/** A person in the face library. */
export interface Identity {
  identity_id: string;
  identity_name: string;
  user_type: string;
  permission_ids: string[];
  ext_user_info: Record<string, unknown>;
  faces: Face[];
}

/** A front-end input device. */
export interface MediaDevice {
  media_device_id: string;
  media_device_name: string;
  media_device_type: string;
  media_device_url: string;
  media_device_ip: string;
  permission_id: string;
}

/** A recognition record. */
export interface RecognitionEvent {
  event_id: string;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  identity_id: string;
  identity_name: string;
  user_type: string;
  score: number;
  media_device_info: { media_device_id: string; media_device_name: string; media_device_type: string };
}

/** Everything the device keeps across reboots: one JSON document. */
export interface StoreDocument {
  format: typeof FORMAT;
  licenseKey: string;
  permissions: PermissionGroup[];
  identities: Identity[];
  mediaDevices: MediaDevice[];
  events: RecognitionEvent[];
  settings: Record<string, ConfigValue>;
  /** MQ `message_id`s already executed, so a redelivery runs once (MQ-8). */
  processedMessageIds: string[];
}

const FORMAT = 'sophon-reference-device/store/1';
const FILE_NAME = 'store.json';

/** The store file could not be read as a store: the device refuses to start rather than reset data. */
export class StoreCorruptError extends Error {
  readonly file: string;

  constructor(file: string, reason: string) {
    super(`cannot open the device store ${file}: ${reason}; refusing to start (move the file away to start empty)`);
    this.name = 'StoreCorruptError';
    this.file = file;
  }
}

/**
 * The device's persistent state. Every change is a transaction: it is applied to a copy, the copy is
 * written atomically (temp file, fsync, rename, then fsync of the folder), and only then does it
 * become the state readers see. A crash at any point leaves the old file or the new one, never half.
 */
export class Store {
  readonly file: string;
  private doc: StoreDocument;
  // Commits run one at a time, each on the result of the previous one (no lost updates).
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(file: string, doc: StoreDocument) {
    this.file = file;
    this.doc = doc;
  }

  /**
   * Opens `<dataDir>/store.json`, creating the folder and an empty store when there is none.
   * `licenseKey`, when given, becomes the persisted key; otherwise the persisted one is kept, or a
   * new one is generated once.
   */
  static async open(dataDir: string, options: { licenseKey?: string | undefined } = {}): Promise<Store> {
    await mkdir(dataDir, { recursive: true });
    await removeLeftovers(dataDir);
    const file = join(dataDir, FILE_NAME);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StoreCorruptError(file, (error as Error).message);
      }
    }
    if (text === undefined) {
      const store = new Store(file, emptyDocument(options.licenseKey ?? generateLicenseKey()));
      await store.write(store.doc);
      return store;
    }
    const store = new Store(file, parseDocument(file, text));
    if (options.licenseKey !== undefined && options.licenseKey !== store.doc.licenseKey) {
      const licenseKey = options.licenseKey;
      await store.commit((doc) => {
        doc.licenseKey = licenseKey;
      });
    }
    return store;
  }

  /** The current state. Read-only: every change goes through `commit`. */
  get state(): Readonly<StoreDocument> {
    return this.doc;
  }

  /**
   * Applies `change` to a copy of the state and persists it; the change is visible only once it is
   * on disk. If `change` throws, or the write fails, nothing changes. `persist: false` exists only
   * for the `wipe-not-persisted` fault.
   */
  commit<T>(change: (draft: StoreDocument) => T, options: { persist?: boolean } = {}): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new Error(`store ${this.file} is closed`);
      const draft = structuredClone(this.doc);
      const result = change(draft);
      if (options.persist !== false) await this.write(draft);
      this.doc = draft;
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Waits for commits in flight, then refuses new ones: the in-memory state is dropped with the store. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
  }

  private async write(doc: StoreDocument): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify(doc)}\n`, { fsync: true });
    // The rename is durable only once the folder's entry is on disk too.
    const folder = await open(join(this.file, '..'), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}

// A crash in the middle of a write leaves write-file-atomic's temp file (`store.json.<number>`) beside
// the store: never read, but a device that keeps losing power would fill its disk with them. The device
// is the folder's only writer, so at start they can only be leftovers.
async function removeLeftovers(dataDir: string): Promise<void> {
  const leftovers = (await readdir(dataDir)).filter((name) => /^store\.json\.\d+$/.test(name));
  await Promise.all(leftovers.map((name) => rm(join(dataDir, name), { force: true })));
}

function emptyDocument(licenseKey: string): StoreDocument {
  return {
    format: FORMAT,
    licenseKey,
    permissions: [],
    identities: [],
    mediaDevices: [],
    events: [],
    settings: defaultSettings(),
    processedMessageIds: [],
  };
}

function generateLicenseKey(): string {
  return randomBytes(16).toString('hex');
}

// The store is this device's own file, so the check is structural: enough to refuse a truncated,
// foreign or hand-damaged file instead of serving (and later overwriting) garbage.
function parseDocument(file: string, text: string): StoreDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreCorruptError(file, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreCorruptError(file, 'not a JSON object');
  }
  const doc = value as Record<string, unknown>;
  if (doc.format !== FORMAT) throw new StoreCorruptError(file, `unknown format ${JSON.stringify(doc.format)}`);
  if (typeof doc.licenseKey !== 'string' || doc.licenseKey === '') {
    throw new StoreCorruptError(file, 'no license key');
  }
  for (const list of ['permissions', 'identities', 'mediaDevices', 'events', 'processedMessageIds'] as const) {
    if (!Array.isArray(doc[list])) throw new StoreCorruptError(file, `"${list}" is not a list`);
  }
  const settings = doc.settings;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new StoreCorruptError(file, '"settings" is not an object');
  }
  // A setting added by a newer build starts at its default; existing values are kept as they are.
  doc.settings = { ...CONFIG_DEFAULTS, ...settings };
  return doc as unknown as StoreDocument;
}
