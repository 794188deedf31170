import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import { mqFlags, PROJECT_ROOT } from '../helpers/run-against-device.ts';
import { tempSpecRoot } from '../helpers/temp-specs.ts';
import { BROKER_URL } from './scenarios.ts';

// End to end: a run whose requests carry credentials (secret headers in an HTTP case and in an MQ
// message's AMQP headers, a password in the broker URL) writes every report, and prints its console,
// without any of them.

const hasBroker = await brokerAnswers(BROKER_URL);
const MARKER = `SECRET${randomBytes(6).toString('hex')}`;

const HTTP_SPEC = `transport: http
cases:
  - id: http.redaction.secret-headers
    title: a refused request that carries credentials in its headers
    clauses: [HTTP-2, HTTP-14]
    level: MUST
    tags: [negative]
    send:
      headers:
        content-type: text/plain
        authorization: "Bearer ${MARKER}-a"
        x-api-key: "${MARKER}-b"
        cookie: "session=${MARKER}-c"
      body: '{"users":true}'
    expect: { error: UNSUPPORT_CONTENT_TYPE, reboot: none }
`;

const AMQP_SPEC = `transport: amqp
cases:
  - id: amqp.redaction.secret-properties
    title: a refused command whose AMQP headers carry a token
    clauses: [MQ-3, MQ-4]
    level: MUST
    send:
      message: { message_key: wipedata, message_id: "\${uuid}" }
      properties: { headers: { x-auth-token: "${MARKER}-d" } }
    expect: { reply: { via: up_queue, result: false, envelope: true }, reboot: none }
`;

/** Collects what the console reporter writes. */
function capture(): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  return {
    isTTY: false,
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
    text: () => text,
  } as unknown as NodeJS.WriteStream & { text: () => string };
}

describe('credentials in a run', () => {
  it('appear in no report and not on the console', async () => {
    const root = tempSpecRoot({
      'specs/http/redaction.yaml': HTTP_SPEC,
      ...(hasBroker ? { 'specs/amqp/redaction.yaml': AMQP_SPEC } : {}),
      'suites/redaction.yaml': 'name: redaction\ndescription: credentials in requests\ninclude: ["**"]\n',
    });
    copyFileSync(join(PROJECT_ROOT, 'specs', 'clauses.yaml'), join(root, 'specs', 'clauses.yaml'));
    const queues = privateQueues('sc-red');
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-redaction-'));
    const out = mkdtempSync(join(tmpdir(), 'sophon-redaction-out-'));
    const device = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir,
      bootMs: 40,
      ...(hasBroker ? { amqp: { url: BROKER_URL, ...queues } } : {}),
    });
    const console = capture();
    try {
      const brokerFlags = hasBroker ? mqFlags(BROKER_URL, queues, device.licenseKey) : [];
      const code = await runCommand(
        [
          '--target',
          device.url,
          '--system-port',
          String(device.systemPort),
          '--specs',
          root,
          '--suite',
          'redaction',
          '--quiet-ms',
          '150',
          '--probe-ms',
          '10',
          '--out',
          out,
          ...brokerFlags,
        ],
        console,
      );
      const files = readdirSync(out);
      expect(files.sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
      const texts: Record<string, string> = {
        console: console.text(),
        ...Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f), 'utf8')])),
      };
      const report = JSON.parse(texts['report.json'] ?? '{}');
      // The cases ran and the headers were really sent (then recorded as ***).
      expect(code, texts.console).toBe(0);
      const sent = report.results[hasBroker ? 1 : 0].evidence.http[0].request.headers;
      expect(sent).toMatchObject({
        authorization: '***',
        'x-api-key': '***',
        cookie: '***',
        'content-type': 'text/plain',
      });
      expect(texts.console).toMatch(/PASS http\.redaction\.secret-headers/);
      for (const [name, text] of Object.entries(texts)) {
        expect(text.includes(MARKER), `${name} holds the marker`).toBe(false);
        expect(text.includes('guest:guest'), `${name} holds the broker password`).toBe(false);
      }
      if (hasBroker) {
        const mq = report.results[0];
        expect(mq.verdict, mq.message).toBe('pass');
        expect(mq.evidence.amqp.broker).toBe('amqp://guest:***@127.0.0.1:5672');
        expect(mq.evidence.amqp.published[0].properties.headers['x-auth-token']).toBe('***');
      }
    } finally {
      await device.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
      if (hasBroker) await deletePrivateQueues(BROKER_URL, queues);
    }
  });
});
