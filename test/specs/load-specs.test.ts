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

  it('keeps the title of every document the clauses cite, and refuses a clause citing an unlisted one', () => {
    const project = loadSpecs(PROJECT);
    const cited = new Set([...project.clauses.values()].map((c) => c.source.document));
    expect([...cited].map((file) => project.documents.get(file))).toEqual([
      '清理数据/sophon/v2/face/wipedata（POST）',
      '设备数据清理MQ消息',
    ]);
    const listed = `documents:\n  - { file: 001_e656d4a67e7a6228.txt, title: 设备数据清理MQ消息 }\n${MINIMAL_CLAUSES}`;
    const error = loadError({
      'specs/clauses.yaml': listed,
      'specs/http/a.yaml': `transport: http\ncases:\n${MINIMAL_CASE}`,
    });
    expect(error.code).toBe('SPEC_INCONSISTENT');
    expect(error.message).toContain('clause HTTP-2 cites document 000_2427abba6c145ae1.txt');
    expect(error.where).toMatch(/clauses\.yaml:7:\d+$/);
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
