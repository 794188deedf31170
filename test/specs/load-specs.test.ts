import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';
import { schemaFileTexts } from '../../src/specs/write-schema-files.ts';
import { MINIMAL_CASE, MINIMAL_CLAUSES, tempSpecRoot } from '../helpers/temp-specs.ts';

const PROJECT = join(import.meta.dirname, '..', '..');

function loadError(files: Record<string, string>): ConformanceError {
  const root = tempSpecRoot(files);
  try {
    loadSpecs(root);
  } catch (error) {
    if (error instanceof ConformanceError) return error;
    throw error;
  }
  throw new Error('loadSpecs accepted a bad spec');
}

describe('loadSpecs', () => {
  it('loads a valid spec with its source position', () => {
    const root = tempSpecRoot({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/a.yaml': `transport: http\ncases:\n${MINIMAL_CASE}`,
    });
    const catalogue = loadSpecs(root);
    expect(catalogue.cases.map((c) => c.spec.id)).toEqual(['http.wipedata.content-type.text-plain']);
    expect(catalogue.cases[0]?.source).toMatch(/specs\/http\/a\.yaml:3:5$/);
    expect(catalogue.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names file, line, case id and path of an unknown key', () => {
    const error = loadError({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/a.yaml': `transport: http\ncases:\n${MINIMAL_CASE.replace('reboot: none', 'reboot: none, stat: unchanged')}`,
    });
    expect(error.code).toBe('SPEC_SCHEMA');
    expect(error.message).toContain('case http.wipedata.content-type.text-plain');
    expect(error.message).toContain('/cases/0/expect');
    expect(error.message).toContain('unknown key "stat"');
    expect(error.where).toMatch(/specs\/http\/a\.yaml:10:\d+$/);
  });

  it('rejects a clause id the catalogue does not define', () => {
    const error = loadError({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/a.yaml': `transport: http\ncases:\n${MINIMAL_CASE.replace('[HTTP-2, HTTP-14]', '[HTTP-2, HTTP-99]')}`,
    });
    expect(error.code).toBe('SPEC_UNKNOWN_CLAUSE');
    expect(error.message).toContain('HTTP-99');
    expect(error.where).toMatch(/a\.yaml:5:\d+$/);
  });

  it('rejects a duplicate case id', () => {
    const error = loadError({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/a.yaml': `transport: http\ncases:\n${MINIMAL_CASE}${MINIMAL_CASE}`,
    });
    expect(error.code).toBe('SPEC_DUPLICATE_ID');
  });

  it('rejects a state expectation without seeded data', () => {
    const error = loadError({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/a.yaml': `transport: http\ncases:\n${MINIMAL_CASE.replace('    given: seeded\n', '')}`,
    });
    expect(error.code).toBe('SPEC_INCONSISTENT');
    expect(error.message).toContain('"given"');
  });

  it('reports YAML syntax errors with their position', () => {
    const error = loadError({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/a.yaml': 'transport: http\ncases:\n  - id: [unclosed\n',
    });
    expect(error.code).toBe('SPEC_SYNTAX');
    expect(error.where).toMatch(/a\.yaml:\d+:\d+$/);
  });

  it('loads the project specs, and every HTTP clause has a case', () => {
    const catalogue = loadSpecs(PROJECT);
    const cited = new Set(catalogue.cases.flatMap((c) => c.spec.clauses));
    const httpClauses = [...catalogue.clauses.keys()].filter((id) => id.startsWith('HTTP-'));
    expect(httpClauses.length).toBe(17);
    expect(httpClauses.filter((id) => !cited.has(id))).toEqual([]);
  });

  it('keeps specs/schema in step with the TypeBox source (npm run schema)', () => {
    for (const [name, text] of Object.entries(schemaFileTexts())) {
      expect(readFileSync(join(PROJECT, 'specs', 'schema', name), 'utf8'), name).toBe(text);
    }
  });
});
