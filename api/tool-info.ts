import { resolve } from 'node:path';
import { PACKAGE, PACKAGE_ROOT } from '../src/package-root.ts';

export { packagePath } from '../src/package-root.ts';

/** The installed tool's own folder: where its specs, suites and contracts live (src/package-root.ts). */
export const PROJECT_ROOT = PACKAGE_ROOT;

/** Name and version, as written into every report. */
export const TOOL = { name: PACKAGE.name, version: PACKAGE.version };

/**
 * Where reports go when no --out is given: `reports/out/…` under the current folder. Never inside the
 * tool's own folder: installed, that is node_modules, which a reinstall wipes and no one looks in.
 */
export function defaultReportsDir(...parts: string[]): string {
  return resolve('reports', 'out', ...parts);
}
