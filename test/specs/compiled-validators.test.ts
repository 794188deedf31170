import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../src/package-root.ts';
import { CONFIG_VALIDATOR_FILE, configValidatorText } from '../../src/settings/write-config-schema.ts';
import { SPEC_VALIDATORS_FILE, specValidatorsText } from '../../src/specs/write-schema-files.ts';

// The loaders validate with Ajv standalone code compiled from the TypeBox schemas; a schema changed without
// `npm run schema` would leave them checking the old vocabulary.
describe('compiled validators', () => {
  it.each([
    [SPEC_VALIDATORS_FILE.join('/'), SPEC_VALIDATORS_FILE, specValidatorsText],
    [CONFIG_VALIDATOR_FILE.join('/'), CONFIG_VALIDATOR_FILE, configValidatorText],
  ])('%s is in step with its TypeBox source (npm run schema)', (name, file, text) => {
    // Compared as a boolean: a diff of half a megabyte of generated code helps no one.
    expect(readFileSync(packagePath(...file), 'utf8') === text(), `${name}: run npm run schema`).toBe(true);
  });
});
