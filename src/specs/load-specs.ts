import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { Transport } from '../results/types.ts';
import type { AmqpCase, ClauseSpec, HttpCase, SourceDocument } from './case-schema.ts';
import { assertValid, parseYamlFile, type YamlFile } from './parse-yaml-file.ts';
import { validateAmqpSpecFile, validateClauses, validateHttpSpecFile } from './spec-validators.compiled.ts';

/** A case as loaded, with where it was written. */
export type LoadedCase =
  | { transport: 'http'; spec: HttpCase; source: string }
  | { transport: 'amqp'; spec: AmqpCase; source: string };

/** A clause of the catalogue, with where it was written. */
export interface LoadedClause extends ClauseSpec {
  where: string;
}

/** Everything under specs/: the clause catalogue and the cases, validated. */
export interface SpecCatalogue {
  root: string;
  clauses: Map<string, LoadedClause>;
  /** Title of each vendor document the clauses cite, by file name (clauses.yaml `documents`; empty when absent). */
  documents: Map<string, string>;
  cases: LoadedCase[];
  /** The files read, relative to the project root, in the order hashed. */
  files: string[];
  /** SHA-256 over the spec files' names and bytes: which specs a report was made from. */
  hash: string;
}

// Compiled ahead of time from case-schema.ts (npm run schema): no schema compilation at start.
const validators: Record<Transport, ValidateFunction | undefined> = {
  http: validateHttpSpecFile,
  amqp: validateAmqpSpecFile,
};

/** Loads and validates `specs/` below `root` (the project or a user's own spec folder). */
export function loadSpecs(root: string): SpecCatalogue {
  const specsDir = join(root, 'specs');
  const clauseFile = parseYamlFile(join(specsDir, 'clauses.yaml'));
  assertValid(clauseFile, validateClauses, (segments) => clauseLabel(clauseFile, segments));
  const clauses = new Map<string, LoadedClause>();
  const catalogue = clauseFile.data as { documents?: SourceDocument[]; clauses: ClauseSpec[] };
  const documents = new Map((catalogue.documents ?? []).map((d) => [d.file, d.title]));
  catalogue.clauses.forEach((clause, index) => {
    const where = clauseFile.where(['clauses', index, 'id']);
    if (clauses.has(clause.id)) {
      throw new ConformanceError('SPEC_DUPLICATE_ID', `clause ${clause.id} is defined twice`, where);
    }
    // Once documents are listed, a clause citing another file is a typo a report would show without its title.
    if (catalogue.documents && !documents.has(clause.source.document)) {
      throw new ConformanceError(
        'SPEC_INCONSISTENT',
        `clause ${clause.id} cites document ${clause.source.document}, which the documents list of clauses.yaml does not hold`,
        clauseFile.where(['clauses', index, 'source', 'document']),
      );
    }
    clauses.set(clause.id, { ...clause, where });
  });

  const caseFiles = listYaml(specsDir).filter((path) => path !== join(specsDir, 'clauses.yaml'));
  const cases: LoadedCase[] = [];
  const seen = new Map<string, string>();
  for (const path of caseFiles) {
    const file = parseYamlFile(path);
    const transport = (file.data as { transport?: unknown } | null)?.transport;
    const validate = transport === 'http' || transport === 'amqp' ? validators[transport] : undefined;
    if (!validate) {
      throw new ConformanceError(
        'SPEC_SCHEMA',
        `"transport" must be one of: ${Object.keys(validators)
          .filter((t) => validators[t as Transport])
          .join(', ')} (got ${JSON.stringify(transport)})`,
        file.where(['transport']),
      );
    }
    assertValid(file, validate, (segments) => caseLabel(file, segments));
    (file.data as { cases: (HttpCase | AmqpCase)[] }).cases.forEach((spec, index) => {
      const source = file.where(['cases', index]);
      const earlier = seen.get(spec.id);
      if (earlier) {
        throw new ConformanceError(
          'SPEC_DUPLICATE_ID',
          `case ${spec.id} is defined twice (first at ${earlier})`,
          source,
        );
      }
      seen.set(spec.id, source);
      if (!spec.id.startsWith(`${transport}.`)) {
        throw new ConformanceError(
          'SPEC_INCONSISTENT',
          `case ${spec.id} is in a ${transport} file; its id must start with "${transport}."`,
          file.where(['cases', index, 'id']),
        );
      }
      spec.clauses.forEach((clause, ci) => {
        if (!clauses.has(clause)) {
          throw new ConformanceError(
            'SPEC_UNKNOWN_CLAUSE',
            `case ${spec.id} cites clause ${clause}, which specs/clauses.yaml does not define`,
            file.where(['cases', index, 'clauses', ci]),
          );
        }
      });
      checkConsistency(spec, (segments) => file.where(['cases', index, ...segments]));
      cases.push(
        transport === 'http'
          ? { transport, spec: spec as HttpCase, source }
          : { transport: 'amqp', spec: spec as AmqpCase, source },
      );
    });
  }

  const files = [join(specsDir, 'clauses.yaml'), ...caseFiles];
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(root, file));
    hash.update('\0');
    // The same text the loader parsed, read again rather than parsed again: a large suite is parsed once.
    hash.update(readFileSync(file, 'utf8'));
    hash.update('\0');
  }
  return {
    root,
    clauses,
    documents,
    cases,
    files: files.map((f) => relative(root, f)),
    hash: hash.digest('hex'),
  };
}

