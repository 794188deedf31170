import type { StateCategory, StateSnapshot } from '../results/types.ts';

/** The categories of device state a wipe touches, in seeding order (groups before the identities in them). */
export const STATE_CATEGORIES: readonly StateCategory[] = [
  'permissions',
  'identities',
  'mediaDevices',
  'events',
  'settings',
];

/** Where and how an adapter reaches the device. */
export interface StateAdapterContext {
  /** The target's API base URL, e.g. http://127.0.0.1:5555. */
  target: string;
  /** A short tag unique to the run, for naming seeded items. */
  runTag: string;
  /** Per-call timeout. */
  timeoutMs: number;
}

/** Thrown by an adapter when the device cannot be seeded or read; the case becomes could-not-test. */
export class StateAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateAccessError';
  }
}

/**
 * Seeds and reads device state (design §4). Implementations: `sophon-http` (the device's own
 * management API), a user's module, or `none`.
 */
export interface StateAdapter {
  readonly name: string;
  /** Categories this adapter can put data into. */
  readonly seedable: ReadonlySet<StateCategory>;
  /** Reads every category. Throws StateAccessError when the device does not answer as documented. */
  read(signal?: AbortSignal): Promise<StateSnapshot>;
  /**
   * Puts data into the given categories (settings: non-default values). Returns the categories it
   * could not fill (for example records, when the device does not produce any within the wait), as a
   * list or, to say why, as a SeedResult.
   */
  seed(
    categories: readonly StateCategory[],
    current: StateSnapshot,
    signal?: AbortSignal,
  ): Promise<StateCategory[] | SeedResult>;
  /** The documented default of each watched setting, for `settings: defaults`. */
  readonly settingDefaults: Readonly<Record<string, unknown>>;
  close?(): Promise<void>;
}

/** What seeding could not fill, with why and what the tester can do about it (shown in the case's evidence). */
export interface SeedResult {
  unseedable: StateCategory[];
  why?: Partial<Record<StateCategory, string>>;
}

/** The module shape a `--state-adapter ./file.mjs` must export. */
export interface StateAdapterModule {
  createStateAdapter(context: StateAdapterContext): StateAdapter | Promise<StateAdapter>;
}
