import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { checkContractDrift, type DriftFinding } from '../../src/specs/contract-drift.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';

const PROJECT = join(import.meta.dirname, '..', '..');
const BIN = join(PROJECT, 'bin', 'sophon-conformance.mjs');
const catalogue = loadSpecs(PROJECT);

type Edit = (doc: ReturnType<typeof parseDocument>) => void;

/** A copy of contracts/ with one document edited. */
function mutatedContracts(file: 'openapi.yaml' | 'asyncapi.yaml', edit: Edit): string {
  const dir = mkdtempSync(join(tmpdir(), 'sophon-contracts-'));
  cpSync(join(PROJECT, 'contracts'), dir, { recursive: true });
  const doc = parseDocument(readFileSync(join(dir, file), 'utf8'));
  edit(doc);
  writeFileSync(join(dir, file), String(doc));
  return dir;
}

/** A copy of the project's specs/, suites/ and contracts/ with one case appended to a spec file. */
function specsWithExtraCase(file: 'http' | 'amqp', caseYaml: string): string {
  const root = mkdtempSync(join(tmpdir(), 'sophon-drift-'));
  for (const dir of ['specs', 'suites', 'contracts']) cpSync(join(PROJECT, dir), join(root, dir), { recursive: true });
  const path = join(root, 'specs', file, 'wipedata.yaml');
  writeFileSync(path, `${readFileSync(path, 'utf8').trimEnd()}\n${caseYaml}`);
  return root;
}

const messages = (findings: DriftFinding[]) => findings.map((f) => `${f.where}: ${f.message}`);
const WIPE = ['paths', '/sophon/v2/face/wipedata', 'post'];

