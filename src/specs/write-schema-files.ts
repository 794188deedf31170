import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TSchema } from '@sinclair/typebox';
import { packagePath } from '../package-root.ts';
import { AmqpSpecFileSchema, ClauseFileSchema, HttpSpecFileSchema, SCHEMA_FILES, SuiteSchema } from './case-schema.ts';
import { validatorModuleText } from './compile-validators.ts';

/** The text of each schema file under specs/schema/, from the one TypeBox source (the config schema passes its own). */
export function schemaFileTexts(files: Record<string, TSchema> = SCHEMA_FILES): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([name, schema]) => [
      name,
      `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', $id: name, ...schema }, null, 2)}\n`,
    ]),
  );
}

/** Where the spec and suite validators are compiled to, inside the package. */
export const SPEC_VALIDATORS_FILE = ['src', 'specs', 'spec-validators.compiled.ts'];

/** The text of src/specs/spec-validators.compiled.ts: the loaders' validators, compiled ahead of time. */
export function specValidatorsText(): string {
  return validatorModuleText(
    {
      validateClauses: ClauseFileSchema,
      validateHttpSpecFile: HttpSpecFileSchema,
      validateAmqpSpecFile: AmqpSpecFileSchema,
      validateSuite: SuiteSchema,
    },
    'src/specs/case-schema.ts',
  );
}

// `npm run schema` regenerates the files editors use and the compiled validators; a test fails when they fall behind.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, text] of Object.entries(schemaFileTexts()))
    writeFileSync(packagePath('specs', 'schema', name), text);
  writeFileSync(packagePath(...SPEC_VALIDATORS_FILE), specValidatorsText());
}
