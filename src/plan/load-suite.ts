import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { SuiteSpec } from '../specs/case-schema.ts';
import { assertValid, parseYamlFile } from '../specs/parse-yaml-file.ts';
import { validateSuite } from '../specs/spec-validators.compiled.ts';

/** The names of the suites under `root/suites`. */
export function listSuites(root: string): string[] {
  const dir = join(root, 'suites');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => name.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Loads a suite by name (from `root/suites`) or by path to a YAML file. */
export function loadSuite(root: string, nameOrPath: string): SuiteSpec {
  const byName = join(root, 'suites', `${nameOrPath}.yaml`);
  const path = existsSync(byName) ? byName : nameOrPath;
  if (!existsSync(path) || !/\.ya?ml$/.test(path)) {
    throw new ConformanceError(
      'SUITE_NOT_FOUND',
      `no suite "${nameOrPath}"; known suites: ${listSuites(root).join(', ') || '(none)'}`,
    );
  }
  const file = parseYamlFile(path);
  assertValid(file, validateSuite, () => `suite ${nameOrPath}`);
  return file.data as SuiteSpec;
}
