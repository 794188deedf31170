import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import type { AmqpCase, HttpCase } from './case-schema.ts';
import { ERROR_CODES } from './error-codes.ts';
import type { LoadedCase } from './load-specs.ts';
import { parseYamlFile, type YamlFile } from './parse-yaml-file.ts';

// The contract documents (contracts/openapi.yaml, contracts/asyncapi.yaml) and the cases describe one
// device. This module derives from the documents what they say about each request a case sends (accepted,
// or refused with which code) and about each reply a case expects, and reports every place where a case
// and the documents disagree: a case or a document changed without the other.

/** One disagreement between a case (or the vocabulary) and a contract document. */
export interface DriftFinding {
  /** `file:line:col` of the case, or of the document's node. */
  where: string;
  message: string;
}

/** The path of the command the HTTP cases exercise (HTTP-1). */
export const WIPEDATA_PATH = '/sophon/v2/face/wipedata';
const SUCCESS_CODE = 'EXECUTE_SUCCESS';
const MQ4_FIELDS = ['result', 'code', 'message', 'mq_license_key', 'message_key', 'ext_data'];

/** Checks the cases against `openapi.yaml` and `asyncapi.yaml` in `contractsDir`. */
export function checkContractDrift(cases: readonly LoadedCase[], contractsDir: string): DriftFinding[] {
  const openapi = parseYamlFile(join(contractsDir, 'openapi.yaml'));
  const asyncapi = parseYamlFile(join(contractsDir, 'asyncapi.yaml'));
  const http = new HttpContract(openapi);
  const mq = new MqContract(asyncapi);
  const findings = [...http.vocabularyFindings(), ...mq.vocabularyFindings()];
  for (const loaded of cases) {
    const found =
      loaded.transport === 'http' ? http.caseFindings(loaded.spec) : mq.caseFindings(loaded.spec as AmqpCase);
    for (const message of found) findings.push({ where: loaded.source, message: `case ${loaded.spec.id}: ${message}` });
  }
  return findings;
}

// --- What a case expects, in the terms the documents speak --------------------------------------------

