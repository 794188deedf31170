import { ConformanceError } from '../errors/conformance-error.ts';
import type { CapabilityStatement } from '../results/types.ts';
import { CAPABILITY_NAMES, type CapabilityName, capabilityInfo } from '../specs/capabilities.ts';
import { parseYamlFile } from '../specs/parse-yaml-file.ts';

/** A target's capability manifest, as loaded: every known capability with whether the target has it. */
export interface CapabilityManifest {
  /** The file, as named in messages and the report. */
  source: string;
  declared: Record<CapabilityName, boolean>;
}

/**
 * Loads `--capabilities FILE`: `capabilities: [name, …]` (those listed are declared, the rest are not)
 * or `capabilities: { name: true|false, … }`. An unknown name is a mistake (exit 2, with file:line:col),
 * so a typo never silently turns cases into not-applicable.
 */
export function loadCapabilityManifest(path: string): CapabilityManifest {
  const file = parseYamlFile(path);
  const fail = (message: string, at: (string | number)[]) => {
    throw new ConformanceError('CONFIG_INVALID', `capability manifest: ${message}`, file.where(at));
  };
  const data = file.data as { capabilities?: unknown } | null;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return fail('want a map with a "capabilities" key (a list of names, or a map name → true/false)', []);
  }
  const stray = Object.keys(data).filter((k) => k !== 'capabilities' && k !== '$schema');
  if (stray[0]) fail(`unknown key "${stray[0]}" (only "capabilities")`, [stray[0]]);
  const declared = Object.fromEntries(CAPABILITY_NAMES.map((n) => [n, false])) as Record<CapabilityName, boolean>;
  const known = (name: unknown, at: (string | number)[]): CapabilityName => {
    if (typeof name !== 'string' || !(CAPABILITY_NAMES as readonly string[]).includes(name)) {
      fail(`unknown capability ${JSON.stringify(name)}; known: ${CAPABILITY_NAMES.join(', ')}`, at);
    }
    return name as CapabilityName;
  };
  const list = data.capabilities;
  if (Array.isArray(list)) {
    list.forEach((name, i) => {
      declared[known(name, ['capabilities', i])] = true;
    });
  } else if (list && typeof list === 'object') {
    for (const [name, value] of Object.entries(list)) {
      if (typeof value !== 'boolean')
        fail(`${name}: want true or false (got ${JSON.stringify(value)})`, ['capabilities', name]);
      declared[known(name, ['capabilities', name])] = value as boolean;
    }
  } else {
    fail('"capabilities" must be a list of names or a map name → true/false', ['capabilities']);
  }
  return { source: file.path, declared };
}

/** How the reason of a case made not-applicable by a missing capability begins. */
export const NOT_DECLARED = 'the target does not declare';

/**
 * Why a case is not applicable to the target, or undefined when it is. Without a manifest every
 * capability is assumed (the behaviour before manifests existed).
 */
export function notApplicableReason(
  requires: readonly CapabilityName[] | undefined,
  manifest: CapabilityManifest | undefined,
): string | undefined {
  if (!manifest || !requires?.length) return undefined;
  const lacking = requires.filter((name) => !manifest.declared[name]);
  if (!lacking.length) return undefined;
  return `${NOT_DECLARED} ${lacking
    .map((name) => `capability ${name} (${capabilityInfo(name).description.replace(/\.$/, '')})`)
    .join(', nor ')} in ${manifest.source}`;
}

/** The report's `capabilities` field. */
export function capabilityStatement(
  manifest: CapabilityManifest | undefined,
  notApplicable: readonly string[],
): CapabilityStatement {
  if (!manifest) {
    return {
      mode: 'assumed',
      declared: Object.fromEntries(CAPABILITY_NAMES.map((n) => [n, true])),
      notApplicable: [],
    };
  }
  return {
    mode: 'declared',
    manifest: manifest.source,
    declared: { ...manifest.declared },
    notApplicable: [...notApplicable],
  };
}
