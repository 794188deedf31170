import type { Level, VerdictKind } from '../results/types.ts';
import type {
  BuildGate,
  BuildStatus,
  CaseObservation,
  CaseStatus,
  ClauseStatus,
  LedgerCase,
  LedgerRun,
  MergedVerdict,
  RunEvidence,
} from './types.ts';

// Worst first for a clause: a flaky case is a failure that a pass did not hide, so it ranks above fail.
const SEVERITY: Record<MergedVerdict, number> = {
  flaky: 6,
  fail: 5,
  'could-not-test': 4,
  warn: 3,
  pass: 2,
  'not-applicable': 1,
};

/** Options of `mergeBuild`: the device filter shown in the status, and a spec hash to merge on. */
export interface MergeOptions {
  device?: string;
  /** Merge the runs on this spec hash (default: the latest run's). */
  specHash?: string;
}

/**
 * The rule of the ledger: every run of one build on one spec hash, merged case by case. A could-not-test is
 * no evidence and a later verdict fills it in; a failure is evidence, never hidden by a pass on the same build
 * (the case is then flaky and the build is not certified) unless its run was set aside.
 */
export function mergeBuild(
  firmware: string,
  evidence: readonly RunEvidence[],
  options: MergeOptions = {},
): BuildStatus {
  const ordered = [...evidence].sort((a, b) => byTime(a.run, b.run));
  const standing = ordered.filter((e) => !e.run.setAside);
  const specHash = options.specHash ?? standing.at(-1)?.run.specHash ?? '';
  const merged = standing.filter((e) => e.run.specHash === specHash);
  const excluded: BuildStatus['excluded'] = ordered
    .filter((e) => e.run.setAside || e.run.specHash !== specHash)
    .map((e) => ({ run: e.run, why: e.run.setAside ? 'set-aside' : 'other-spec-hash' }));

  const byCase = new Map<string, { latest: LedgerCase; history: CaseObservation[]; messages: Map<string, string> }>();
  for (const { run, cases } of merged) {
    for (const c of cases) {
      const entry = byCase.get(c.caseId) ?? { latest: c, history: [] as CaseObservation[], messages: new Map() };
      entry.latest = c;
      entry.history.push({
        runId: run.id,
        device: run.device.key,
        startedAt: run.startedAt,
        verdict: c.verdict,
        waived: c.waived,
      });
      entry.messages.set(run.id, c.message);
      byCase.set(c.caseId, entry);
    }
  }
  const cases = [...byCase.values()]
    .map(({ latest, history, messages }) => mergeCase(latest, history, messages))
    .sort((a, b) => compareIds(a.id, b.id));

  const clauseLevels = new Map<string, Level>();
  for (const { clauses } of merged) for (const c of clauses) clauseLevels.set(c.id, c.level);
  for (const c of cases) for (const id of c.clauses) if (!clauseLevels.has(id)) clauseLevels.set(id, c.level);
  const clauses = [...clauseLevels.entries()]
    .map(([id, level]) => mergeClause(id, level, cases))
    .sort((a, b) => compareIds(a.id, b.id));

  const missing = {
    cases: cases.filter((c) => c.verdict === 'could-not-test').map((c) => c.id),
    clauses: clauses.filter((c) => c.level === 'MUST' && c.verdict === 'uncovered').map((c) => c.id),
  };
  // The same gate as a run's (src/results/build-report.ts): any failure not under a waiver in force.
  const blocking = cases.filter((c) => (c.verdict === 'fail' || c.verdict === 'flaky') && !c.waived).map((c) => c.id);
  // Reruns of a few cases complete nothing alone: some run of the build must have finished its whole plan.
  const planFinished = merged.some((e) => e.run.complete && e.run.origin !== 'rerun');
  const incomplete = !planFinished || missing.cases.length > 0 || missing.clauses.length > 0;
  const gate: BuildGate = blocking.length ? 'not-certified' : incomplete ? 'incomplete' : 'certified';
  const counts: Record<MergedVerdict, number> = {
    pass: 0,
    fail: 0,
    warn: 0,
    'not-applicable': 0,
    'could-not-test': 0,
    flaky: 0,
  };
  for (const c of cases) counts[c.verdict]++;
  return {
    firmware,
    ...(options.device !== undefined ? { device: options.device } : {}),
    specHash,
    gate,
    exitCode: gate === 'certified' ? 0 : gate === 'not-certified' ? 1 : 3,
    runs: merged.map((e) => e.run),
    excluded,
    cases,
    clauses,
    missing,
    blocking,
    counts,
  };
}

function mergeCase(latest: LedgerCase, history: CaseObservation[], messages: Map<string, string>): CaseStatus {
  const base = { id: latest.caseId, level: latest.level, clauses: latest.clauses, history };
  const evidence = history.filter((h) => h.verdict !== 'could-not-test');
  const last = (of: readonly CaseObservation[]) => of[of.length - 1];
  const decided = (verdict: MergedVerdict, by: CaseObservation | undefined, waived: boolean): CaseStatus => ({
    ...base,
    verdict,
    ...(by ? { decidedBy: by.runId } : {}),
    message: by ? (messages.get(by.runId) ?? '') : '',
    waived,
  });
  if (!evidence.length) return decided('could-not-test', last(history), false);
  const failures = evidence.filter((h) => h.verdict === 'fail');
  const passes = evidence.filter((h) => h.verdict === 'pass' || h.verdict === 'warn');
  const waived = failures.length > 0 && failures.every((h) => h.waived);
  // Flaky is one device disagreeing with itself; a pass on one device and a failure on another is a failure.
  const flaky = failures.some((f) => passes.some((p) => p.device === f.device));
  if (flaky) return decided('flaky', last(failures), waived);
  if (failures.length) return decided('fail', last(failures), waived);
  const verdict = evidence.map((h) => h.verdict).reduce((a, b) => (SEVERITY[a] >= SEVERITY[b] ? a : b));
  return decided(verdict, last(evidence.filter((h) => h.verdict === verdict)), waived);
}

function mergeClause(id: string, level: Level, cases: readonly CaseStatus[]): ClauseStatus {
  const citing = cases.filter((c) => c.clauses.includes(id));
  if (!citing.length) return { id, level, verdict: 'uncovered', cases: [] };
  const worst = citing.reduce((a, b) => (SEVERITY[a.verdict] >= SEVERITY[b.verdict] ? a : b));
  return {
    id,
    level,
    verdict: worst.verdict,
    ...(worst.decidedBy ? { decidedBy: worst.decidedBy } : {}),
    cases: citing.map((c) => c.id),
  };
}

/** Runs in the order they were carried out; the id breaks a tie so the order never depends on the backend. */
export function byTime(a: LedgerRun, b: LedgerRun): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

// Natural order of dotted ids (MQ-7 before MQ-10), the order the reports use.
const collator = new Intl.Collator('en', { numeric: true });
function compareIds(a: string, b: string): number {
  return collator.compare(a, b);
}

/** How many verdicts of each kind a case's runs gave (the flaky counts of `ledger diff`). */
export function verdictCounts(history: readonly CaseObservation[]): Partial<Record<VerdictKind, number>> {
  const counts: Partial<Record<VerdictKind, number>> = {};
  for (const h of history) counts[h.verdict] = (counts[h.verdict] ?? 0) + 1;
  return counts;
}
