import type { CaseResult } from '../results/types.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import type { RunContext } from './run-context.ts';

/** How many cases that leave the device alone may be in flight together, unless the run says otherwise. */
export const DEFAULT_CASE_CONCURRENCY = 4;

/** Runs one planned case; undefined when the run was stopped before it finished. */
export type RunOneCase = (c: LoadedCase) => Promise<CaseResult | undefined>;

// A concurrent verdict other than these may have been caused by a neighbour (a faulty device that wipes or
// reboots on an error disturbs every case in flight), so it is only kept once the case gives it alone.
const CONFIRMED_ALONE = new Set<CaseResult['verdict']>(['fail', 'warn', 'could-not-test']);

/**
 * Whether a case may run beside others: an HTTP case not tagged destructive or reboot, that does not wipe
 * the device clean first, and none of whose outcomes lets the device reboot. Such a case deletes nothing
 * and keeps the device up on a healthy device, so several can share it; every other case has it alone.
 * MQ cases always run alone: replies are matched on one shared up queue, partly by timing (MQ-7).
 */
export function runsAlongside(c: LoadedCase): boolean {
  if (c.transport !== 'http') return false;
  const { spec } = c;
  if ((spec.tags ?? []).some((t) => t === 'destructive' || t === 'reboot')) return false;
  if (spec.given === 'empty') return false;
  const outcomes = 'oneOf' in spec.expect ? spec.expect.oneOf : [spec.expect];
  return outcomes.every((o) => o.reboot !== 'required' && o.reboot !== 'any');
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
 * Runs the plan: destructive cases one at a time, the cases that leave the device alone with up to
 * `concurrency` in flight. The first of those runs alone: it seeds every empty category, so the others
 * find the data in place and change nothing but settings (to the same values) — one case's seeding never
 * lands between another's before and after reads. Their quiet windows (the device must stay up) overlap,
 * which is where the time goes. A non-pass verdict given alongside others is confirmed by running the case
 * again alone, and that run is the one reported (its evidence notes the first). Results are reported in plan
 * order, each as soon as every case before it has ended.
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
    const [first, ...rest] = group;
    if (first === undefined) continue;
    settle(first, await runOne(cases[first] as LoadedCase));
    if (rest.length === 0 || stopped) continue;
    const alongside: { at: number; result: CaseResult }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < rest.length && !ctx.signal.aborted && !stopped) {
        const at = rest[next++] as number;
        const result = await runOne(cases[at] as LoadedCase);
        if (concurrency > 1 && result && CONFIRMED_ALONE.has(result.verdict)) alongside.push({ at, result });
        else settle(at, result);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, rest.length)) }, worker));
    alongside.sort((a, b) => a.at - b.at);
    for (const { at, result } of alongside) {
      if (ctx.signal.aborted || stopped) break;
      const alone = await runOne(cases[at] as LoadedCase);
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
