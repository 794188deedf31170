import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../package-root.ts';
import { validatorModuleText } from '../specs/compile-validators.ts';
import { schemaFileTexts } from '../specs/write-schema-files.ts';
import { CONFIG_SCHEMA_FILE, ConfigSchema } from './config-schema.ts';

/** The text of specs/schema/config.schema.json, from the TypeBox source. */
export function configSchemaText(): string {
  return schemaFileTexts({ [CONFIG_SCHEMA_FILE]: ConfigSchema })[CONFIG_SCHEMA_FILE] ?? '';
}

/** Where the config validator is compiled to, inside the package. */
export const CONFIG_VALIDATOR_FILE = ['src', 'settings', 'config-validator.compiled.ts'];

/** The text of src/settings/config-validator.compiled.ts: the config file's validator, compiled ahead of time. */
export function configValidatorText(): string {
  return validatorModuleText({ validateConfig: ConfigSchema }, 'src/settings/config-schema.ts');
}

// Part of `npm run schema`; test/cli/config.test.ts fails when the files fall behind.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(packagePath('specs', 'schema', CONFIG_SCHEMA_FILE), configSchemaText());
  writeFileSync(packagePath(...CONFIG_VALIDATOR_FILE), configValidatorText());
}
