import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'sophon-conformance';

/** The fields of our package.json the tool reads. */
export interface PackageInfo {
  name: string;
  version: string;
}

/**
 * The package's own folder, holding package.json, specs/, suites/, contracts/ and the report assets.
 * The same modules run from the sources (vitest, tsx) and compiled into dist/, at different depths below
 * it, so it is found by walking up to the folder whose package.json is ours, never by a fixed `..`.
 */
export const { root: PACKAGE_ROOT, info: PACKAGE } = findPackage(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package: `packagePath('specs', 'clauses.yaml')`. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

function findPackage(from: string): { root: string; info: PackageInfo } {
  for (let dir = from; ; dir = dirname(dir)) {
    const info = readPackageJson(join(dir, 'package.json'));
    if (info?.name === NAME) return { root: dir, info };
    if (dirname(dir) === dir) throw new Error(`no package.json of ${NAME} in ${from} or any folder above it`);
  }
}

function readPackageJson(file: string): PackageInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageInfo;
  } catch {
    // No package.json here (or one we cannot read): keep walking up.
    return undefined;
  }
}