/** One outcome a case allows: a success, a refusal with a named code, a refusal of any kind, or unknown. */
interface Outcome {
  kind: 'success' | 'refused' | 'unspecified';
  code?: string;
  lenient: string[];
  status?: unknown;
  raw: Record<string, unknown>;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

function outcomesOf(expect: unknown): Json[] {
  const e = asObject(expect);
  return Array.isArray(e.oneOf) ? e.oneOf.map(asObject) : [e];
}

function httpOutcome(expectation: Json): Outcome {
  const should = asObject(expectation.should);
  const status = expectation.status ?? should.status;
  const error = expectation.error ?? should.error;
  if (error !== undefined) {
    const code = typeof error === 'string' ? error : String(asObject(error).code);
    const listed = (key: string) => (Array.isArray(asObject(error)[key]) ? (asObject(error)[key] as string[]) : []);
    // Tolerated codes are answers the cases accept (with a warning): the contract must describe them too.
    return { kind: 'refused', code, lenient: [...listed('lenient'), ...listed('tolerate')], status, raw: expectation };
  }
  const statusKind = (s: unknown): Outcome['kind'] => {
    if (s === undefined) return 'unspecified';
    if (typeof s === 'number') return s >= 200 && s < 300 ? 'success' : 'refused';
    const o = asObject(s);
    if (o.class !== undefined) return o.class === '2xx' ? 'success' : 'refused';
    return o.not !== undefined && Number(o.not) >= 200 && Number(o.not) < 300 ? 'refused' : 'unspecified';
  };
  return { kind: statusKind(status), lenient: [], status, raw: expectation };
}

/** What a document says about one request: whether it may succeed and which refusal codes fit it. */
interface Derived {
  success: 'required' | 'allowed' | 'forbidden';
  codes: Set<string>;
  because: string;
}

function compare(derived: Derived, outcomes: Outcome[]): string[] {
  const problems: string[] = [];
  const successes = outcomes.filter((o) => o.kind === 'success');
  if (derived.success === 'forbidden' && successes.length) {
    problems.push(`expects success, but the contract refuses it (${derived.because})`);
  }
  if (derived.success === 'required' && !successes.length && outcomes.some((o) => o.kind !== 'unspecified')) {
    problems.push(`expects only a refusal, but the contract accepts it (${derived.because})`);
  }
  for (const o of outcomes) {
    if (o.kind === 'refused' && o.code !== undefined && !derived.codes.has(o.code)) {
      const want = [...derived.codes].join(' or ') || 'success';
      problems.push(`expects ${o.code}, but the contract answers ${want} (${derived.because})`);
    }
  }
  return problems;
}

/** Maps a JSON Schema verdict on a command body to the vendor code a device answers it with. */
function refusalCode(errors: readonly ErrorObject[]): string {
  if (errors.some((e) => e.instancePath === '' && e.keyword === 'type')) return 'INVALID_REQUEST_JSON';
  // A key that is there but wrong (a flag that is not a boolean, an unknown message_key).
  if (errors.some((e) => e.instancePath !== '')) return 'INVALID_ARGUMENTS';
  // Left: a required key, or every one of a choice of keys, is absent (HTTP-4, MQ-2).
  return 'MISSING_ARGUMENTS';
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  const first = (errors ?? []).find((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf') ?? errors?.[0];
  return first ? `${first.instancePath || '/'} ${first.message ?? 'is invalid'}` : 'is invalid';
}

/** Reads request bytes the way HTTP-3 does: strict JSON, no duplicate keys; a BOM is reported, not judged. */
function readJson(bytes: Buffer): { kind: 'json'; value: unknown; bom: boolean } | { kind: 'not-json'; why: string } {
  let bom = false;
  let data = bytes;
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    bom = true;
    data = data.subarray(3);
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'not-json', why: 'not JSON text' };
  }
  // JSON text is YAML flow; the yaml parser names duplicate keys, which JSON.parse silently merges.
  if (parseDocument(text, { uniqueKeys: true }).errors.some((e) => e.code === 'DUPLICATE_KEY')) {
    return { kind: 'not-json', why: 'duplicate keys' };
  }
  return { kind: 'json', value, bom };
}

function withBom(inner: Derived): Derived {
  return {
    success: inner.success === 'required' ? 'allowed' : inner.success,
    codes: new Set([...inner.codes, 'INVALID_REQUEST_JSON']),
    because: `a UTF-8 BOM may be ignored or refused; without it: ${inner.because}`,
  };
}

function pointer(segments: readonly string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

// --- OpenAPI ------------------------------------------------------------------------------------------

class HttpContract {
  private readonly doc: Json;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly file: YamlFile) {
    this.doc = asObject(file.data);
    this.ajv.addSchema(this.doc, 'openapi.yaml');
  }

  private schemaAt(segments: readonly string[]): ValidateFunction {
    const key = pointer(segments);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.yaml#${key}` });
      this.validators.set(key, validate);
    }
    return validate;
  }

  private operation(path: string, method: string): Json | undefined {
    const item = asObject(asObject(this.doc.paths)[path]);
    const op = item[method.toLowerCase()];
    return op === undefined ? undefined : asObject(op);
  }

  /** Response keys of an operation whose JSON schema accepts `{error:{code}}`. */
  private statusesFor(path: string, method: string, code: string): string[] {
    const responses = asObject(this.operation(path, method)?.responses);
    return Object.keys(responses).filter((status) => {
      if (status.startsWith('2')) return false;
      const response = this.resolve(asObject(responses[status]), [
        'paths',
        path,
        method.toLowerCase(),
        'responses',
        status,
      ]);
      const content = asObject(response.value.content);
      if (!('application/json' in content)) return false;
      const at = [...response.at, 'content', 'application/json', 'schema'];
      return this.schemaAt(at)({ error: { code, message: 'm' } });
    });
  }

  /** Follows a local `$ref`; returns the node and its JSON pointer segments. */
  private resolve(node: Json, at: string[] = []): { value: Json; at: string[] } {
    return resolveLocalRef(this.doc, node, at);
  }

