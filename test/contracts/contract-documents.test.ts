import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';

// The documents are checked by their own ecosystems' parsers, so a tool that reads them (a client
// generator, a mock server, an AsyncAPI studio) reads what we wrote.

const CONTRACTS = join(import.meta.dirname, '..', '..', 'contracts');
const openapiText = readFileSync(join(CONTRACTS, 'openapi.yaml'), 'utf8');
const asyncapiText = readFileSync(join(CONTRACTS, 'asyncapi.yaml'), 'utf8');
// The AsyncAPI parser runs Spectral and takes seconds: parse the shipped document once.
const shipped = new Parser().parse(asyncapiText);

// Spectral severities: 0 error, 1 warning, 2 information, 3 hint.
async function asyncapiProblems(parsed: ReturnType<Parser['parse']>): Promise<string[]> {
  const { diagnostics } = await parsed;
  return diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`);
}

describe('contracts/openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document with no warnings', async () => {
    const result = await validate(parse(openapiText));
    expect(result.specification).toBe('OpenAPI');
    expect(result.valid ? [] : result.errors.map((e) => e.message)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('describes wipedata and the management subset the checker calls', () => {
    const doc = parse(openapiText) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    const face = [
      'wipedata',
      'createpermission',
      'getpermissions',
      'createidentity',
      'getidentities',
      'addmediadevice',
      'getmediadevices',
      'getevents',
      'getconfigs',
      'setconfigs',
    ].map((cmd) => `/sophon/v2/face/${cmd}`);
    const system = ['getuptime', 'getsoftwareversion'].map((cmd) => `/sophon/v2/system/${cmd}`);
    for (const path of [...face, ...system]) expect(doc.paths[path]?.post, path).toBeDefined();
  });

  it('the parser is not a rubber stamp: a broken copy is refused', async () => {
    const broken = parseDocument(openapiText);
    broken.deleteIn(['paths', '/sophon/v2/face/wipedata', 'post', 'responses', '200', 'description']);
    const result = await validate(broken.toJS());
    expect(result.valid).toBe(false);
  });
});

describe('contracts/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3.0 document with no errors or warnings', async () => {
    const { document } = await shipped;
    expect(await asyncapiProblems(shipped)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('has the command queue, the up queue and the notify_path callback, as the parser reads them', async () => {
    const { document } = await shipped;
    if (!document) throw new Error('no document');
    expect(document.channels().get('up_queue')?.address()).toBe('upload-queue');
    expect(document.channels().get('command_queue')?.address()).toBe('queue-dev-{licenseKey}');
    expect(document.channels().get('notify_path')?.address()).toBeNull();
    const receive = document.operations().get('receiveWipedata');
    expect(receive?.action()).toBe('receive');
    expect(receive?.reply()?.channel()?.id()).toBe('up_queue');
    const reply = document.components().messages().get('wipedataReply')?.payload()?.json() as { required: string[] };
    expect(reply.required).toEqual(['result', 'code', 'message', 'mq_license_key', 'message_key', 'ext_data']);
  });

  it('the parser is not a rubber stamp: a broken copy is refused', async () => {
    const broken = parseDocument(asyncapiText);
    broken.setIn(['operations', 'receiveWipedata', 'action'], 'subscribe');
    expect((await asyncapiProblems(new Parser().parse(String(broken)))).length).toBeGreaterThan(0);
  });
});
