import type { CompareGate } from '../src/results/compare-gate.ts';
import { comparedCases, type RunComparison, type VerdictChange } from '../src/results/compare-runs.ts';
import { renderPage } from './html/page-shell.ts';

/** How a run is named and reached from a comparison page (the report browser links to each run). */
export interface RunLink {
  name: string;
  /** The run's HTML report; case links append `#case=<id>`. */
  href?: string;
}

export interface ComparisonPageOptions {
  a?: RunLink;
  b?: RunLink;
  /** Where the list of runs is, when there is one. */
  indexHref?: string;
}

/** The comparison as one self-contained HTML page (the same shell, styles and labels as the report). */
export function renderComparisonHtml(comparison: RunComparison, options: ComparisonPageOptions = {}): string {
  const a = options.a ?? { name: comparison.a.startedAt };
  const b = options.b ?? { name: comparison.b.startedAt };
  return renderPage({
    title: `Run comparison: ${a.name} → ${b.name}`,
    data: { comparison, a, b, indexHref: options.indexHref ?? null },
    dataId: 'comparison-data',
    script: 'compare.js',
    fallback: [
      `Run comparison: ${a.name} (A) → ${b.name} (B)`,
      comparedCases(comparison).replace('only in base', 'only in A').replace('only in new', 'only in B'),
      `Newly failing: ${comparison.newlyFailing.map((c) => c.id).join(', ') || 'none'}`,
      `Newly passing: ${comparison.newlyPassing.map((c) => c.id).join(', ') || 'none'}`,
      `Still failing: ${comparison.stillFailing.map((c) => c.id).join(', ') || 'none'}`,
      `Only in B: ${comparison.added.map((c) => c.id).join(', ') || 'none'}; only in A: ${comparison.removed.map((c) => c.id).join(', ') || 'none'}`,
    ],
  });
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
