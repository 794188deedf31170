import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { DoctorResult, DoctorSettings } from '../src/doctor/run-doctor.ts';
import { loadCapabilityManifest } from '../src/plan/load-capabilities.ts';
import { loadSuite } from '../src/plan/load-suite.ts';
import { planCases } from '../src/plan/plan-cases.ts';
import { redactUrl } from '../src/results/redact.ts';
import { CAPABILITY_NAMES } from '../src/specs/capabilities.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { amqpFlags, intFlag, portFlag, targetFlag } from './run-flags.ts';
import { PROJECT_ROOT } from './tool-info.ts';

export { runDoctor } from '../src/doctor/run-doctor.ts';
export type { DoctorResult, DoctorSettings };

/**
 * The preflight's settings from `doctor`'s flag values (run's, resolved as run resolves them), checked as
 * run checks them: the MQ flags too, so a mistake is one line before the first check.
 */
export function doctorSettings(target: string, v: Record<string, string | undefined>): DoctorSettings {
  targetFlag(target);
  const root = resolve(v.specs ?? PROJECT_ROOT);
  const catalogue = loadSpecs(root);
  const suite = planCases(catalogue.cases, loadSuite(root, v.suite ?? 'certification'));
  const systemPort = portFlag('system-port', v['system-port']) ?? 8888;
  const capabilities = v.capabilities ? loadCapabilityManifest(v.capabilities) : undefined;
  // The license is learnt from a probe on the command queue, which must be known.
  const amqp = amqpFlags(v as Parameters<typeof amqpFlags>[0]);
  return {
    target,
    systemPort: systemPort === 0 ? undefined : systemPort,
    amqp,
    needsAmqp: suite.some((c) => c.transport === 'amqp'),
    stateAdapter: v['state-adapter'] ?? 'sophon-http',
    recordSource: v['record-source'],
    capabilities,
    timeoutMs: intFlag('timeout', v.timeout, 100) ?? 5_000,
  };
}

/** Writes the capability manifest that follows from what doctor found (`doctor --write-capabilities FILE`). */
export function writeCapabilityManifest(path: string, result: DoctorResult, target: string): void {
  // As --bundle does: lab/capabilities.yaml in a folder without lab/ makes lab/.
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, capabilityManifest(result.capabilities, result.reasons, target));
}

function capabilityManifest(
  declared: Record<string, boolean>,
  reasons: Record<string, string>,
  target: string,
): string {
  const body = stringify({ capabilities: Object.fromEntries(CAPABILITY_NAMES.map((n) => [n, declared[n]])) });
  const lines = body.split('\n').map((line) => {
    const name = line.trim().split(':')[0] ?? '';
    return reasons[name] ? `${line}  # ${reasons[name]}` : line;
  });
  return `# capability manifest written by sophon-conformance doctor for ${redactUrl(target)} on ${new Date().toISOString()}\n${lines.join('\n')}`;
}
