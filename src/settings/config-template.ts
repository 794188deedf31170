import { dirname, relative, resolve, sep } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import { CONFIG_SCHEMA_FILE } from './config-schema.ts';
import { configTemplateText } from './settings-docs.ts';

/**
 * The commented config file `init` writes, generated from the settings registry. Every value set in it is the
 * default, so a fresh file changes nothing until it is edited; a SOPHON_* variable or a flag still overrides each.
 */
export function configTemplate(configFile: string): string {
  const schemaFile = resolve(PACKAGE_ROOT, 'specs', 'schema', CONFIG_SCHEMA_FILE);
  // Relative when the tool is below the file's folder (node_modules, or this repository), else absolute.
  const rel = relative(dirname(configFile), schemaFile).split(sep).join('/');
  return configTemplateText(rel.startsWith('..') ? schemaFile : `./${rel}`);
}
