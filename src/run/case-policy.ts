import { capabilityStatement, NOT_DECLARED, notApplicableReason } from '../plan/load-capabilities.ts';
import { isExpired, todayUtc, waiverFor } from '../plan/load-waivers.ts';
import { worst } from '../results/fold-verdict.ts';
import type { CapabilityStatement, CaseResult, VerdictKind, WaiverNote, WaiverStatement } from '../results/types.ts';
import type { LoadedCase } from '../specs/load-specs.ts';
import type { CaseRun } from './case-steps.ts';
import type { CasePolicy, RunContext } from './run-context.ts';

// CasePolicy is declared with the run context that carries it, so that the context needs nothing of this module.
export type { CasePolicy };

/** A case's run under the policy: the run that decides its verdict, and every repetition's verdict. */
export interface PolicyRun extends CaseRun {
  repeats?: VerdictKind[];
}

/**
 * Runs one planned case under the policy. A case needing a capability the target does not declare is
 * not-applicable and sends nothing. With `repeat` > 1 the case runs again from its precondition each
 * time (a destructive case is seeded again); the worst run decides the verdict and its evidence is kept.
 */
export async function runPlannedCase(
  c: LoadedCase,
  ctx: RunContext,
  policy: CasePolicy,
  runOnce: (c: LoadedCase) => Promise<CaseRun>,
): Promise<PolicyRun> {
  const reason = notApplicableReason(c.spec.requires, policy.capabilities);
  if (reason) {
    return { verdict: { kind: 'not-applicable', reason }, evidence: { notes: [`not run: ${reason}`] } };
  }
  const times = Math.max(1, policy.repeat ?? 1);
  let decisive = await runOnce(c);
  if (times === 1) return decisive;
  const repeats: VerdictKind[] = [decisive.verdict.kind];
  for (let i = 1; i < times && !ctx.signal.aborted; i++) {
    const run = await runOnce(c);
    if (ctx.signal.aborted) break;
    repeats.push(run.verdict.kind);
    // Worst wins; on a tie the first run that reached it keeps its evidence.
    if (worst(decisive.verdict.kind, run.verdict.kind) !== decisive.verdict.kind) decisive = run;
  }
  return { ...decisive, repeats };
}

/** Adds what the policy says about a finished case: its repeats (and whether it is flaky) and its waiver. */
export function withPolicy(result: CaseResult, run: PolicyRun, policy: CasePolicy): CaseResult {
  const out: CaseResult = { ...result };
  if (run.repeats && run.repeats.length > 1) {
    out.repeats = run.repeats;
    if (new Set(run.repeats).size > 1) {
      out.flaky = true;
      out.message = `flaky over ${run.repeats.length} runs (${run.repeats.join(', ')}); worst: ${result.message}`;
    }
  }
  const waiver = waiverFor(result.id, policy.waivers);
  if (waiver) out.waived = waiverNote(result.verdict, waiver, policy.today ?? todayUtc());
  return out;
}

function waiverNote(
  verdict: VerdictKind,
  waiver: { case: string; reason: string; expires: string },
  today: string,
): WaiverNote {
  const base = { reason: waiver.reason, expires: waiver.expires, case: waiver.case };
  if (verdict === 'fail') return { ...base, status: isExpired(waiver, today) ? 'expired' : 'waived' };
  if (verdict === 'pass' || verdict === 'warn') return { ...base, status: 'no-longer-needed' };
  return { ...base, status: 'unused' };
}

/** The report fields the policy adds: the capability statement (always), the waivers and the repeat count. */
export function policyReportFields(
  policy: CasePolicy | undefined,
  results: readonly CaseResult[],
): { capabilities: CapabilityStatement; waivers?: WaiverStatement; repeat?: number } {
  const notApplicable = results
    .filter((r) => r.verdict === 'not-applicable' && r.message.startsWith(NOT_DECLARED))
    .map((r) => r.id);
  const today = policy?.today ?? todayUtc();
  return {
    capabilities: capabilityStatement(policy?.capabilities, notApplicable),
    ...(policy?.waivers
      ? {
          waivers: {
            file: policy.waivers.source,
            entries: policy.waivers.waivers.map((w) => ({
              case: w.case,
              reason: w.reason,
              expires: w.expires,
              expired: isExpired(w, today),
              cases: results.filter((r) => r.waived?.case === w.case).map((r) => r.id),
            })),
          },
        }
      : {}),
    ...(policy?.repeat && policy.repeat > 1 ? { repeat: policy.repeat } : {}),
  };
}