  vocabularyFindings(): DriftFinding[] {
    const findings: DriftFinding[] = [];
    const op = this.operation(WIPEDATA_PATH, 'post');
    if (!op) {
      return [{ where: this.file.where(['paths']), message: `openapi.yaml describes no POST ${WIPEDATA_PATH}` }];
    }
    for (const code of ERROR_CODES) {
      if (!this.statusesFor(WIPEDATA_PATH, 'post', code).length) {
        findings.push({
          where: this.file.where(['paths', WIPEDATA_PATH, 'post', 'responses']),
          message: `no error response of POST ${WIPEDATA_PATH} describes ${code}, a code the specs use`,
        });
      }
    }
    const enumAt = ['components', 'schemas', 'WipedataErrorCode', 'enum'];
    const documented = asObject(asObject(asObject(this.doc.components).schemas).WipedataErrorCode).enum;
    const extra = (Array.isArray(documented) ? documented : []).filter(
      (c) => !(ERROR_CODES as readonly unknown[]).includes(c),
    );
    if (extra.length) {
      findings.push({
        where: this.file.where(enumAt),
        message: `WipedataErrorCode lists ${extra.join(', ')}, which the spec vocabulary (ERROR_CODES) lacks`,
      });
    }
    return findings;
  }

  caseFindings(spec: HttpCase): string[] {
    const send = spec.send as Json;
    const method = String(send.method ?? 'POST');
    const path = String(send.path ?? WIPEDATA_PATH);
    const outcomes = outcomesOf(spec.expect).map(httpOutcome);
    const op = this.operation(path, method);
    if (!op) {
      return outcomes.some((o) => o.kind === 'success')
        ? [`expects success from ${method} ${path}, which openapi.yaml does not describe`]
        : [];
    }
    const problems: string[] = [];
    for (const o of outcomes) problems.push(...this.responseProblems(path, method, o));
    const derived = this.derive(path, method, op, send);
    if (derived) problems.push(...compare(derived, outcomes));
    return problems;
  }

  private responseProblems(path: string, method: string, o: Outcome): string[] {
    const problems: string[] = [];
    const responses = asObject(this.operation(path, method)?.responses);
    const statuses = Object.keys(responses);
    const matches = (status: unknown) => (key: string) => {
      if (typeof status === 'number') return key === String(status) || key === `${String(status)[0]}XX`;
      const s = asObject(status);
      if (typeof s.class === 'string') return key.startsWith(s.class[0] ?? '?');
      if (s.not !== undefined) return key !== String(s.not);
      return true;
    };
    if (o.status !== undefined && !statuses.some(matches(o.status)) && !statuses.includes('default')) {
      problems.push(`expects status ${JSON.stringify(o.status)}, which no response of ${method} ${path} describes`);
    }
    for (const code of [...(o.code ? [o.code] : []), ...o.lenient]) {
      const described = this.statusesFor(path, method, code);
      if (!described.length) {
        problems.push(`expects error ${code}, which no error response of ${method} ${path} describes`);
      } else if (code === o.code && o.status !== undefined && !described.some(matches(o.status))) {
        problems.push(
          `expects ${code} with status ${JSON.stringify(o.status)}; openapi.yaml describes ${code} as ${described.join(', ')}`,
        );
      }
    }
    if (o.kind === 'success') {
      const ok = asObject(responses['200']);
      const content = asObject(ok.content);
      const contentType = o.raw.contentType ?? asObject(o.raw.should).contentType;
      if (typeof contentType === 'string' && !(contentType.toLowerCase() in content)) {
        problems.push(
          `expects a ${contentType} success, which the 200 response of ${method} ${path} does not describe`,
        );
      }
      for (const body of [asObject(o.raw.body), asObject(asObject(o.raw.should).body)]) {
        if (!('equals' in body) || !('application/json' in content)) continue;
        const validate = this.schemaAt([
          'paths',
          path,
          method.toLowerCase(),
          'responses',
          '200',
          'content',
          'application/json',
          'schema',
        ]);
        if (!validate(body.equals)) {
          problems.push(
            `expects the body ${JSON.stringify(body.equals)}, which the 200 schema refuses: ${describeErrors(validate.errors)}`,
          );
        }
      }
    }
    return problems;
  }

