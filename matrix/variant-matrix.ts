import { COMBINED_VARIANTS, KNOWN_VARIANTS, type VariantInfo } from '../reference-device/variants.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { PACKAGE_ROOT } from '../src/package-root.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { planCases } from '../src/plan/plan-cases.ts';
import type { Report } from '../src/results/types.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { departuresOf, idsWith, type MatrixWindows, pool, runAgainstReferenceDevice } from './matrix-device-run.ts';

/** A case that did not do what a correct device's run must: its verdict and message. */
export interface Miss {
  id: string;
  verdict: string;
  message: string;
}

/** One row of the allowed-behaviour matrix: a variant (or the combination) against the suite. */
export interface VariantRow {
  /** The variant's name, or "combined". */
  variant: string;
  /** The variants the device carried: the one, or every one of the combination. */
  variants: string[];
  description: string;
  clause: string;
  allows: string;
  /** The cases the variants declare a warning on (their `departs`), expanded over the suite. */
  declaredWarns: string[];
  warned: string[];
  /** Each one a false alarm: a correct device failed. */
  failed: Miss[];
  /** Each one a case a correct device left untestable. */
  couldNotTest: Miss[];
  /** A warning that is not declared, or a declared one that did not come. */
  unexpectedWarns: Miss[];
  missingWarns: string[];
  /** No failure, nothing untestable, and exactly the declared warnings. */
  exact: boolean;
  durationMs: number;
}

/** The allowed-behaviour matrix (issue 13): the other half of the kill matrix's proof. */
export interface VariantMatrix {
  suite: string;
  startedAt: string;
  durationMs: number;
  rows: VariantRow[];
  /** Variants none of whose effect the suite can see (it runs them all the same), e.g. MQ ones without a broker. */
  notExercised: string[];
}

export interface VariantMatrixOptions {
  suite: string;
  /** Variants to run alone (default all). */
  variants?: string[];
  /** Also run the combination of all compatible variants (COMBINED_VARIANTS). Default true. */
  combined?: boolean;
  parallel: number;
  broker?: string | undefined;
  onRow?: (row: VariantRow) => void;
}

/**
 * The variant matrix's windows: as short as the kill matrix's, with a request timeout and reply window below
 * the slow variants' durations, so that a wipe getting only those (instead of the wipe window) shows.
 */
export const VARIANT_MATRIX_WINDOWS = { requestTimeoutMs: 2_000, replyWithinMs: 2_000, wipeWithinMs: 10_000 };

/** Runs the suite against every variant alone and against the combination, several at once. */
export async function runVariantMatrix(options: VariantMatrixOptions): Promise<VariantMatrix> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const catalogue = loadSpecs(PACKAGE_ROOT);
  const caseIds = planCases(catalogue.cases, loadSuite(PACKAGE_ROOT, options.suite)).map((c) => c.spec.id);
  const unknown = (options.variants ?? []).filter((name) => !KNOWN_VARIANTS.some((v) => v.name === name));
  if (unknown.length) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `unknown variant ${unknown.join(', ')}; sophon-conformance device --list-variants lists them`,
    );
  }
  const windows: MatrixWindows = { suite: options.suite, broker: options.broker, ...VARIANT_MATRIX_WINDOWS };
  const selected: VariantInfo[] = KNOWN_VARIANTS.filter((v) => !options.variants || options.variants.includes(v.name));
  const runs = selected.map((v) => ({
    variant: v.name,
    variants: [v.name],
    description: v.description,
    clause: v.clause,
    allows: v.allows,
  }));
  if (options.combined !== false) {
    runs.push({
      variant: 'combined',
      variants: [...COMBINED_VARIANTS],
      description: `All compatible variants together: the first of each of ${COMBINED_VARIANTS.length} dimensions.`,
      clause: [...new Set(KNOWN_VARIANTS.filter((v) => COMBINED_VARIANTS.includes(v.name)).map((v) => v.clause))]
        .sort(naturally)
        .join(', '),
      allows: 'Each variant is allowed alone, and no two of them choose on the same open point.',
    });
  }
  const rows: VariantRow[] = [];
  await pool(
    runs.map((run) => async () => {
      const t = performance.now();
      const report = await runAgainstReferenceDevice({ variants: run.variants }, windows);
      const row: VariantRow = {
        ...run,
        ...judgeVariantRun(report, departuresOf(run.variants, caseIds)),
        durationMs: Math.round(performance.now() - t),
      };
      rows.push(row);
      options.onRow?.(row);
    }),
    options.parallel,
  );
  const order = new Map(runs.map((r, i) => [r.variant, i]));
  rows.sort((a, b) => (order.get(a.variant) ?? 0) - (order.get(b.variant) ?? 0));
  const transports = new Set(caseIds.map((id) => id.split('.')[0]));
  const notExercised = selected
    .filter((v) => !transports.has(v.clause.startsWith('MQ-') ? 'amqp' : 'http'))
    .map((v) => v.name);
  return { suite: options.suite, startedAt, durationMs: Math.round(performance.now() - started), rows, notExercised };
}

