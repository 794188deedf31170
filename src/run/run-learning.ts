import type { RebootTimeline, StateCategory } from '../results/types.ts';

/**
 * Whether the device has been away for a whole up window before a case. Once it has, each later case looks once
 * instead of waiting the window again: a device that never came back must not stretch the run by hours.
 */
export class DeviceWatch {
  private since: string | undefined;

  /** When the device was first found not ready (ISO time), or undefined while it answers. */
  get lostSince(): string | undefined {
    return this.since;
  }

  /** The device was not ready within a window; the first time it was lost is the one kept. */
  lost(): void {
    this.since ??= new Date().toISOString();
  }

  /** The device answered again. */
  found(): void {
    this.since = undefined;
  }
}

/**
 * How long the device has taken to go down after answering a wipe, so far in the run: the quiet window grows to
 * match it (case-steps.ts quietWindow), as a wrongful reboot comes no faster than a rightful one.
 */
export class RebootTimings {
  private slowest: number | undefined;

  /** The longest the device took to go down after answering (ms), or undefined before any reboot was seen. */
  get slowestDownMs(): number | undefined {
    return this.slowest;
  }

  /** Learns from a reboot seen after an answer; a timeline without one teaches nothing. */
  noteDown(timeline: RebootTimeline): void {
    if (timeline.outcome !== 'rebooted' || timeline.downAtMs === undefined) return;
    this.slowest = Math.max(this.slowest ?? 0, timeline.downAtMs);
  }
}

/** Categories seeding could not fill earlier in the run (no records, say): a shared case finding them empty is no sign of a change. */
export class UnseedableCategories {
  private readonly categories = new Set<StateCategory>();

  /** The categories learnt so far. */
  get known(): ReadonlySet<StateCategory> {
    return this.categories;
  }

  /** Adds what one seeding could not fill. */
  learn(categories: Iterable<StateCategory>): void {
    for (const c of categories) this.categories.add(c);
  }
}

/** What a run learns about the device as its cases go, shared by the cases in flight together; each part owns its field. */
export interface RunLearning {
  readonly device: DeviceWatch;
  readonly timings: RebootTimings;
  readonly unseedable: UnseedableCategories;
}

/** A run that has learnt nothing yet. */
export function freshLearning(): RunLearning {
  return { device: new DeviceWatch(), timings: new RebootTimings(), unseedable: new UnseedableCategories() };
}
