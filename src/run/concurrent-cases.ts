import type { CaseResult } from '../results/types.ts';
import { defaultOf } from '../settings/run-settings-registry.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import { outcomesOf } from '../specs/outcomes.ts';
import type { RunContext } from './run-context.ts';

/** How many cases that leave the device alone may be in flight together, unless the run says otherwise. */
export const DEFAULT_CASE_CONCURRENCY: number = defaultOf('concurrency');

/** Runs one planned case (`shares`: other cases use the device meanwhile); undefined when the run was stopped. */
export type RunOneCase = (c: LoadedCase, shares: boolean) => Promise<CaseResult | undefined>;

// A concurrent verdict other than these may have been caused by a neighbour (a faulty device that wipes or
// reboots on an error disturbs every case in flight), so it is only kept once the case gives it alone.
const CONFIRMED_ALONE = new Set<CaseResult['verdict']>(['fail', 'warn', 'could-not-test']);

// `ordered`: the case is about what the cases before it did (the license key after their reboots), so it
// keeps its place in the plan.
const RUNS_ALONE_TAGS = new Set(['destructive', 'reboot', 'ordered']);

/**
 * Whether a case may run beside others: not tagged destructive, reboot or ordered, not wiping the device clean
 * first, not publishing a command twice (which re-seeds between), and no outcome that requires a reboot.
 * Such a case deletes nothing on a healthy device, so several can share it. A case that merely allows a
 * reboot (`reboot: any`) is one: a device that does reboot for it disturbs the cases in flight, which are
 * then run again alone (runGrouped), so the price of that device's choice is time, never a wrong verdict.
 */
export function runsAlongside(c: LoadedCase): boolean {
  const { spec } = c;
  if ((spec.tags ?? []).some((t) => RUNS_ALONE_TAGS.has(t))) return false;
  if (spec.given === 'empty') return false;
  if (c.transport === 'amqp' && c.spec.send.duplicate) return false;
  return outcomesOf<{ reboot?: string }>(c.spec.expect).every((o) => o.reboot !== 'required');
}

/** A case that may reboot is watched for a whole down window when the device stays up: the longest to run. */
function watchesDownWindow(c: LoadedCase): boolean {
  return outcomesOf<{ reboot?: string }>(c.spec.expect).some((o) => o.reboot === 'any');
}

/**
 * The plan cut into steps, as positions in it: each case that needs the device alone is a step of its own,
 * and every case that may share the device is gathered into one step, taken where the first of them stands.
 * Each case establishes its own precondition, so the order they run in changes no verdict; one large group
 * lets the quiet windows overlap most.
 */
export function groupCases(cases: readonly LoadedCase[]): number[][] {
  const groups: number[][] = [];
  let shared: number[] | undefined;
  for (const [i, c] of cases.entries()) {
    if (!runsAlongside(c)) groups.push([i]);
    else if (shared) shared.push(i);
    else {
      shared = [i];
      groups.push(shared);
    }
  }
  return groups;
}

/**
 * How the cases sharing the device run: MQ cases in a lane of their own, one at a time (their replies are
 * matched on one shared up queue, partly by timing: MQ-7), beside the HTTP cases, up to `concurrency` in
 * flight in all. In each lane the cases watched for a whole down window start first, so the long watches
 * overlap each other and the short cases fill in around them.
 */
export function laneCases(
  positions: readonly number[],
  cases: readonly LoadedCase[],
  concurrency: number,
): { positions: number[]; width: number }[] {
  if (concurrency <= 1) return [{ positions: [...positions], width: 1 }];
  const longFirst = (list: number[]) => [
    ...list.filter((i) => watchesDownWindow(cases[i] as LoadedCase)),
    ...list.filter((i) => !watchesDownWindow(cases[i] as LoadedCase)),
  ];
  const mq = longFirst(positions.filter((i) => cases[i]?.transport === 'amqp'));
  const http = longFirst(positions.filter((i) => cases[i]?.transport === 'http'));
  const lanes: { positions: number[]; width: number }[] = [];
  if (mq.length > 0) lanes.push({ positions: mq, width: 1 });
  if (http.length > 0) lanes.push({ positions: http, width: Math.max(1, concurrency - lanes.length) });
  return lanes;
}

