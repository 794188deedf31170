import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaFileTexts } from '../../src/specs/write-schema-files.ts';
import { CONFIG_SCHEMA_FILE, ConfigSchema } from './config-schema.ts';

/** The text of specs/schema/config.schema.json, from the TypeBox source. */
export function configSchemaText(): string {
  return schemaFileTexts({ [CONFIG_SCHEMA_FILE]: ConfigSchema })[CONFIG_SCHEMA_FILE] ?? '';
}

// Part of `npm run schema`; test/cli/config.test.ts fails when the file falls behind.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(
    fileURLToPath(new URL(`../../specs/schema/${CONFIG_SCHEMA_FILE}`, import.meta.url)),
    configSchemaText(),
  );
}
