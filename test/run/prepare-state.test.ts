import { describe, expect, it } from 'vitest';
import type { StateCategory, StateSnapshot } from '../../src/results/types.ts';
import { findSeeded, PreconditionError, seedState } from '../../src/run/prepare-state.ts';
import type { StateAdapter } from '../../src/state/state-adapter.ts';

const DEFAULTS = { MATCH_THRESHOLD: 82 };

function snapshot(
  counts: Partial<Record<'identities' | 'permissions' | 'mediaDevices' | 'events', number>>,
  threshold = 83,
): StateSnapshot {
  const ids = (n = 0) => Array.from({ length: n }, (_, i) => `id-${i}`);
  return {
    identities: { count: counts.identities ?? 0, faces: counts.identities ?? 0, ids: ids(counts.identities) },
    permissions: { count: counts.permissions ?? 0, ids: ids(counts.permissions) },
    mediaDevices: { count: counts.mediaDevices ?? 0, ids: ids(counts.mediaDevices) },
    events: { count: counts.events ?? 0 },
    settings: { MATCH_THRESHOLD: threshold },
  };
}

/** An adapter over a fixed snapshot that counts the writes asked of it. */
function adapterReading(state: StateSnapshot) {
  const writes: StateCategory[][] = [];
  const adapter: StateAdapter = {
    name: 'fake',
    seedable: new Set<StateCategory>(['permissions', 'identities', 'mediaDevices', 'events', 'settings']),
    settingDefaults: DEFAULTS,
    read: async () => state,
    seed: async (categories) => {
      writes.push([...categories]);
      return [];
    },
  };
  return { adapter, writes };
}

const FULL = { identities: 2, permissions: 2, mediaDevices: 1, events: 2 };
const signal = new AbortController().signal;

describe('a case that shares the device finds the seeded state, and never seeds', () => {
  it('takes the state in place as its state before, writing nothing', async () => {
    const { adapter, writes } = adapterReading(snapshot(FULL));
    const state = await findSeeded(adapter, signal, new Set());
    expect(state.before?.identities.count).toBe(2);
    expect(state.seeded).toEqual([]);
    expect(writes).toEqual([]);
  });

  it.each([
    ['identities deleted', snapshot({ ...FULL, identities: 0 }), /identities/],
    ['settings back at their defaults', snapshot(FULL, 82), /settings at their defaults/],
  ])('refuses a state a neighbour changed (%s), writing nothing', async (_, state, says) => {
    const { adapter, writes } = adapterReading(state);
    const found = findSeeded(adapter, signal, new Set());
    await expect(found).rejects.toBeInstanceOf(PreconditionError);
    await expect(found).rejects.toThrow(says);
    expect(writes).toEqual([]);
  });

  it('accepts a category empty because seeding could not fill it earlier in the run', async () => {
    const { adapter } = adapterReading(snapshot({ ...FULL, events: 0 }));
    const state = await findSeeded(adapter, signal, new Set<StateCategory>(['events']));
    expect(state.unseedable).toEqual(['events']);
  });

  it('whereas a case run alone puts the settings back (which is why sharing cases must not)', async () => {
    const { adapter, writes } = adapterReading(snapshot(FULL, 82));
    await expect(seedState(adapter, signal)).rejects.toThrow(/shows the defaults/);
    expect(writes).toEqual([['settings']]);
  });
});
