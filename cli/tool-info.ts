import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The installed tool's own folder: where its specs, suites and reports live. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

const pkg = JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8')) as { name: string; version: string };

/** Name and version, as written into every report. */
export const TOOL = { name: pkg.name, version: pkg.version };