/**
 * Runs the plan: destructive cases one at a time, the cases that leave the device alone with up to
 * `concurrency` in flight (laneCases). The first of those runs alone and seeds every empty category; the
 * others share the device and only check that the seeded state is still in place (prepare-state.ts
 * findSeeded), so no case's seeding lands between another's request and its reading of the state. Their
 * quiet windows (the device must stay up) overlap, which is where the time goes. A non-pass verdict given
 * alongside others is confirmed by running the case again alone, and that run is the one reported (its
 * evidence notes the first). Results are reported in plan order, each as soon as every case before it has
 * ended.
 */
export async function runGrouped(
  cases: readonly LoadedCase[],
  ctx: RunContext,
  runOne: RunOneCase,
  onResult: (result: CaseResult) => void,
  concurrency = DEFAULT_CASE_CONCURRENCY,
): Promise<{ results: CaseResult[]; complete: boolean }> {
  const slots: (CaseResult | undefined)[] = new Array(cases.length);
  let reported = 0;
  let stopped = false;
  const settle = (index: number, result: CaseResult | undefined) => {
    if (!result) stopped = true;
    slots[index] = result;
    while (reported < cases.length && slots[reported]) onResult(slots[reported++] as CaseResult);
  };

  for (const group of groupCases(cases)) {
    if (ctx.signal.aborted || stopped) break;
    // The case run first and alone seeds the state the others will find: one that is given a seeded device and
    // can run (without a broker an MQ case ends at once, could-not-test, seeding nothing: every HTTP case would
    // then find no seed beside the others and be run again alone, one quiet window after another).
    const runs = (i: number) => cases[i]?.transport !== 'amqp' || ctx.amqp !== undefined;
    const seeds = Math.max(
      0,
      group.findIndex((i) => cases[i]?.spec.given === 'seeded' && runs(i)),
    );
    const [first, ...rest] = [group[seeds], ...group.filter((_, k) => k !== seeds)];
    if (first === undefined) continue;
    settle(first, await runOne(cases[first] as LoadedCase, false));
    if (rest.length === 0 || stopped) continue;
    const alongside: { at: number; result: CaseResult }[] = [];
    const lanes = laneCases(rest, cases, concurrency);
    // Only MQ cases (one lane of one) never meet: each then seeds for itself and is not run twice.
    const shares = lanes.reduce((n, lane) => n + Math.min(lane.width, lane.positions.length), 0) > 1;
    const lane = async (queue: number[]) => {
      while (queue.length > 0 && !ctx.signal.aborted && !stopped) {
        const at = queue.shift() as number;
        const result = await runOne(cases[at] as LoadedCase, shares);
        if (shares && result && CONFIRMED_ALONE.has(result.verdict)) alongside.push({ at, result });
        else settle(at, result);
      }
    };
    await Promise.all(lanes.flatMap(({ positions, width }) => Array.from({ length: width }, () => lane(positions))));
    alongside.sort((a, b) => a.at - b.at);
    for (const { at, result } of alongside) {
      if (ctx.signal.aborted || stopped) break;
      const alone = await runOne(cases[at] as LoadedCase, false);
      if (alone) {
        const first = `alongside other cases this case was ${result.verdict}${result.message ? ` (${result.message})` : ''}; run again alone, which is the run reported`;
        alone.evidence.notes = [...(alone.evidence.notes ?? []), first];
      }
      settle(at, alone);
    }
  }
  const results = slots.filter((r): r is CaseResult => r !== undefined);
  return { results, complete: !stopped && !ctx.signal.aborted && results.length === cases.length };
}
