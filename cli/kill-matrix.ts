import { type FaultInfo, KNOWN_FAULTS } from '../reference-device/faults.ts';
import { COMBINED_VARIANTS, type VariantTiming } from '../reference-device/variants.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { planCases } from '../src/plan/plan-cases.ts';
import type { CaseResult, Report } from '../src/results/types.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import {
  departuresOf,
  expandCases,
  idsWith,
  type MatrixWindows,
  pool,
  runAgainstReferenceDevice,
} from './matrix-device-run.ts';
import { PROJECT_ROOT } from './tool-info.ts';

/** A case whose verdict disagreed with the fault's declaration. */
export interface Mismatch {
  id: string;
  verdict: string;
  message: string;
}

/** One fault's row of the matrix: the cases it declares and the cases that caught it. */
export interface FaultRow {
  fault: string;
  description: string;
  /** The declared catches (`catches` in reference-device/faults.ts) expanded over the suite's cases. */
  expectedCases: string[];
  /** Cases that did not pass against the fault: fail, or warn for a SHOULD case. */
  caughtBy: string[];
  /** The MUST cases among caughtBy that failed: the ones that stop a release (a warn never does). */
  caughtByMust: string[];
  /** Cases that could not be tested in this fault's run (a precondition the fault broke). */
  couldNotTest: string[];
  /**
   * caughtBy === expectedCases, and a MUST case is among them (for a fault graded SHOULD, whose clause
   * the design keeps at SHOULD, a warn is the catch).
   */
  exact: boolean;
  grade: 'MUST' | 'SHOULD';
  /** For each case declared but not caught, or caught but not declared: its verdict and message. */
  mismatches: Mismatch[];
  /** Present when the first run was inexact and the fault was run a second time (the row is the second). */
  firstAttempt?: { mismatches: Mismatch[] };
  /**
   * Set when the device's variants leave the fault nothing to break (its withVariants drops every catch: a
   * firmware that does not reboot after an MQ wipe cannot reply after that reboot). Exact when nothing fails.
   */
  masked?: true;
  /** Both runs when the fault was run twice. */
  durationMs: number;
  /** The run the row shows (the second when there were two), for setting beside the healthy device's. */
  runMs?: number;
  /** runMs over the healthy device's run (the median of the clean runs): above SLOW_OVER_HEALTHY stands out. */
  overHealthy?: number;
}

/**
 * A fault whose run takes more than this many times the healthy device's stands out (design §5: a broken device
 * is bounded like a correct one, at most twice its wall time).
 */
export const SLOW_OVER_HEALTHY = 2;

/** The kill matrix (issue 6): every fault against the suite, and the clean device repeatedly. */
export interface KillMatrix {
  suite: string;
  /**
   * The variants every device of the run carries besides its fault (issue 13: widening a check must never
   * turn into missing a defect); empty for the default device. A case they declare a warning on counts as a
   * catch only when it fails.
   */
  variants: string[];
  startedAt: string;
  durationMs: number;
  faults: FaultRow[];
  /** Faults none of whose declared cases are in the suite (e.g. MQ faults in an HTTP-only run). */
  notExercised: string[];
  clean: {
    runs: number;
    /** Failures over all clean runs: anything but 0 is a false alarm. */
    fails: number;
    /** Warnings over all clean runs, besides the ones the variants declare. */
    warns: number;
    /** The failed (and warned) case ids of each clean run. */
    failedCases: string[][];
    couldNotTest: string[][];
    /** How long each clean run took (ms). */
    runMs?: number[];
  };
  /** The healthy device's run time: the median of the clean runs (what each fault's run is set beside). */
  healthyRunMs?: number;
  /** MUST clauses that no fault breaks: no fault is caught by a case citing them. */
  gaps: string[];
  /** The clauses each case cites, for tracing a catch to the requirement. */
  caseClauses: Record<string, string[]>;
}

export interface KillMatrixOptions {
  suite: string;
  /** Faults to run (default all). */
  faults?: string[];
  cleanRuns: number;
  parallel: number;
  /** Broker for the MQ cases; each device gets queues of its own. */
  broker?: string | undefined;
  /** Every device also carries COMBINED_VARIANTS (the faults' catches then follow their `withVariants`). */
  withVariants?: boolean;
  onRow?: (row: FaultRow) => void;
}

/**
 * The timing variants in the combination run shorter than alone (variants.ts defaults): forty runs of a
 * three-second boot would not fit in CI, and the faults' catches do not depend on how slow the device is.
 */
