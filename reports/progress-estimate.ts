import type { PhaseEvent, PlannedCase, RunPlan } from '../src/results/progress.ts';
import type { CaseResult } from '../src/results/types.ts';

/** The kinds of case whose times are learnt apart: they cost very different times. */
type Kind = `${'http' | 'amqp'}/${'shared' | 'alone'}/${'reboot' | 'may' | 'other'}${'' | '/before'}`;

function kindOf(c: PlannedCase): Kind {
  // Case ids are hierarchical and permanent: the first segment is the transport.
  const reboot = c.reboots ? 'reboot' : c.mayReboot ? 'may' : 'other';
  return `${c.id.startsWith('amqp.') ? 'amqp' : 'http'}/${c.shares ? 'shared' : 'alone'}/${reboot}${c.publishesBefore ? '/before' : ''}`;
}

/**
 * The time a run has left, learnt from the run itself: how long each kind of case took (by transport, whether
 * it shares the device, whether it must reboot it), learnt as each case ends (not when its result is printed:
 * results come in plan order, and cases sharing the device end long before their turn), and the boots seen.
 * A kind not seen yet is guessed from its nearest seen kind; a rebooting one from the boots seen plus what a
 * case takes besides. Cases sharing the device run in lanes (MQ one at a time, HTTP the rest of the
 * concurrency beside it: src/run/concurrent-cases.ts): their wall time is the longer lane's. A resumed run's
 * kept results count as done and are learnt from. Until something is known, there is no estimate.
 */
export class ProgressEstimate {
  private readonly planned = new Map<string, PlannedCase>();
  private readonly finished = new Set<string>();
  /**
   * What each finished case took, by kind and case id. One that did not test anything (could not test: no
   * broker given, the device gone; not applicable) says what its own kind costs now, never what another does.
   */
  private readonly took = new Map<Kind, Map<string, { ms: number; tested: boolean }>>();
  /** Boot times seen: device down → API ready, in ms. */
  private readonly boots: number[] = [];
  /** What a case that rebooted the device took besides its boot, in ms. */
  private readonly besidesBoot: number[] = [];
  /** The boot time each case under way has seen. */
  private readonly bootOf = new Map<string, number>();
  /** When each case that is booting went down (ms, on `now`'s clock). */
  private readonly downSince = new Map<string, number>();
  /** When each case under way started (its first phase). */
  private readonly startedAt = new Map<string, number>();
  private readonly concurrency: number;
  private readonly httpWidth: number;
  private readonly windows: RunPlan['windows'];

  constructor(plan: RunPlan, kept: readonly CaseResult[] = []) {
    for (const c of plan.cases) this.planned.set(c.id, c);
    for (const id of plan.kept) this.finished.add(id);
    for (const r of kept) this.learn(r.id, r.durationMs, r.verdict);
    this.concurrency = Math.max(1, plan.concurrency);
    this.windows = plan.windows;
    const mqShares = plan.cases.some((c) => c.shares && c.id.startsWith('amqp.'));
    this.httpWidth = Math.max(1, this.concurrency - (mqShares && this.concurrency > 1 ? 1 : 0));
  }

  /** Learns from a phase change (at `now`, in ms). */
  phase(event: PhaseEvent, now: number): void {
    if (event.phase === 'waiting-up') this.downSince.set(event.id, now);
    else if (this.downSince.has(event.id) && event.phase !== 'waiting-api') {
      const boot = now - (this.downSince.get(event.id) as number);
      this.boots.push(boot);
      this.bootOf.set(event.id, (this.bootOf.get(event.id) ?? 0) + boot);
      this.downSince.delete(event.id);
    }
    if (event.phase === 'done') {
      const started = this.startedAt.get(event.id);
      this.startedAt.delete(event.id);
      // A case that ended without a phase (not applicable) cost nothing worth learning.
      if (started === undefined) this.finished.add(event.id);
      else this.learn(event.id, now - started);
      const boot = this.bootOf.get(event.id);
      this.bootOf.delete(event.id);
      if (started !== undefined && boot !== undefined) this.besidesBoot.push(Math.max(0, now - started - boot));
    } else if (!this.startedAt.has(event.id)) {
      this.startedAt.set(event.id, now);
      // A case run again (alone, after a neighbour disturbed it) is under way again.
      this.finished.delete(event.id);
    }
  }

