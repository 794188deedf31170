import { verdictMessage } from '../results/build-report.ts';
import { couldNotTest } from '../results/fold-verdict.ts';
import { redactDeep } from '../results/redact.ts';
import type { CaseResult } from '../results/types.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import { runPlannedCase, withPolicy } from './case-policy.ts';
import { NO_REPORT, type PhaseReport } from './case-progress.ts';
import type { CaseRun } from './case-steps.ts';
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
  return runGrouped(cases, ctx, (c, shares) => runCase(c, ctx, shares), onResult, ctx.caseConcurrency);
}

/**
 * Runs one case end to end; undefined when the run was stopped meanwhile. `shares`: other cases use the
 * device at the same time (concurrent-cases.ts).
 */
export async function runCase(c: LoadedCase, ctx: RunContext, shares = false): Promise<CaseResult | undefined> {
  if (ctx.signal.aborted) return undefined;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const policy = ctx.policy ?? {};
  const onPhase = ctx.onPhase;
  const report: PhaseReport = onPhase ? (phase, detail) => onPhase({ id: c.spec.id, phase, ...detail }) : NO_REPORT;
  const run = await runPlannedCase(c, ctx, policy, (one) => runGuarded(one, ctx, shares, report));
  report('done');
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
  // Redacted here so the console line printed as the case ends shows no secret either.
  return redactDeep(withPolicy(result, run, policy));
}

// A step that throws (a target hostile in a way no step foresaw) makes that case could-not-test with
// the error, never the end of the run: the other cases and the report are kept.
async function runGuarded(c: LoadedCase, ctx: RunContext, shares: boolean, report: PhaseReport): Promise<CaseRun> {
  try {
    return c.transport === 'http'
      ? await runHttpCase(c.spec, ctx, shares, report)
      : await runAmqpCase(c.spec, ctx, shares, report);
  } catch (error) {
    const e = error as Error;
    return {
      verdict: couldNotTest('observe', `the checker failed during the case: ${e.message ?? String(error)}`),
      evidence: { notes: [e.stack ?? String(error)] },
    };
  }
}