export const KILL_MATRIX_VARIANT_TIMING: Readonly<VariantTiming> = {
  wipeMs: 100,
  shutdownMs: 250,
  initMs: 100,
  bootMs: 200,
  consumerLateMs: 300,
};

/**
 * The kill matrix's windows: short, and no wipe window, so that a late reply is late (fault mq-reply-late). With
 * the variants the quiet window covers their slow shutdown, as the default 5 s covers a real device's: a wrongful
 * reboot after a refusal comes as late as a rightful one, and the cases that share the device run before any wipe
 * has shown the run how late that is (case-steps.ts quietWindow).
 */
function killMatrixWindows(options: KillMatrixOptions): MatrixWindows {
  return {
    suite: options.suite,
    broker: options.broker,
    requestTimeoutMs: 5_000,
    replyWithinMs: 2_000,
    ...(options.withVariants ? { quietMs: 2 * KILL_MATRIX_VARIANT_TIMING.shutdownMs } : {}),
  };
}

/** Runs the suite against each fault (several at once, each on its own ports, folder and queues). */
export async function runKillMatrix(options: KillMatrixOptions): Promise<KillMatrix> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const catalogue = loadSpecs(PROJECT_ROOT);
  const planned = planCases(catalogue.cases, loadSuite(PROJECT_ROOT, options.suite));
  const levels = new Map(planned.map((c) => [c.spec.id, c.spec.level]));
  const unknown = (options.faults ?? []).filter((name) => !KNOWN_FAULTS.some((f) => f.name === name));
  if (unknown.length) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `unknown fault ${unknown.join(', ')}; sophon-conformance device --list-faults lists them`,
    );
  }
  const variants = options.withVariants ? [...COMBINED_VARIANTS] : [];
  const caseIds = [...levels.keys()];
  // What the variants alone warn on (their declared departures): no catch of any fault.
  const departures = new Set(departuresOf(variants, caseIds));
  const selected = KNOWN_FAULTS.filter((f) => !options.faults || options.faults.includes(f.name)).map((f) => ({
    ...f,
    expected: declaredCatches(f.name, caseIds, options.withVariants),
  }));
  const runOnce = (faults: string[]) =>
    runAgainstReferenceDevice(
      { faults, variants, ...(variants.length ? { variantTiming: KILL_MATRIX_VARIANT_TIMING } : {}) },
      killMatrixWindows(options),
    );
  // A fault that declares nothing still runs (and is reported inexact): that is how its catches are found.
  const masks = (f: (typeof selected)[number]) => options.withVariants === true && f.expected.length === 0;
  const exercised = selected.filter(
    (f) => f.expected.length > 0 || (f.catches as readonly string[]).length === 0 || masks(f),
  );
  const jobs: (() => Promise<void>)[] = [];
  const rows: FaultRow[] = [];
  const clean = {
    fails: 0,
    warns: 0,
    failedCases: [] as string[][],
    couldNotTest: [] as string[][],
    runMs: [] as number[],
  };
  for (let i = 0; i < options.cleanRuns; i++) {
    jobs.push(async () => {
      const t = performance.now();
      const report = await runOnce([]);
      clean.runMs.push(Math.round(performance.now() - t));
      clean.fails += idsWith(report.results, 'fail').length;
      clean.warns += caught(report.results, departures).filter((id) => !departures.has(id)).length;
      clean.failedCases.push(caught(report.results, departures));
      clean.couldNotTest.push(idsWith(report.results, 'could-not-test'));
    });
  }
  for (const fault of exercised) {
    jobs.push(async () => {
      const t = performance.now();
      const grade = (fault as FaultInfo).grade ?? 'MUST';
      const masked = masks(fault);
      const judge = (report: Report) => judgeFaultRun(report, fault.expected, grade, levels, departures, masked);
      let runStarted = performance.now();
      let outcome = judge(await runOnce([fault.name]));
      // A fault run that misses once is run again, and both are shown: a timing-dependent catch is
      // information, not a pass. The healthy device gets no second chance (a false alarm is a false alarm).
      let firstAttempt: FaultRow['firstAttempt'];
      if (!outcome.exact) {
        firstAttempt = { mismatches: outcome.mismatches };
        runStarted = performance.now();
        outcome = judge(await runOnce([fault.name]));
      }
      const runMs = Math.round(performance.now() - runStarted);
      // The healthy runs finished so far: the final figure is set once they all have (below).
      const overHealthy = ratio(runMs, clean.runMs);
      const row: FaultRow = {
        fault: fault.name,
        description: fault.description,
        expectedCases: fault.expected,
        ...outcome,
        grade,
        ...(firstAttempt ? { firstAttempt } : {}),
        ...(masked ? { masked: true as const } : {}),
        durationMs: Math.round(performance.now() - t),
        runMs,
        ...(overHealthy !== undefined ? { overHealthy } : {}),
      };
      rows.push(row);
      options.onRow?.(row);
    });
  }
  await pool(jobs, options.parallel);
  rows.sort((a, b) => a.fault.localeCompare(b.fault));
  for (const row of rows) {
    const over = row.runMs === undefined ? undefined : ratio(row.runMs, clean.runMs);
    if (over !== undefined) row.overHealthy = over;
  }
  const healthyRunMs = clean.runMs.length ? median(clean.runMs) : undefined;
  const caseClauses = Object.fromEntries(planned.map((c) => [c.spec.id, c.spec.clauses]));
  const broken = new Set(rows.flatMap((r) => r.caughtBy.flatMap((id) => caseClauses[id] ?? [])));
  const suiteTransports = new Set(planned.map((c) => c.transport));
  const gaps = [...catalogue.clauses.values()]
    .filter((c) => c.level === 'MUST' && suiteTransports.has(c.id.startsWith('MQ-') ? 'amqp' : 'http'))
    .filter((c) => !broken.has(c.id))
    .map((c) => c.id);
  return {
    suite: options.suite,
    variants,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    faults: rows,
    notExercised: selected.filter((f) => !exercised.includes(f)).map((f) => f.name),
    clean: { runs: options.cleanRuns, ...clean },
    ...(healthyRunMs !== undefined ? { healthyRunMs } : {}),
    gaps,
    caseClauses,
  };
}

