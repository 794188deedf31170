import { ConformanceError } from '../src/errors/conformance-error.ts';
import type { Selection } from '../src/plan/plan-cases.ts';
import type { RunSettings } from '../src/run/execute-run.ts';
import { buildRunSettings, reportersOf } from '../src/settings/build-run-settings.ts';
import type { SettingOrigin } from '../src/settings/resolve-run-values.ts';
import { type LoadedReport, loadReport } from './load-report.ts';
import { type BundleRequest, bundleFromFlags, policyFromFlags } from './policy-options.ts';
import { failedCases, loadResumePoint, type ResumePoint, restoreResumedSettings } from './resume-run.ts';
import { listFlag, type RunFlagValues } from './run-flags.ts';
import { PROJECT_ROOT, TOOL } from './tool-info.ts';

/** A run as `run`'s flags ask for it, or nothing to do (a --rerun-failed of a run with no failure). */
export type PlannedRun =
  | { kind: 'nothing-to-rerun'; source: string }
  | {
      kind: 'run';
      settings: RunSettings;
      selection: Selection;
      reporters: string[];
      bundle: BundleRequest | undefined;
      /** --resume DIR: the interrupted run continued. */
      resume: ResumePoint | undefined;
      /** --rerun-failed REPORT: the earlier run whose failures run again. */
      rerun: LoadedReport | undefined;
      /** The settings taken back from an interrupted run's journal, as flags. */
      restored: string[];
    };

/**
 * The run `run`'s flag values (flags, SOPHON_* variables and the config file, resolved) ask for: an
 * interrupted run's settings restored (`values` takes them), an earlier run's failures selected, every
 * setting checked and defaulted. A mistake is exit 2 before anything is touched.
 */
export async function planRun(
  values: RunFlagValues,
  origins: Record<string, SettingOrigin | undefined>,
): Promise<PlannedRun> {
  const resume = values.resume !== undefined ? loadResumePoint(values.resume) : undefined;
  // Every setting of the interrupted run comes back from its journal; one given again must agree.
  const restored = resume ? restoreResumedSettings(resume, values, origins) : [];
  const rerun =
    values['rerun-failed'] !== undefined ? await loadReport(values['rerun-failed'], '--rerun-failed') : undefined;
  const earlier = resume ?? (rerun ? { suite: rerun.report.suite, profile: rerun.report.profile } : undefined);
  const selection: Selection = {
    only: listFlag(values.only),
    tags: listFlag(values.tag),
    ...(rerun ? { ids: failedCases(rerun) } : {}),
  };
  if (rerun && selection.ids?.length === 0) return { kind: 'nothing-to-rerun', source: rerun.source };
  // --list needs no target, but every other flag is checked as for a run: a typo must not pass silently.
  const given = values.target ?? resume?.earlier.target ?? rerun?.report.target;
  if (!given && !values.list)
    throw new ConformanceError('CONFIG_INVALID', '--target is required (e.g. --target http://192.168.1.20:5555)');
  const settings = buildRunSettings(
    { ...values, target: given, suite: values.suite ?? earlier?.suite, profile: values.profile ?? earlier?.profile },
    {
      root: PROJECT_ROOT,
      tool: TOOL,
      policy: policyFromFlags(values),
      selection,
      targetOptional: true,
      ...(resume ? { earlier: resume.earlier } : {}),
      ...(rerun
        ? {
            rerunOf: {
              report: rerun.source,
              startedAt: rerun.report.startedAt,
              target: rerun.report.target,
              cases: selection.ids?.length ?? 0,
            },
          }
        : {}),
    },
  );
  const reporters = reportersOf(values);
  const bundle = bundleFromFlags(values);
  return { kind: 'run', settings, selection, reporters, bundle, resume, rerun, restored };
}