  /**
   * A finished case's result: counts it, and learns from it when its end was not seen as a phase. A case that
   * could not test (no broker given, the device gone) or did not apply says nothing of what a case takes.
   */
  result(result: CaseResult): void {
    if (!this.finished.has(result.id) || result.verdict === 'could-not-test' || result.verdict === 'not-applicable')
      this.learn(result.id, result.durationMs, result.verdict);
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
   * Milliseconds left, or undefined while something is not known yet (see `remaining`). `inFlight`: the cases
   * under way with how long each has run; what they have already spent is not counted again.
   */
  leftMs(inFlight: ReadonlyMap<string, number> = new Map()): number | undefined {
    const left = this.remaining(inFlight);
    return left?.reboots === 0 ? left.ms : undefined;
  }

  /**
   * What is left: `ms` for the cases whose time can be told, and `reboots`, the cases that must reboot the
   * device while no boot has been seen yet (a boot is most of such a case, and nothing else tells how long a
   * device boots). Undefined while nothing at all is known.
   */
  remaining(inFlight: ReadonlyMap<string, number> = new Map()): { ms: number; reboots: number } | undefined {
    let alone = 0;
    let reboots = 0;
    const lanes = { amqp: 0, http: 0 };
    for (const c of this.planned.values()) {
      if (this.finished.has(c.id)) continue;
      const expected = this.expectedMs(kindOf(c));
      if (expected === undefined) return undefined;
      if (expected === UNKNOWN_BOOT) {
        reboots++;
        continue;
      }
      const left = Math.max(0, expected - (inFlight.get(c.id) ?? 0));
      if (!c.shares || this.concurrency === 1) alone += left;
      else lanes[c.id.startsWith('amqp.') ? 'amqp' : 'http'] += left;
    }
    return { ms: alone + Math.max(lanes.amqp, lanes.http / this.httpWidth), reboots };
  }

  private learn(id: string, durationMs: number, verdict?: CaseResult['verdict']): void {
    this.finished.add(id);
    const planned = this.planned.get(id);
    if (!planned) return;
    const kind = kindOf(planned);
    const samples = this.took.get(kind) ?? new Map<string, { ms: number; tested: boolean }>();
    this.took.set(kind, samples);
    const tested = verdict === undefined || (verdict !== 'could-not-test' && verdict !== 'not-applicable');
    samples.set(id, { ms: tested ? durationMs : (samples.get(id)?.ms ?? durationMs), tested });
  }

  /** The times of `kind`'s finished cases: all of them for its own kind, only those that tested for another. */
  private samples(kind: string, own = false): number[] {
    return [...(this.took.get(kind as Kind)?.values() ?? [])].filter((s) => own || s.tested).map((s) => s.ms);
  }

  // What a case of `kind` takes: its own mean, else the nearest kind seen (the other transport, then the other
  // sharing), a case that must reboot from the boots seen plus the least a rebooting case took besides its boot
  // (a plain wipe; the others publish twice or wait out windows) or UNKNOWN_BOOT before any boot, else the
  // mean of every case so far.
  private expectedMs(kind: Kind): number | typeof UNKNOWN_BOOT | undefined {
    const own = mean(this.samples(kind, true));
    if (own !== undefined) return own;
    if (kind.endsWith('/before')) {
      // Publishing first costs the replies owed and a quiet window (run-amqp-case.ts) on top of the command's own.
      const plain = this.expectedMs(kind.slice(0, -'/before'.length) as Kind);
      return typeof plain === 'number' ? plain + (this.windows?.quietMs ?? 0) : plain;
    }
    const [transport, shares, reboot] = kind.split('/') as [string, string, string];
    const otherTransport = transport === 'http' ? 'amqp' : 'http';
    const otherShares = shares === 'shared' ? 'alone' : 'shared';
    const of = (...kinds: string[]) => mean(kinds.flatMap((k) => this.samples(k)));
    const seen =
      of(`${otherTransport}/${shares}/${reboot}`) ??
      of(`${transport}/${otherShares}/${reboot}`, `${otherTransport}/${otherShares}/${reboot}`);
    if (seen !== undefined) return seen;
    // Before a case that shares the device has ended, its watch is most of it: the quiet window, or for one that
    // may reboot the device, the whole down window a device that stays up is watched (concurrent-cases.ts).
    if (shares === 'shared' && this.windows && reboot !== 'reboot') {
      return reboot === 'may' ? this.windows.downWithinMs : this.windows.quietMs;
    }
    if (reboot === 'reboot') {
      const boot = this.meanBootMs;
      return boot === undefined ? UNKNOWN_BOOT : boot + (this.besidesBoot.length ? Math.min(...this.besidesBoot) : 0);
    }
    return mean([...this.took.keys()].flatMap((k) => this.samples(k)));
  }
}

/** A case that must reboot the device, before any boot was seen. */
const UNKNOWN_BOOT = Symbol('unknown boot');

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}