// Rules a JSON Schema cannot state: each is a mistake that would make a case check nothing.
function checkConsistency(spec: HttpCase | AmqpCase, where: (segments: (string | number)[]) => string): void {
  type Expectation = { state?: unknown; status?: unknown; error?: unknown; should?: { state?: unknown } };
  const outcomes: { expectation: Expectation; at: (string | number)[] }[] =
    'oneOf' in spec.expect
      ? spec.expect.oneOf.map((o: Expectation, i: number) => ({ expectation: o, at: ['expect', 'oneOf', i] }))
      : [{ expectation: spec.expect as Expectation, at: ['expect'] }];
  for (const { expectation, at } of outcomes) {
    const statePlaces = [expectation.state, expectation.should?.state];
    if (statePlaces.some((s) => s !== undefined) && !spec.given) {
      throw new ConformanceError(
        'SPEC_INCONSISTENT',
        `case ${spec.id} expects device state but has no "given": an unchanged or emptied state means nothing without data seeded first`,
        where([...at, 'state']),
      );
    }
    if (expectation.error !== undefined && expectation.status === 200) {
      throw new ConformanceError(
        'SPEC_INCONSISTENT',
        `case ${spec.id} expects an error with status 200; errors are never 200 (HTTP-14)`,
        where([...at, 'status']),
      );
    }
  }
  const send = spec.send as { json?: unknown; message?: unknown; body?: unknown; bodyBase64?: unknown };
  const bodies = [send.json ?? send.message, send.body, send.bodyBase64].filter((b) => b !== undefined);
  if (bodies.length > 1) {
    throw new ConformanceError(
      'SPEC_INCONSISTENT',
      `case ${spec.id} gives more than one of ${spec.id.startsWith('http.') ? 'json' : 'message'}, body, bodyBase64`,
      where(['send']),
    );
  }
}

function listYaml(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function caseLabel(file: YamlFile, segments: string[]): string {
  if (segments[0] === 'cases' && segments[1] !== undefined) {
    const id = (file.data as { cases: { id?: unknown }[] }).cases[Number(segments[1])]?.id;
    return `case ${typeof id === 'string' ? id : `#${segments[1]}`}`;
  }
  return file.path;
}

function clauseLabel(file: YamlFile, segments: string[]): string {
  if (segments[0] === 'clauses' && segments[1] !== undefined) {
    const id = (file.data as { clauses: { id?: unknown }[] }).clauses[Number(segments[1])]?.id;
    return `clause ${typeof id === 'string' ? id : `#${segments[1]}`}`;
  }
  return file.path;
}