  /** What the document says about this request: content type first (HTTP-2), then JSON (HTTP-3), then the flags. */
  private derive(path: string, method: string, op: Json, send: Json): Derived | undefined {
    const content = asObject(asObject(op.requestBody).content);
    const mediaTypes = Object.keys(content).map((m) => m.toLowerCase());
    if (!mediaTypes.length) return undefined;
    const headers = asObject(send.headers);
    const header = headers['content-type'] ?? (send.json !== undefined ? 'application/json' : undefined);
    const essence = typeof header === 'string' ? (header.split(';')[0] ?? '').trim().toLowerCase() : undefined;
    if (essence === undefined || !mediaTypes.includes(essence)) {
      return {
        success: 'forbidden',
        codes: new Set(['UNSUPPORT_CONTENT_TYPE']),
        because: `${essence ?? 'no content type'} is not among ${mediaTypes.join(', ')}`,
      };
    }
    let bytes: Buffer;
    if (send.json !== undefined) bytes = Buffer.from(JSON.stringify(send.json));
    else if (typeof send.body === 'string') bytes = Buffer.from(send.body);
    else if (typeof send.bodyBase64 === 'string') bytes = Buffer.from(send.bodyBase64, 'base64');
    else bytes = Buffer.alloc(0);
    const read = readJson(bytes);
    if (read.kind === 'not-json') {
      return { success: 'forbidden', codes: new Set(['INVALID_REQUEST_JSON']), because: `the body is ${read.why}` };
    }
    const contentKey = Object.keys(content).find((m) => m.toLowerCase() === essence) ?? essence;
    const validate = this.schemaAt([
      'paths',
      path,
      method.toLowerCase(),
      'requestBody',
      'content',
      contentKey,
      'schema',
    ]);
    const derived = this.judgeBody(validate, read.value);
    return read.bom ? withBom(derived) : derived;
  }

  private judgeBody(validate: ValidateFunction, body: unknown): Derived {
    return eitherNullReading(body, (read) => this.judgeAsSent(validate, read));
  }

  private judgeAsSent(validate: ValidateFunction, body: unknown): Derived {
    return validate(body)
      ? {
          success: 'required',
          // HTTP-9 and HTTP-10: a device MAY refuse several true flags, or only false ones, with INVALID_ARGUMENTS;
          // only false ones also with MISSING_ARGUMENTS (a flag at its default read as not given).
          codes: new Set(noFlagTrue(body) ? ['INVALID_ARGUMENTS', 'MISSING_ARGUMENTS'] : ['INVALID_ARGUMENTS']),
          because: 'the request schema accepts the body',
        }
      : {
          success: 'forbidden',
          codes: new Set([refusalCode(validate.errors ?? [])]),
          because: `the request schema refuses the body: ${describeErrors(validate.errors)}`,
        };
  }
}

const WIPE_FLAGS = ['users', 'events', 'all'];

/**
 * HTTP-5 decision, and MQ-3 after it: a flag sent as null may also be read as not given (通用约定 "''不为空，None才为空"),
 * so such a body allows both what `judge` says of it as sent and what it says of it without its null flags.
 */
function eitherNullReading(body: unknown, judge: (body: unknown) => Derived): Derived {
  const asSent = judge(body);
  const fields = asObject(body);
  const nulls = WIPE_FLAGS.filter((flag) => flag in fields && fields[flag] === null);
  if (!nulls.length) return asSent;
  const absent = judge(Object.fromEntries(Object.entries(fields).filter(([key]) => !nulls.includes(key))));
  return {
    success: asSent.success === absent.success ? asSent.success : 'allowed',
    codes: new Set([...asSent.codes, ...absent.codes]),
    because: `${asSent.because}; with null read as not given: ${absent.because}`,
  };
}

function noFlagTrue(body: unknown): boolean {
  const flags = asObject(body);
  return !WIPE_FLAGS.some((flag) => flags[flag] === true);
}

// --- AsyncAPI -----------------------------------------------------------------------------------------

const SAMPLE_VARIABLES: Record<string, string> = {
  uuid: '00000000-0000-4000-8000-000000000000',
  'callback.url': 'http://127.0.0.1:9/sophon-conformance/callback',
  'callback.unreachable': 'http://127.0.0.1:9/unreachable',
};

