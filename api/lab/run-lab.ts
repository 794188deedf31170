import { setMaxListeners } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LabBundleRequest, writeLabBundle } from '../../src/bundle/write-lab-bundle.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { describeLab, type LabPlan } from '../../src/lab/describe-lab.ts';
import type { LabDevice } from '../../src/lab/lab-file.ts';
import { PACKAGE, PACKAGE_ROOT } from '../../src/package-root.ts';
import { loadCapabilityManifest } from '../../src/plan/load-capabilities.ts';
import { loadWaivers } from '../../src/plan/load-waivers.ts';
import type { LabDeviceResult, LabSummary } from '../../src/results/fleet-types.ts';
import type { RecordedSettings } from '../../src/results/run-journal.ts';
import { worstExit } from '../../src/results/worst-exit.ts';
import type { CasePolicy } from '../../src/run/case-policy.ts';
import type { RunSettings } from '../../src/run/execute-run.ts';
import {
  assertKnownSettings,
  buildRunSettings,
  reportersOf,
  type SettingValues,
} from '../../src/settings/build-run-settings.ts';
import { RUN_SETTINGS } from '../../src/settings/run-settings-registry.ts';
import { type RunEvent, runWithReports } from '../run-with-reports.ts';

/** A lab run as asked for: every device of the lab, the settings they share, and this run's slice of it. */
export interface LabRunRequest {
  /** Every device of the lab, in lab order (loadLab, or devices built in code); names are folder names. */
  devices: readonly LabDevice[];
  /** Settings every device shares, by flag name; a device's own values win (a list setting adds to them). */
  shared?: SettingValues | undefined;
  /** The lab's folder: `<out>/<name>/` per device, `<out>/lab-summary.json`. */
  out: string;
  /** Only the devices of this slice run; absent: all of them, recorded as shard 1 of 1. */
  shard?: { index: number; count: number } | undefined;
  /** One bundle (.tar.gz) of the lab's folder and specs, written when the devices are done. */
  bundle?: LabBundleRequest | undefined;
  /** Run each case this many times on every device. */
  repeat?: number | undefined;
  /** Stops every device's run after its current step: each writes a partial report. */
  signal?: AbortSignal | undefined;
  /** What each device's journal keeps of its settings, for a resume of that device alone (`run --resume`). */
  record?: ((values: SettingValues) => RecordedSettings) | undefined;
  /** A check of a device's built settings before its run; what it throws makes that device exit 2, with the reason. */
  refuse?: ((settings: RunSettings) => void) | undefined;
}

/** What a lab run tells while it goes: the plan, then each device's start, run events and end, then the end. */
export type LabEvent =
  | { type: 'lab-start'; plan: LabPlan }
  /** A device's run is about to start with these settings (`reporters`: all it was asked for, console too). */
  | { type: 'device-start'; device: LabDevice; settings: RunSettings; reporters: string[] }
  | { type: 'device-event'; device: LabDevice; event: RunEvent }
  /** A device is done; `result.error` says why it could not be run (exit 2). */
  | { type: 'device-end'; device: LabDevice; result: LabDeviceResult }
  | { type: 'end'; summary: LabSummary; summaryPath: string; bundlePath?: string };

/** A finished lab run: lab-summary.json's content and path, and the bundle when one was asked for. */
export interface LabOutcome {
  summary: LabSummary;
  summaryPath: string;
  exitCode: number;
  bundlePath?: string;
}

/**
 * Runs the suite against every device of the lab's slice at once, each with the shared settings and its own,
 * its own report folder `<out>/<name>/`; then writes `<out>/lab-summary.json` (the whole lab: its hash, every
 * device and its shard, the specs, suite and planned cases, what `merge` checks shards against). The exit code
 * is the worst device's; a device that cannot be run is exit 2 with the reason, and the others go on.
 */
