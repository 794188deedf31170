/**
 * sophon-conformance as a library: the same engine the command line, the lab and the matrices use.
 *
 * ```ts
 * import { runSuite, RUN_SETTINGS } from 'sophon-conformance';
 * ```
 * The settings are `run`'s flags by name (`RUN_SETTINGS` lists them, with defaults and help); a run reports
 * progress through `onEvent` and resolves with the report that report.json serialises.
 */

export { ConformanceError } from '../src/errors/conformance-error.ts';
export type { PhaseEvent, RunPlan } from '../src/results/progress.ts';
export type { CaseResult, Report, Verdict } from '../src/results/types.ts';
export type { SettingValues } from '../src/settings/build-run-settings.ts';
export {
  KNOWN_REPORTERS,
  RUN_SETTINGS,
  type SettingDeclaration,
} from '../src/settings/run-settings-registry.ts';
export { type DeviceOptions, type RunningDevice, startReferenceDevice } from './reference-device.ts';
export { type ListedCase, listCases, type RunSuiteOptions, runSuite } from './run-suite.ts';
export type { RecordOptions, RunEvent, RunOutcome } from './run-with-reports.ts';
export { runWithReports } from './run-with-reports.ts';