describe('contract drift: the specs and contracts/ describe the same device', () => {
  it('every shipped case agrees with openapi.yaml and asyncapi.yaml', () => {
    expect(messages(checkContractDrift(catalogue.cases, join(PROJECT, 'contracts')))).toEqual([]);
  });

  it('fails when openapi.yaml loses an error code the specs use', () => {
    const dir = mutatedContracts('openapi.yaml', (doc) =>
      doc.setIn([...WIPE, 'responses', '415', 'content', 'application/json', 'schema', 'properties', 'error'], {
        properties: { code: { const: 'INTERNAL_ERROR' } },
      }),
    );
    const found = messages(checkContractDrift(catalogue.cases, dir));
    expect(found.join('\n')).toContain(
      'no error response of POST /sophon/v2/face/wipedata describes UNSUPPORT_CONTENT_TYPE',
    );
    expect(found.join('\n')).toMatch(
      /specs\/http\/wipedata\.yaml:\d+:\d+: case http\.wipedata\.content-type\.text-plain: expects error UNSUPPORT_CONTENT_TYPE/,
    );
  });

  it('fails when a flag of the request schema changes type', () => {
    const dir = mutatedContracts('openapi.yaml', (doc) =>
      doc.setIn(['components', 'schemas', 'WipedataRequest', 'properties', 'users', 'type'], 'string'),
    );
    const found = messages(checkContractDrift(catalogue.cases, dir)).join('\n');
    expect(found).toMatch(/case http\.wipedata\.flags\.users: expects success, but the contract refuses it/);
    expect(found).toMatch(
      /case http\.wipedata\.arguments\.users-string-true: expects only a refusal, but the contract accepts it/,
    );
  });

  // HTTP-5 decision: a null flag is an invalid value or not given; either reading's answer agrees, no other does.
  it('derives both readings of a null flag, and still finds a case that expects neither', () => {
    const caseOf = (id: string, expect: string) => `
  - id: ${id}
    title: a null flag beside a true one, judged one way only
    clauses: [HTTP-5]
    level: MUST
    send: { json: { users: true, events: null } }
    expect: ${expect}
`;
    const wipeOnly = specsWithExtraCase('http', caseOf('http.wipedata.drift.null-wipe', '{ status: 200 }'));
    expect(messages(checkContractDrift(loadSpecs(wipeOnly).cases, join(wipeOnly, 'contracts')))).toEqual([]);
    const wrongCode = specsWithExtraCase(
      'http',
      caseOf('http.wipedata.drift.null-json', '{ error: INVALID_REQUEST_JSON }'),
    );
    expect(messages(checkContractDrift(loadSpecs(wrongCode).cases, join(wrongCode, 'contracts'))).join('\n')).toMatch(
      /case http\.wipedata\.drift\.null-json: expects INVALID_REQUEST_JSON, but the contract answers INVALID_ARGUMENTS \(.*; with null read as not given: the request schema accepts/,
    );
  });

  it('fails when openapi.yaml accepts a content type the specs refuse', () => {
    const dir = mutatedContracts('openapi.yaml', (doc) =>
      doc.setIn([...WIPE, 'requestBody', 'content', 'text/plain'], { schema: { type: 'string' } }),
    );
    const found = messages(checkContractDrift(catalogue.cases, dir)).join('\n');
    expect(found).toMatch(
      /case http\.wipedata\.content-type\.text-plain: expects UNSUPPORT_CONTENT_TYPE, but the contract answers/,
    );
  });

  it('fails when openapi.yaml documents an error code the spec vocabulary lacks', () => {
    const dir = mutatedContracts('openapi.yaml', (doc) =>
      doc.setIn(
        ['components', 'schemas', 'WipedataErrorCode', 'enum'],
        [
          'UNSUPPORT_CONTENT_TYPE',
          'INVALID_REQUEST_JSON',
          'MISSING_ARGUMENTS',
          'INVALID_ARGUMENTS',
          'INTERNAL_ERROR',
          'DEVICE_BUSY',
        ],
      ),
    );
    expect(messages(checkContractDrift(catalogue.cases, dir)).join('\n')).toMatch(
      /openapi\.yaml:\d+:\d+: WipedataErrorCode lists DEVICE_BUSY/,
    );
  });

  it('fails when asyncapi.yaml drops the echoed message_id, the lenient code or a reply channel', () => {
    const noMessageId = mutatedContracts('asyncapi.yaml', (doc) => {
      doc.deleteIn(['components', 'schemas', 'WipedataReply', 'properties', 'message_id']);
      doc.deleteIn(['components', 'schemas', 'WipedataReply', 'properties', 'ext_data', 'properties']);
    });
    expect(messages(checkContractDrift(catalogue.cases, noMessageId)).join('\n')).toMatch(
      /case amqp\.wipedata\.reply\.message-id-echoed: expects the message_id echoed/,
    );
    const noLenient = mutatedContracts('asyncapi.yaml', (doc) =>
      doc.deleteIn(['components', 'schemas', 'ReplyCode', 'x-lenient-codes']),
    );
    expect(messages(checkContractDrift(catalogue.cases, noLenient)).join('\n')).toMatch(
      /case amqp\.wipedata\.flags\.users: accepts SUCCESS leniently/,
    );
    const noCallback = mutatedContracts('asyncapi.yaml', (doc) =>
      doc.deleteIn(['operations', 'sendReplyToNotifyPath']),
    );
    expect(messages(checkContractDrift(catalogue.cases, noCallback)).join('\n')).toMatch(
      /case amqp\.wipedata\.reply\.notify-path-only: names the reply channel notify_path/,
    );
  });

  it('fails when a new case expects what the documents do not say', () => {
    const http = specsWithExtraCase(
      'http',
      `  - id: http.wipedata.drift.misspelt-flag-succeeds
    title: a case that contradicts the contract on purpose
    clauses: [HTTP-4]
    level: MUST
    send: { json: { user: true } }
    expect: { status: 200 }
`,
    );
    expect(messages(checkContractDrift(loadSpecs(http).cases, join(http, 'contracts'))).join('\n')).toMatch(
      /case http\.wipedata\.drift\.misspelt-flag-succeeds: expects success, but the contract refuses it \(the request schema refuses the body/,
    );
    const amqp = specsWithExtraCase(
      'amqp',
      `  - id: amqp.wipedata.drift.bad-flag-wrong-code
    title: a case that contradicts the contract on purpose
    clauses: [MQ-3]
    level: MUST
    send: { message: { message_key: wipedata, users: "yes" } }
    expect: { reply: { via: up_queue, result: false, code: MISSING_ARGUMENTS } }
`,
    );
    expect(messages(checkContractDrift(loadSpecs(amqp).cases, join(amqp, 'contracts'))).join('\n')).toMatch(
      /case amqp\.wipedata\.drift\.bad-flag-wrong-code: expects MISSING_ARGUMENTS, but the contract answers INVALID_ARGUMENTS/,
    );
  });

  it('`validate` reports drift with positions and exits 1; the shipped specs pass', { timeout: 120_000 }, () => {
    const ok = spawnSync(process.execPath, [BIN, 'validate'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('contracts agree with the specs');
    const root = specsWithExtraCase(
      'http',
      `  - id: http.wipedata.drift.text-plain-missing-arguments
    title: a case that contradicts the contract on purpose
    clauses: [HTTP-2]
    level: MUST
    send: { headers: { content-type: text/plain }, body: "{}" }
    expect: { error: MISSING_ARGUMENTS }
`,
    );
    const drift = spawnSync(process.execPath, [BIN, 'validate', '--specs', root], { encoding: 'utf8' });
    expect(drift.status).toBe(1);
    expect(drift.stdout).toMatch(/contract drift \(1\)/);
    expect(drift.stdout).toMatch(
      /specs\/http\/wipedata\.yaml:\d+:\d+: case http\.wipedata\.drift\.text-plain-missing-arguments: expects MISSING_ARGUMENTS, but the contract answers UNSUPPORT_CONTENT_TYPE \(text\/plain is not among application\/json\)/,
    );
  });
});