export async function runLab(
  request: LabRunRequest,
  onEvent: (event: LabEvent) => void = () => {},
): Promise<LabOutcome> {
  const shared = request.shared ?? {};
  assertKnownSettings(shared);
  for (const device of request.devices) assertKnownSettings(device.values);
  // Specs, suite and selection are checked once for the lab, before any device is touched.
  const plan = describeLab(request.devices, shared, request.shard);
  mkdirSync(request.out, { recursive: true });
  onEvent({ type: 'lab-start', plan });
  const startedAt = new Date().toISOString();
  // Every device's run listens on the one signal: many devices are many listeners, not a leak.
  if (request.signal) setMaxListeners(plan.members.length * 4 + 10, request.signal);
  const tool = { name: PACKAGE.name, version: PACKAGE.version };
  const results = await Promise.all(
    plan.members.map(async (device): Promise<LabDeviceResult> => {
      const dir = join(request.out, device.name);
      const started = performance.now();
      let exitCode: number;
      let error: string | undefined;
      let summary: LabDeviceResult['summary'];
      try {
        const values = deviceValues(shared, device, dir);
        const reporters = reportersOf(values);
        const settings = buildRunSettings(values, {
          root: PACKAGE_ROOT,
          tool,
          signal: request.signal,
          policy: policyOf(values, request.repeat),
        });
        request.refuse?.(settings);
        onEvent({ type: 'device-start', device, settings, reporters });
        const outcome = await runWithReports(settings, {
          out: dir,
          reporters: reporters.filter((r) => r !== 'console'),
          recorded: request.record?.(values),
          onEvent: (event) => onEvent({ type: 'device-event', device, event }),
        });
        exitCode = outcome.exitCode;
        summary = outcome.report.summary;
      } catch (thrown) {
        exitCode = 2;
        error = thrown instanceof ConformanceError ? thrown.describe() : (thrown as Error).message;
      }
      const result: LabDeviceResult = {
        name: device.name,
        target: device.target,
        exitCode,
        out: dir,
        durationMs: Math.round(performance.now() - started),
        ...(summary ? { summary } : {}),
        ...(error ? { error } : {}),
      };
      onEvent({ type: 'device-end', device, result });
      return result;
    }),
  );
  const exitCode = worstExit(results.map((r) => r.exitCode));
  const summaryPath = join(request.out, 'lab-summary.json');
  const summary: LabSummary = {
    tool: tool.name,
    version: tool.version,
    startedAt,
    finishedAt: new Date().toISOString(),
    exitCode,
    devices: results,
    lab: plan.lab,
  };
  writeFileSync(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  if (request.bundle) {
    await writeLabBundle(request.bundle, {
      folder: request.out,
      devices: results.map((r) => r.name),
      specRoot: plan.specs.root,
      specFiles: plan.specs.files,
      specHash: plan.lab.specHash,
      tool,
      finishedAt: summary.finishedAt,
    });
  }
  const bundlePath = request.bundle?.path;
  onEvent({ type: 'end', summary, summaryPath, ...(bundlePath ? { bundlePath } : {}) });
  return { summary, summaryPath, exitCode, ...(bundlePath ? { bundlePath } : {}) };
}

const LISTS = new Set<string>(RUN_SETTINGS.filter((s) => 'multiple' in s && s.multiple).map((s) => s.flag));

/**
 * A device's settings: the shared ones, then its own over them (a list such as `only` adds to the shared
 * one, as a flag given twice does), then its target and its report folder, which are the lab's to decide.
 */
export function deviceValues(shared: SettingValues, device: LabDevice, out: string): SettingValues {
  const values: Record<string, SettingValues[keyof SettingValues]> = { ...shared };
  for (const [flag, value] of Object.entries(device.values)) {
    if (value === undefined) continue;
    const before = values[flag];
    values[flag] =
      LISTS.has(flag) && before !== undefined ? [...asList(before), ...asList(value)] : (value as typeof before);
  }
  return { ...(values as SettingValues), target: device.target, out };
}

function asList(value: string | number | readonly string[]): string[] {
  return Array.isArray(value) ? [...value] : [String(value)];
}

function policyOf(values: SettingValues, repeat: number | undefined): CasePolicy {
  const { capabilities, waivers } = values;
  return {
    ...(capabilities !== undefined ? { capabilities: loadCapabilityManifest(String(capabilities)) } : {}),
    ...(waivers !== undefined ? { waivers: loadWaivers(String(waivers)) } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
  };
}
