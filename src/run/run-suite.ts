import { verdictMessage } from '../results/build-report.ts';
import type { CaseResult } from '../results/types.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import { runAmqpCase } from './run-amqp-case.ts';
import type { RunContext } from './run-context.ts';
import { runHttpCase } from './run-http-case.ts';

/** Runs the planned cases one after another (they share one device's state) and reports each as it ends. */
export async function runCases(
  cases: readonly LoadedCase[],
  ctx: RunContext,
  onResult: (result: CaseResult) => void = () => {},
): Promise<{ results: CaseResult[]; complete: boolean }> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    if (ctx.signal.aborted) return { results, complete: false };
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const run = c.transport === 'http' ? await runHttpCase(c.spec, ctx) : await runAmqpCase(c.spec, ctx);
    if (ctx.signal.aborted) return { results, complete: false };
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
    results.push(result);
    onResult(result);
  }
  return { results, complete: true };
}
