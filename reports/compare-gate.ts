import type { Report } from '../src/results/types.ts';
import type { CaseOnlyIn, RunComparison, VerdictChange } from './compare-runs.ts';

/** What the regression gate decides from a comparison (compare BASE NEW). */
export interface CompareGate {
  /** 1 when a MUST case newly fails in the new run, else 0. */
  exitCode: 0 | 1;
  /** MUST cases failing in the new run that did not fail in the base (a case new to the suite counts too). */
  mustNewlyFailing: string[];
  /** Newly failing MUST cases a waiver in force covers in the new run: listed, but they do not fail the gate. */
  waived: string[];
}

/**
 * The gate of `compare`: a MUST case that fails in NEW and did not in BASE fails it, as does a MUST case
 * NEW has and BASE had not, that fails (a regression the base never saw); a waiver in force in NEW lets a
 * failure through, as it does for `run`. SHOULD and MAY cases, and could-not-test, never fail it.
 */
export function compareGate(comparison: RunComparison, b: Report): CompareGate {
  const waivedInB = new Set(b.results.filter((r) => r.waived?.status === 'waived').map((r) => r.id));
  const failing = [...comparison.newlyFailing, ...comparison.added.filter((c) => c.verdict === 'fail')].filter(
    (c: VerdictChange | CaseOnlyIn) => c.level === 'MUST',
  );
  const mustNewlyFailing = failing.filter((c) => !waivedInB.has(c.id)).map((c) => c.id);
  const waived = failing.filter((c) => waivedInB.has(c.id)).map((c) => c.id);
  return { exitCode: mustNewlyFailing.length > 0 ? 1 : 0, mustNewlyFailing, waived };
}

/** The comparison for a terminal or a CI log: what changed, then the gate. */
export function renderComparisonText(
  comparison: RunComparison,
  gate: CompareGate,
  names: { a: string; b: string },
): string[] {
  const side = (name: string, s: RunComparison['a']) =>
    `${name}  (${s.startedAt}, ${s.target}, suite ${s.suite}, exit ${s.exitCode}${s.complete ? '' : ', interrupted'})`;
  const lines = [`base ${side(names.a, comparison.a)}`, `new  ${side(names.b, comparison.b)}`];
  if (!comparison.sameBasis) {
    const why = [
      comparison.a.suite !== comparison.b.suite ? 'suite' : '',
      comparison.a.target !== comparison.b.target ? 'target' : '',
      comparison.a.specHash !== comparison.b.specHash ? 'spec files' : '',
    ].filter(Boolean);
    lines.push(`note: the runs differ in ${why.join(', ')}: cases are compared by id`);
  }
  const change = (c: VerdictChange, message: string) =>
    `  ${c.id}  [${c.level}]  ${c.a} → ${c.b}${message ? `  ${message}` : ''}`;
  const newlyFailing = new Set(comparison.newlyFailing.map((c) => c.id));
  const newlyPassing = new Set(comparison.newlyPassing.map((c) => c.id));
  const other = comparison.verdictChanges.filter((c) => !newlyFailing.has(c.id) && !newlyPassing.has(c.id));
  const addedFailing = comparison.added.filter((c) => c.verdict === 'fail');
  lines.push(`newly failing: ${comparison.newlyFailing.length + addedFailing.length}`);
  for (const c of comparison.newlyFailing) lines.push(change(c, c.messageB));
  for (const c of addedFailing) lines.push(`  ${c.id}  [${c.level}]  (not in base) → fail  ${c.message}`);
  lines.push(`newly passing: ${comparison.newlyPassing.length}`);
  for (const c of comparison.newlyPassing) lines.push(change(c, ''));
  lines.push(`other verdict changes: ${other.length}`);
  for (const c of other) lines.push(change(c, c.messageB));
  lines.push(
    `still failing: ${comparison.stillFailing.length}; only in new: ${comparison.added.length}; only in base: ${comparison.removed.length}; evidence changed: ${comparison.changedEvidence.length}; unchanged: ${comparison.unchanged}`,
  );
  if (gate.waived.length) lines.push(`waived in new (not counted): ${gate.waived.join(', ')}`);
  lines.push(
    gate.exitCode === 1
      ? `Gate: FAIL (exit 1): ${gate.mustNewlyFailing.length} MUST case(s) newly fail: ${gate.mustNewlyFailing.join(', ')}`
      : 'Gate: PASS (exit 0): no MUST case newly fails',
  );
  return lines;
}
