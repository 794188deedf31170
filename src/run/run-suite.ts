import { verdictMessage } from '../results/build-report.ts';
import type { CaseResult } from '../results/types.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import { runPlannedCase, withPolicy } from './case-policy.ts';
import { runGrouped } from './concurrent-cases.ts';
import { runAmqpCase } from './run-amqp-case.ts';
import type { RunContext } from './run-context.ts';
import { runHttpCase } from './run-http-case.ts';

/**
 * Runs the planned cases (they share one device's state): destructive ones one after another, those that
 * leave the device alone a few at a time (concurrent-cases.ts); reports each, in plan order, as it ends.
 */
export function runCases(
  cases: readonly LoadedCase[],
  ctx: RunContext,
  onResult: (result: CaseResult) => void = () => {},
): Promise<{ results: CaseResult[]; complete: boolean }> {
  return runGrouped(cases, ctx, (c) => runCase(c, ctx), onResult, ctx.caseConcurrency);
}

/** Runs one case end to end; undefined when the run was stopped meanwhile. */
export async function runCase(c: LoadedCase, ctx: RunContext): Promise<CaseResult | undefined> {
  if (ctx.signal.aborted) return undefined;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const policy = ctx.policy ?? {};
  const run = await runPlannedCase(c, ctx, policy, (one) =>
    one.transport === 'http' ? runHttpCase(one.spec, ctx) : runAmqpCase(one.spec, ctx),
  );
  if (ctx.signal.aborted) return undefined;
  const verdict = run.verdict;
  const result: CaseResult = {
    id: c.spec.id,
    title: c.spec.title,
    level: c.spec.level,
    clauses: c.spec.clauses,
    transport: c.transport,
    tags: c.spec.tags ?? [],
    source: c.source,
    verdict: verdict.kind,
    message: verdictMessage(verdict, run.evidence.outcome),
    checks: verdict.kind === 'not-applicable' ? [] : verdict.checks,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    evidence: run.evidence,
  };
  return withPolicy(result, run, policy);
}