/** Case variables (`${uuid}` …) replaced by sample values of the same shape. */
function interpolateSamples(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([^}]+)\}/g, (_, name: string) => SAMPLE_VARIABLES[name] ?? 'sample');
  if (Array.isArray(value)) return value.map(interpolateSamples);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateSamples(v)]));
  }
  return value;
}

class MqContract {
  private readonly doc: Json;
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly command: ValidateFunction | undefined;
  /** Reply payload schema per channel id that a `send` operation publishes replies on. */
  private readonly replies = new Map<string, { validate: ValidateFunction; schema: Json }>();
  private readonly lenientCodes: string[] = [];

  constructor(private readonly file: YamlFile) {
    this.doc = asObject(file.data);
    this.ajv.addSchema(this.doc, 'asyncapi.yaml');
    for (const op of Object.values(asObject(this.doc.operations)).map(asObject)) {
      const channel = this.resolve(asObject(op.channel));
      const channelId = channel.at[0] === 'channels' ? channel.at[1] : undefined;
      const messages = (Array.isArray(op.messages) ? op.messages : []).map((m) => this.resolve(asObject(m)));
      const payload = messages[0] ? this.payload(messages[0]) : undefined;
      if (!payload || !channelId) continue;
      if (op.action === 'receive' && !this.command) {
        this.command = payload.validate;
      } else if (op.action === 'send') {
        this.replies.set(channelId, payload);
      }
    }
    const code = this.resolve(asObject(asObject(this.replies.values().next().value?.schema.properties).code));
    const lenient = code.value['x-lenient-codes'];
    if (Array.isArray(lenient)) this.lenientCodes.push(...lenient.map(String));
  }

  private resolve(node: Json, at: string[] = []): { value: Json; at: string[] } {
    return resolveLocalRef(this.doc, node, at);
  }

  private payload(message: { value: Json; at: string[] }): { validate: ValidateFunction; schema: Json } | undefined {
    if (message.value.payload === undefined) return undefined;
    const schema = this.resolve(asObject(message.value.payload), [...message.at, 'payload']);
    return { validate: this.ajv.compile({ $ref: `asyncapi.yaml#${pointer(schema.at)}` }), schema: schema.value };
  }

  private required(schema: Json): string[] {
    return Array.isArray(schema.required) ? schema.required.map(String) : [];
  }

  vocabularyFindings(): DriftFinding[] {
    const findings: DriftFinding[] = [];
    if (!this.command) {
      findings.push({ where: this.file.where(['operations']), message: 'no receive operation with a command payload' });
    }
    for (const [channel, reply] of this.replies) {
      const missing = MQ4_FIELDS.filter((f) => !this.required(reply.schema).includes(f));
      if (missing.length) {
        findings.push({
          where: this.file.where(['channels', channel]),
          message: `the reply on ${channel} does not require ${missing.join(', ')} (MQ-4)`,
        });
      }
    }
    return findings;
  }

  caseFindings(spec: AmqpCase): string[] {
    const problems: string[] = [];
    const outcomes = outcomesOf(spec.expect).map((e) => this.outcome(e));
    for (const expectation of outcomesOf(spec.expect)) {
      for (const place of [expectation, asObject(expectation.should)]) {
        const reply = asObject(place.reply);
        const channels = [
          ...(typeof reply.via === 'string' ? [reply.via] : []),
          ...(Array.isArray(reply.lenientVia) ? reply.lenientVia : []),
          ...(Array.isArray(place.noReply) ? place.noReply : []),
        ].map(String);
        for (const channel of new Set(channels)) {
          if (!this.replies.has(channel)) {
            problems.push(`names the reply channel ${channel}, on which asyncapi.yaml describes no reply`);
          }
        }
        if (Object.keys(reply).length) problems.push(...this.replyProblems(reply));
      }
    }
    const derived = this.derive(spec.send as Json);
    if (derived) problems.push(...compare(derived, outcomes));
    return problems;
  }

