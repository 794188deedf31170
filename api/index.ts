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
export type { LabPlan } from '../src/lab/describe-lab.ts';
export { type Lab, type LabDevice, loadLab } from '../src/lab/lab-file.ts';
export type { RunComparison } from '../src/results/compare-runs.ts';
export type { FleetSummary, LabDeviceResult, LabSummary } from '../src/results/fleet-types.ts';
export type { PhaseEvent, RunPlan } from '../src/results/progress.ts';
export type { CaseResult, Report, Verdict } from '../src/results/types.ts';
export type { SettingValues } from '../src/settings/build-run-settings.ts';
export {
  KNOWN_REPORTERS,
  RUN_SETTINGS,
  type SettingDeclaration,
} from '../src/settings/run-settings-registry.ts';
export { compareRuns } from './compare.ts';
export { mergeShards } from './lab/merge-shards.ts';
export { type LabEvent, type LabOutcome, type LabRunRequest, runLab } from './lab/run-lab.ts';
export { type LoadedReport, loadReport } from './load-report.ts';
export { type DeviceOptions, type RunningDevice, startReferenceDevice } from './reference-device.ts';
export { type ReportServer, type ReportServerOptions, startReportServer } from './report-server.ts';
export { type ListedCase, listCases, type RunSuiteOptions, runSuite } from './run-suite.ts';
export type { RecordOptions, RunEvent, RunOutcome } from './run-with-reports.ts';
export { runWithReports } from './run-with-reports.ts';
