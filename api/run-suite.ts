import { PACKAGE, PACKAGE_ROOT } from '../src/package-root.ts';
import { loadCapabilityManifest } from '../src/plan/load-capabilities.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { loadWaivers } from '../src/plan/load-waivers.ts';
import { planCases } from '../src/plan/plan-cases.ts';
import type { CasePolicy } from '../src/run/case-policy.ts';
import {
  assertKnownSettings,
  buildRunSettings,
  reportersOf,
  type SettingValues,
} from '../src/settings/build-run-settings.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { type RecordOptions, type RunOutcome, runWithReports } from './run-with-reports.ts';

/** A run asked for from code: the same settings as `run`'s flags, by flag name (docs/cli.md). */
export interface RunSuiteOptions extends Omit<RecordOptions, 'reporters'> {
  /**
   * Settings by flag name, each as typed on the command line or in its own type: `{ target:
   * 'http://192.168.1.20:5555', suite: 'smoke', 'down-within': 60_000 }`. `target` is required; the rest default
   * as `run --help` says. `reporter` picks the files written into `out`.
   */
  settings: SettingValues;
  /** Run each case this many times; differing verdicts mark it flaky. */
  repeat?: number | undefined;
  /** Stops the run after the current step; the outcome is then a partial report (`report.complete` false). */
  signal?: AbortSignal | undefined;
}

/**
 * Runs a suite against a device and resolves with its report and gate. Bad settings reject with a
 * `ConformanceError` (code CONFIG_INVALID, the command line's exit 2) before the device is touched.
 *
 * ```ts
 * import { runSuite } from 'sophon-conformance';
 * const { report, exitCode } = await runSuite({
 *   settings: { target: 'http://192.168.1.20:5555', suite: 'smoke' },
 *   out: 'reports/out/smoke',
 *   onEvent: (e) => e.type === 'result' && console.log(e.result.id, e.result.verdict),
 * });
 * ```
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunOutcome> {
  assertKnownSettings(options.settings);
  const reporters = reportersOf(options.settings).filter((r) => r !== 'console');
  const settings = buildRunSettings(options.settings, {
    root: PACKAGE_ROOT,
    tool: { name: PACKAGE.name, version: PACKAGE.version },
    signal: options.signal,
    policy: policyOf(options),
  });
  return runWithReports(settings, { out: options.out, reporters, onEvent: options.onEvent });
}

/** One selected case, as `run --list` prints it. */
export interface ListedCase {
  id: string;
  title: string;
  level: string;
  tags: readonly string[];
  clauses: readonly string[];
  transport: string;
}

/** The cases a run with these settings would run, in order; no device is needed. */
export function listCases(settings: SettingValues = {}): ListedCase[] {
  assertKnownSettings(settings);
  const built = buildRunSettings(settings, {
    root: PACKAGE_ROOT,
    tool: { name: PACKAGE.name, version: PACKAGE.version },
    targetOptional: true,
  });
  const catalogue = loadSpecs(built.root);
  return planCases(catalogue.cases, loadSuite(built.root, built.suite), built.selection).map((c) => ({
    id: c.spec.id,
    title: c.spec.title,
    level: c.spec.level,
    tags: c.spec.tags ?? [],
    clauses: c.spec.clauses,
    transport: c.transport,
  }));
}

function policyOf(options: RunSuiteOptions): CasePolicy {
  const capabilities = options.settings.capabilities;
  const waivers = options.settings.waivers;
  return {
    ...(capabilities !== undefined ? { capabilities: loadCapabilityManifest(String(capabilities)) } : {}),
    ...(waivers !== undefined ? { waivers: loadWaivers(String(waivers)) } : {}),
    ...(options.repeat !== undefined ? { repeat: options.repeat } : {}),
  };
}