  private outcome(expectation: Json): Outcome {
    const emptied = (state: unknown) => Object.values(asObject(state)).some((v) => v === 'emptied' || v === 'defaults');
    const replies = [asObject(expectation.reply), asObject(asObject(expectation.should).reply)];
    // A failure code named at SHOULD level (e.g. MISSING_ARGUMENTS) still says what the refusal is.
    const code = replies.map((r) => r.code).find((c): c is string => typeof c === 'string' && c !== SUCCESS_CODE);
    for (const reply of replies) {
      if (reply.result === true || reply.code === SUCCESS_CODE)
        return { kind: 'success', lenient: [], raw: expectation };
      if (reply.result === false || (reply.code !== undefined && reply.code !== SUCCESS_CODE)) {
        return { kind: 'refused', ...(code ? { code } : {}), lenient: [], raw: expectation };
      }
    }
    if (emptied(expectation.state)) return { kind: 'success', lenient: [], raw: expectation };
    return { kind: 'unspecified', lenient: [], raw: expectation };
  }

  private replyProblems(reply: Json): string[] {
    const problems: string[] = [];
    const via = typeof reply.via === 'string' ? reply.via : undefined;
    const contract = via ? this.replies.get(via) : undefined;
    if (!contract) return problems;
    const anyOf = asObject(reply.code).anyOf;
    const codes = typeof reply.code === 'string' ? [reply.code] : Array.isArray(anyOf) ? anyOf.map(String) : [];
    for (const code of codes) {
      const sample = {
        result: typeof reply.result === 'boolean' ? reply.result : code === SUCCESS_CODE,
        code,
        message: 'm',
        mq_license_key: 'k',
        message_key: 'wipedata',
        ext_data: {},
      };
      if (!contract.validate(sample)) {
        problems.push(
          `expects a reply with code ${code}, which the reply schema refuses: ${describeErrors(contract.validate.errors)}`,
        );
      }
    }
    for (const code of Array.isArray(reply.lenient) ? reply.lenient.map(String) : []) {
      if (!this.lenientCodes.includes(code)) {
        problems.push(`accepts ${code} leniently, which the reply's x-lenient-codes in asyncapi.yaml do not list`);
      }
    }
    if (reply.envelope === true) {
      const missing = MQ4_FIELDS.filter((f) => !this.required(contract.schema).includes(f));
      if (missing.length)
        problems.push(`checks the MQ-4 envelope, but the reply schema does not require ${missing.join(', ')}`);
    }
    if (reply.messageId === 'echoed') {
      const props = asObject(contract.schema.properties);
      const inExt = asObject(asObject(props.ext_data).properties).message_id;
      if (props.message_id === undefined && inExt === undefined) {
        problems.push('expects the message_id echoed, but the reply schema has no message_id (top level or ext_data)');
      }
    }
    return problems;
  }

  /** What the document says about the case's command (the one judged, not the `before` ones). */
  private derive(send: Json): Derived | undefined {
    if (!this.command) return undefined;
    let value: unknown;
    if (send.message !== undefined) value = interpolateSamples(send.message);
    else if (typeof send.body === 'string' || typeof send.bodyBase64 === 'string') {
      const bytes =
        typeof send.body === 'string' ? Buffer.from(send.body) : Buffer.from(String(send.bodyBase64), 'base64');
      const read = readJson(bytes);
      if (read.kind === 'not-json' || read.bom) {
        return {
          success: 'forbidden',
          codes: new Set(['INVALID_REQUEST_JSON']),
          because: 'the message is not JSON text',
        };
      }
      value = read.value;
    } else return undefined;
    const validate = this.command;
    return eitherNullReading(value, (message) =>
      validate(message)
        ? {
            success: 'required',
            codes: new Set(['INVALID_ARGUMENTS']),
            because: 'the command schema accepts the message',
          }
        : {
            success: 'forbidden',
            codes: new Set([refusalCode(validate.errors ?? [])]),
            because: `the command schema refuses the message: ${describeErrors(validate.errors)}`,
          },
    );
  }
}

/** Follows a local `$ref` (`#/a/b`) within `doc`, repeatedly; returns the node and its JSON pointer segments. */
function resolveLocalRef(doc: unknown, node: Json, at: string[] = []): { value: Json; at: string[] } {
  const ref = node.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return { value: node, at };
  const segments = ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let value: unknown = doc;
  for (const s of segments) value = asObject(value)[s];
  return resolveLocalRef(doc, asObject(value), segments);
}
