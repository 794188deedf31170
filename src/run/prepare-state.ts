import type { StateCategory, StateEvidence, StateSnapshot } from '../results/types.ts';
import { STATE_CATEGORIES, StateAccessError, type StateAdapter } from '../state/state-adapter.ts';

/** Thrown when the precondition of a case cannot be established; the case is could-not-test (seed). */
export class PreconditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionError';
  }
}

const COUNTED = STATE_CATEGORIES.filter((c) => c !== 'settings') as Exclude<StateCategory, 'settings'>[];

/**
 * `given: seeded` — every category holds data, read back before the request is sent, so a seeding
 * failure is never blamed on the device's wipe (design §4). Categories that already hold data are
 * kept; settings are always set to non-default values.
 */
export async function seedState(adapter: StateAdapter, signal: AbortSignal): Promise<StateEvidence> {
  const current = await guarded(() => adapter.read(signal), 'read the state before seeding');
  const wanted: StateCategory[] = COUNTED.filter((c) => current[c].count === 0);
  wanted.push('settings');
  const seedable = wanted.filter((c) => adapter.seedable.has(c));
  const seeding = await guarded(() => adapter.seed(seedable, current, signal), 'seed');
  const { unseedable, why = {} } = Array.isArray(seeding) ? { unseedable: seeding } : seeding;
  const before = await guarded(() => adapter.read(signal), 'read back the seeded state');
  for (const c of seedable) {
    if (c === 'settings' || unseedable.includes(c)) continue;
    if (before[c].count === 0) {
      throw new PreconditionError(`seeded ${c}, but reading back shows none: the device did not keep the seed`);
    }
  }
  if (seedable.includes('settings') && atDefaults(adapter, before)) {
    throw new PreconditionError('set non-default smart settings, but reading back shows the defaults');
  }
  const notSeedable = [...wanted.filter((c) => !adapter.seedable.has(c)), ...unseedable].filter(
    (c) => c === 'settings' || before[c as Exclude<StateCategory, 'settings'>].count === 0,
  );
  const unseedableWhy = Object.fromEntries(
    notSeedable.flatMap((c) => (why[c] === undefined ? [] : [[c, why[c]]])),
  ) as Partial<Record<StateCategory, string>>;
  return {
    seeded: seedable.filter((c) => !unseedable.includes(c)),
    unseedable: notSeedable,
    ...(Object.keys(unseedableWhy).length > 0 ? { unseedableWhy } : {}),
    before,
  };
}

/**
 * `given: seeded` for a case that shares the device with others (concurrent-cases.ts): the state a case run
 * alone seeded before them is read and must still be in place; nothing is written. A neighbour that seeded
 * could put back what a faulty device deleted (or settings it reset) between another case's request and its
 * reading of the state, and so hide the fault. `unseedable` are the categories seeding could not fill earlier
 * in the run: their being empty is no sign of a change.
 */
export async function findSeeded(
  adapter: StateAdapter,
  signal: AbortSignal,
  unseedable: ReadonlySet<StateCategory>,
): Promise<StateEvidence> {
  const before = await guarded(() => adapter.read(signal), 'read the state seeded before');
  const empty = COUNTED.filter((c) => before[c].count === 0);
  const gone: string[] = empty.filter((c) => adapter.seedable.has(c) && !unseedable.has(c));
  if (adapter.seedable.has('settings') && atDefaults(adapter, before)) gone.push('settings at their defaults');
  if (gone.length > 0) {
    throw new PreconditionError(
      `the state seeded for the cases that share the device was changed (${gone.join(', ')}): a case run beside this one changed it`,
    );
  }
  const notSeedable: StateCategory[] = adapter.seedable.has('settings') ? empty : [...empty, 'settings'];
  return { seeded: [], unseedable: notSeedable, before };
}

function atDefaults(adapter: StateAdapter, snapshot: StateSnapshot): boolean {
  return Object.keys(adapter.settingDefaults).every(
    (key) => String(adapter.settingDefaults[key]) === String(snapshot.settings[key]),
  );
}

/** Reads state, turning the adapter's failure into a precondition failure. */
export function readState(adapter: StateAdapter, signal: AbortSignal, what: string): Promise<StateSnapshot> {
  return guarded(() => adapter.read(signal), what);
}

/** Whether every counted category is empty (for `given: empty`). */
export function isEmpty(snapshot: StateSnapshot): boolean {
  return COUNTED.every((c) => snapshot[c].count === 0);
}

async function guarded<T>(work: () => Promise<T>, what: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StateAccessError) throw new PreconditionError(`could not ${what}: ${error.message}`);
    throw error;
  }
}