/** `ms` over the median of the healthy runs, to one decimal; undefined before any healthy run has finished. */
function ratio(ms: number, healthy: readonly number[]): number | undefined {
  if (healthy.length === 0) return undefined;
  return Math.round((ms / Math.max(1, median(healthy))) * 10) / 10;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : Math.round(((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2);
}

/** The faults whose run took more than SLOW_OVER_HEALTHY times the healthy device's. */
export function slowFaults(matrix: KillMatrix): FaultRow[] {
  return matrix.faults.filter((f) => f.overHealthy !== undefined && f.overHealthy > SLOW_OVER_HEALTHY);
}

/**
 * The ids among `caseIds` that a fault declares it must be caught by (its `catches` globs), sorted; with
 * `withVariants`, on a device that also carries COMBINED_VARIANTS (its `withVariants` changes applied).
 */
export function declaredCatches(fault: string, caseIds: readonly string[], withVariants = false): string[] {
  const info: FaultInfo | undefined = KNOWN_FAULTS.find((f) => f.name === fault);
  const catches = expandCases(info?.catches ?? [], caseIds);
  if (!withVariants || !info?.withVariants) return catches;
  const dropped = new Set(expandCases(info.withVariants.drop ?? [], caseIds));
  const added = expandCases(info.withVariants.add ?? [], caseIds);
  return [...new Set([...catches.filter((id) => !dropped.has(id)), ...added])].sort();
}

/** What one run against a fault shows, judged against the fault's declared catches. */
export function judgeFaultRun(
  report: Report,
  expected: readonly string[],
  grade: 'MUST' | 'SHOULD',
  levels: ReadonlyMap<string, string>,
  departures: ReadonlySet<string> = new Set(),
  masked = false,
): Pick<FaultRow, 'caughtBy' | 'caughtByMust' | 'couldNotTest' | 'exact' | 'mismatches'> {
  const caughtBy = caught(report.results, departures);
  const failed = new Set(idsWith(report.results, 'fail'));
  const caughtByMust = caughtBy.filter((id) => levels.get(id) === 'MUST' && failed.has(id));
  return {
    caughtBy,
    caughtByMust,
    couldNotTest: idsWith(report.results, 'could-not-test'),
    exact: masked
      ? caughtBy.length === 0
      : caughtBy.length > 0 &&
        caughtBy.join('\n') === expected.join('\n') &&
        (grade === 'SHOULD' || caughtByMust.length > 0),
    mismatches: report.results
      .filter((r) => expected.includes(r.id) !== caughtBy.includes(r.id))
      .map((r) => ({ id: r.id, verdict: r.verdict, message: r.message })),
  };
}

/** Whether the matrix proves the checker: every fault caught exactly, the clean device never failing. */
export function killMatrixHolds(matrix: KillMatrix): boolean {
  return matrix.faults.every((f) => f.exact) && matrix.clean.fails === 0 && matrix.clean.warns === 0;
}

/**
 * Cases that did not pass: a fail, or a warn (a SHOULD case, or a SHOULD check inside a MUST case) on a case
 * the device's variants do not already warn on.
 */
function caught(results: CaseResult[], departures: ReadonlySet<string>): string[] {
  return results
    .filter((r) => r.verdict === 'fail' || (r.verdict === 'warn' && !departures.has(r.id)))
    .map((r) => r.id)
    .sort();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The matrix as Markdown: fault × caught, and the clauses each catching case traces to. */
export function renderKillMatrixMarkdown(matrix: KillMatrix): string {
  const lines = [
    `# Kill matrix — suite \`${matrix.suite}\`${matrix.variants.length ? `, every device also carrying ${matrix.variants.length} variants` : ''}`,
    '',
    `${matrix.startedAt}, ${(matrix.durationMs / 1000).toFixed(1)} s. ${matrix.faults.length} faults; ${matrix.faults.filter((f) => f.exact).length} caught by exactly their declared cases; clean device: ${matrix.clean.runs} runs, ${matrix.clean.fails} failures, ${matrix.clean.warns} warnings.`,
    '',
    ...(matrix.variants.length
      ? [
          `Every device also carried the combined variants (reference-device/variants.ts): ${matrix.variants.map((v) => `\`${v}\``).join(', ')}. A case they declare a warning on counts as a catch only when it fails.`,
          '',
        ]
      : []),
    '| fault | caught | by (level, clauses) | declared but not caught | caught but not declared |',
    '|---|---|---|---|---|',
  ];
  for (const row of matrix.faults) {
    const by = row.caughtBy
      .map((id) => {
        const level = row.caughtByMust.includes(id) ? 'MUST' : 'SHOULD';
        return `${id} (${level}; ${(matrix.caseClauses[id] ?? []).join(', ')})`;
      })
      .join('<br>');
    const missing = row.expectedCases.filter((id) => !row.caughtBy.includes(id));
    const extra = row.caughtBy.filter((id) => !row.expectedCases.includes(id));
    const mark =
      row.masked && row.exact
        ? 'masked by the variants (nothing left to break)'
        : row.caughtBy.length === 0
          ? '**NO**'
          : row.exact
            ? `yes${row.grade === 'SHOULD' ? ' (SHOULD: warns)' : ''}`
            : row.caughtByMust.length === 0 && row.grade === 'MUST'
              ? '**no MUST case**'
              : '**inexact**';
    lines.push(
      `| \`${row.fault}\`: ${row.description} | ${mark} | ${by || '—'} | ${missing.join('<br>') || '—'} | ${extra.join('<br>') || '—'} |`,
    );
  }
  const unsteady = matrix.faults.filter((f) => f.firstAttempt);
  if (unsteady.length) {
    lines.push(
      '',
      '## Run twice',
      '',
      'These faults were not caught exactly on the first run; the row above is the second run.',
      '',
    );
    for (const f of unsteady) {
      const first = (f.firstAttempt?.mismatches ?? []).map((m) => `${m.id} → ${m.verdict}: ${m.message}`);
      lines.push(`- \`${f.fault}\`: ${first.join('; ')}`);
    }
  }
  if (matrix.healthyRunMs !== undefined) {
    const slow = slowFaults(matrix);
    lines.push(
      '',
      '## Run time against the healthy device',
      '',
      `The healthy device's run: ${seconds(matrix.healthyRunMs)} (median of ${matrix.clean.runMs?.length ?? 0} clean runs). A fault whose run takes more than ${SLOW_OVER_HEALTHY} × that is **slow**: a broken device must cost no more than a correct one (design §5). ${slow.length ? `${slow.length} slow: ${slow.map((f) => `\`${f.fault}\``).join(', ')}.` : 'None is slow.'}`,
      '',
      '| fault | run time | × healthy |',
      '|---|---|---|',
    );
    for (const row of matrix.faults) {
      if (row.runMs === undefined) continue;
      const over = row.overHealthy === undefined ? '—' : `${row.overHealthy}`;
      const mark = row.overHealthy !== undefined && row.overHealthy > SLOW_OVER_HEALTHY ? ` **slow**` : '';
      lines.push(`| \`${row.fault}\` | ${seconds(row.runMs)} | ${over}${mark} |`);
    }
  }
  if (matrix.notExercised.length) {
    lines.push('', `Not exercised by this suite (their cases are not in it): ${matrix.notExercised.join(', ')}`);
  }
  lines.push('', '## Gaps', '');
  lines.push(
    matrix.gaps.length
      ? `MUST clauses no fault breaks: ${matrix.gaps.join(', ')}`
      : 'Every MUST clause is broken by at least one fault.',
  );
  return `${lines.join('\n')}\n`;
}
