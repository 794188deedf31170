import type { PhaseEvent, PlannedCase, RunPlan } from '../src/results/progress.ts';
import type { CaseResult } from '../src/results/types.ts';

/**
 * The time a run has left, learnt from the run itself: how long the cases that reboot the device took
 * (their boots, seen from when the device went down until its API was back, are most of it) and how long
 * the others took. Cases that share the device count for their share of it. Before a case of a kind has
 * finished, a rebooting case is estimated from the boots seen so far plus what the other cases take;
 * until something is known, there is no estimate.
 */
export class ProgressEstimate {
  private readonly planned = new Map<string, PlannedCase>();
  private readonly finished = new Set<string>();
  private readonly took = { reboots: [] as number[], others: [] as number[] };
  /** Boot times seen: device down → API ready, in ms. */
  private readonly boots: number[] = [];
  /** When each case that is booting went down (ms, on `now`'s clock). */
  private readonly downSince = new Map<string, number>();
  private readonly concurrency: number;

  constructor(plan: RunPlan) {
    for (const c of plan.cases) this.planned.set(c.id, c);
    for (const id of plan.kept) this.finished.add(id);
    this.concurrency = Math.max(1, plan.concurrency);
  }

  /** Learns from a phase change (at `now`, in ms). */
  phase(event: PhaseEvent, now: number): void {
    if (event.phase === 'waiting-up') this.downSince.set(event.id, now);
    else if (this.downSince.has(event.id) && event.phase !== 'waiting-api') {
      this.boots.push(now - (this.downSince.get(event.id) as number));
      this.downSince.delete(event.id);
    }
  }

  /** Learns from a finished case. */
  result(result: CaseResult): void {
    if (this.finished.has(result.id)) return;
    this.finished.add(result.id);
    const planned = this.planned.get(result.id);
    if (!planned || result.verdict === 'not-applicable') return;
    if (planned.reboots) this.took.reboots.push(result.durationMs);
    else this.took.others.push(planned.shares ? result.durationMs / this.concurrency : result.durationMs);
  }

  /** Cases finished (or kept), of all planned. */
  get done(): number {
    return this.finished.size;
  }

  /** The mean boot seen so far, in ms; undefined before the first. */
  get meanBootMs(): number | undefined {
    return mean(this.boots);
  }

  /**
   * Milliseconds left, or undefined while nothing is known yet. `inFlight`: the cases under way with how
   * long each has run; what they have already spent is not counted again.
   */
  leftMs(inFlight: ReadonlyMap<string, number> = new Map()): number | undefined {
    // A kind not seen yet is guessed from what was: a rebooting case from the boots seen plus what the other
    // cases take, any case from the mean of all so far (a sharing case for its share of it).
    const any = mean([...this.took.reboots, ...this.took.others]);
    const others = mean(this.took.others);
    const boot = this.meanBootMs;
    const reboots = mean(this.took.reboots) ?? (boot !== undefined ? boot + (others ?? 0) : any);
    let left = 0;
    for (const c of this.planned.values()) {
      if (this.finished.has(c.id)) continue;
      const guess = any === undefined ? undefined : c.shares ? any / this.concurrency : any;
      const expected = c.reboots ? reboots : (others ?? guess);
      if (expected === undefined) return undefined;
      const spent = inFlight.get(c.id) ?? 0;
      left += Math.max(0, expected - (c.shares && !c.reboots ? spent / this.concurrency : spent));
    }
    return left;
  }
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}
