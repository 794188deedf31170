import { resolve } from 'node:path';
import { renderHtml } from '../reports/render-html.ts';
import { renderJunit } from '../reports/render-junit.ts';
import { loadSigningKey, writeBundle } from '../src/bundle/write-bundle.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { loadCapabilityManifest } from '../src/plan/load-capabilities.ts';
import { loadWaivers } from '../src/plan/load-waivers.ts';
import { redactUrl } from '../src/results/redact.ts';
import type { Report } from '../src/results/types.ts';
import type { CasePolicy } from '../src/run/case-policy.ts';
import type { RunSettings } from '../src/run/execute-run.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { TOOL } from './tool-info.ts';

/** The flags of repeats and the certification bundle (run; bundle flags also on demo); capabilities and waivers are settings. */
export const POLICY_FLAGS = {
  repeat: { type: 'string' },
  bundle: { type: 'string' },
  'sign-key': { type: 'string' },
} as const;

export const POLICY_USAGE = `  --repeat N              run each case N times (seeded again each time); differing verdicts mark it flaky
  --bundle FILE           also write a certification bundle (.tar.gz): reports, specs and their hash,
                          tool version, config, MANIFEST.sha256 (check it with: sophon-conformance verify FILE)
  --sign-key FILE         sign the bundle's manifest with this Ed25519 private key (PEM)`;

type PolicyValues = { capabilities?: string; waivers?: string; repeat?: string };

/** Loads the manifest and waivers and checks --repeat; every mistake is exit 2 naming the file and entry. */
export function policyFromFlags(values: PolicyValues): CasePolicy {
  let repeat: number | undefined;
  if (values.repeat !== undefined) {
    repeat = Number(values.repeat);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) {
      throw new ConformanceError('CONFIG_INVALID', `--repeat ${values.repeat}: want a whole number from 1 to 100`);
    }
  }
  return {
    ...(values.capabilities ? { capabilities: loadCapabilityManifest(values.capabilities) } : {}),
    ...(values.waivers ? { waivers: loadWaivers(values.waivers) } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
  };
}

/** The bundle request, checked before the run starts (a bad key must not cost a whole run). */
export interface BundleRequest {
  path: string;
  signKey?: ReturnType<typeof loadSigningKey> | undefined;
}

export function bundleFromFlags(values: {
  bundle?: string | undefined;
  'sign-key'?: string | undefined;
}): BundleRequest | undefined {
  if (!values.bundle) {
    if (values['sign-key']) throw new ConformanceError('CONFIG_INVALID', '--sign-key needs --bundle FILE');
    return undefined;
  }
  if (!/\.(tar\.gz|tgz)$/.test(values.bundle)) {
    throw new ConformanceError('CONFIG_INVALID', `--bundle ${values.bundle}: want a .tar.gz (or .tgz) file name`);
  }
  return { path: resolve(values.bundle), signKey: values['sign-key'] ? loadSigningKey(values['sign-key']) : undefined };
}

/** Writes the certification bundle of a finished run; returns its path. */
export async function writeRunBundle(request: BundleRequest, report: Report, settings: RunSettings): Promise<string> {
  const catalogue = loadSpecs(settings.root);
  await writeBundle(request.path, {
    report,
    html: renderHtml(report),
    junit: renderJunit(report),
    specRoot: settings.root,
    specFiles: catalogue.files,
    tool: TOOL,
    config: redactedConfig(settings),
    signKey: request.signKey,
  });
  return request.path;
}

/** The settings a run used, as the bundle records them: credentials in URLs and keys are redacted. */
export function redactedConfig(settings: RunSettings): Record<string, unknown> {
  const policy = settings.policy;
  return {
    target: redactUrl(settings.target),
    systemPort: settings.systemPort ?? null,
    suite: settings.suite,
    selection: settings.selection,
    profile: settings.profile,
    stateAdapter: settings.stateAdapter,
    downWithinMs: settings.downWithinMs,
    upWithinMs: settings.upWithinMs,
    quietMs: settings.quietMs,
    probeIntervalMs: settings.probeIntervalMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    recordSource: settings.recordSource ? redactUrl(settings.recordSource) : null,
    amqp: settings.amqp
      ? {
          url: redactUrl(settings.amqp.url),
          commandQueue: settings.amqp.commandQueue,
          upQueue: settings.amqp.upQueue,
          replyWithinMs: settings.amqp.replyWithinMs,
          licenseKey: settings.amqp.licenseKey ? '<redacted>' : null,
          platformLogin: settings.amqp.platformLogin ?? null,
        }
      : null,
    capabilities: policy?.capabilities
      ? { manifest: policy.capabilities.source, declared: policy.capabilities.declared }
      : 'none given: every capability assumed',
    waivers: policy?.waivers
      ? { file: policy.waivers.source, entries: policy.waivers.waivers.map(({ where: _, ...w }) => w) }
      : null,
    repeat: policy?.repeat ?? 1,
  };
}
