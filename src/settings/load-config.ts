import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConformanceError } from '../errors/conformance-error.ts';
import { assertValid, parseYamlFile } from '../specs/parse-yaml-file.ts';
import type { SophonConfig } from './config-schema.ts';
import { validateConfig } from './config-validator.compiled.ts';

/** The file `run` reads when no --config is given, in the working folder. */
export const DEFAULT_CONFIG_FILE = 'sophon-conformance.config.yaml';

/** A config file as loaded: its settings and the folder its relative paths start from. */
export interface LoadedConfig {
  path: string;
  dir: string;
  config: SophonConfig;
}

/** `--config FILE` when given (it must exist), else ./sophon-conformance.config.yaml when there, else none. */
export function findConfigFile(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConformanceError('CONFIG_INVALID', `--config ${explicit}: no such file`);
    return path;
  }
  const fallback = join(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

/** Reads and validates a config file; a mistake is CONFIG_INVALID at file:line:col with the key's path. */
export function loadConfig(path: string): LoadedConfig {
  try {
    const file = parseYamlFile(path);
    // A file of comments only (as `init` writes most keys) holds no settings.
    if (file.data === null || file.data === undefined) file.data = {};
    assertValid(file, validateConfig, () => 'config file');
    return { path, dir: dirname(path), config: file.data as SophonConfig };
  } catch (error) {
    if (error instanceof ConformanceError && error.code !== 'CONFIG_INVALID') {
      throw new ConformanceError('CONFIG_INVALID', error.message, error.where);
    }
    throw error;
  }
}

/** A path written in a config file is relative to that file's folder. */
export function configPath(dir: string, value: string): string {
  return isAbsolute(value) ? value : resolve(dir, value);
}

/** The config file's ledger key: a URL or `off` as written, a file relative to the config file's folder. */
export function configLedger(value: string, dir: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\/|^(off|none|no)$/i.test(value) || isAbsolute(value)) return value;
  return resolve(dir, value);
}
