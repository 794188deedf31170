import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { SCHEMA_FILES } from './case-schema.ts';

/** The text of each schema file under specs/schema/, from the one TypeBox source (the config schema passes its own). */
export function schemaFileTexts(files: Record<string, TSchema> = SCHEMA_FILES): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([name, schema]) => [
      name,
      `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', $id: name, ...schema }, null, 2)}\n`,
    ]),
  );
}

// `npm run schema` regenerates the files editors use; a test fails when they fall behind.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = fileURLToPath(new URL('../../specs/schema/', import.meta.url));
  for (const [name, text] of Object.entries(schemaFileTexts())) writeFileSync(`${dir}${name}`, text);
}