/** What one run against a correct device shows, judged against the warnings its variants declare. */
export function judgeVariantRun(
  report: Report,
  declaredWarns: readonly string[],
): Omit<VariantRow, 'variant' | 'variants' | 'description' | 'clause' | 'allows' | 'durationMs'> {
  const miss = (verdict: string) =>
    report.results.filter((r) => r.verdict === verdict).map((r) => ({ id: r.id, verdict, message: r.message }));
  const warned = idsWith(report.results, 'warn');
  const failed = miss('fail');
  const couldNotTest = miss('could-not-test');
  const unexpectedWarns = miss('warn').filter((m) => !declaredWarns.includes(m.id));
  const missingWarns = declaredWarns.filter((id) => !warned.includes(id));
  return {
    declaredWarns: [...declaredWarns],
    warned,
    failed,
    couldNotTest,
    unexpectedWarns,
    missingWarns,
    exact:
      failed.length === 0 && couldNotTest.length === 0 && unexpectedWarns.length === 0 && missingWarns.length === 0,
  };
}

/** Whether the matrix proves the other half: every correct device passed, with exactly its declared warnings. */
export function variantMatrixHolds(matrix: VariantMatrix): boolean {
  return matrix.rows.length > 0 && matrix.rows.every((r) => r.exact);
}

/** The matrix as Markdown: variant × clause that allows it × what the suite said. */
export function renderVariantMatrixMarkdown(matrix: VariantMatrix): string {
  const exact = matrix.rows.filter((r) => r.exact).length;
  const falseFailures = matrix.rows.reduce((n, r) => n + r.failed.length, 0);
  const lines = [
    `# Allowed-behaviour matrix — suite \`${matrix.suite}\``,
    '',
    `${matrix.startedAt}, ${(matrix.durationMs / 1000).toFixed(1)} s. ${matrix.rows.length} runs of correct devices; ${exact} passed with exactly their declared warnings; ${falseFailures} false failures.`,
    '',
    '| variant | clause | why a correct device may | result | warnings (declared) | failures or could-not-test |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of matrix.rows) {
    const result = row.exact ? 'pass' : row.failed.length ? '**FALSE FAILURE**' : '**inexact**';
    const misses = [...row.failed, ...row.couldNotTest, ...row.unexpectedWarns]
      .map((m) => `${m.id} → ${m.verdict}: ${escapeCell(m.message)}`)
      .concat(row.missingWarns.map((id) => `${id}: declared warning did not come`));
    const name = row.variant === 'combined' ? `**combined** (${row.variants.length} variants)` : `\`${row.variant}\``;
    lines.push(
      `| ${name}: ${escapeCell(row.description)} | ${row.clause} | ${escapeCell(row.allows)} | ${result} | ${row.declaredWarns.join('<br>') || '—'} | ${misses.join('<br>') || '—'} |`,
    );
  }
  if (matrix.notExercised.length) {
    lines.push('', `Not exercised by this suite (their cases are not in it): ${matrix.notExercised.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function naturally(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
