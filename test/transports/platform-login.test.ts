import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, privateQueues } from '../../cli/broker.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { resolveRunValues } from '../../cli/config/resolve-run-values.ts';
import { amqpFlags } from '../../cli/run-options.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import type { PlatformLoginRecord, Report } from '../../src/results/types.ts';
import { CallbackReceiver } from '../../src/transports/callback-receiver.ts';
import { PlatformLogin } from '../../src/transports/platform-login.ts';
import { ReplyInbox } from '../../src/transports/reply-inbox.ts';
import { FAST_WINDOW_FLAGS, mqFlags, TEST_BROKER } from '../helpers/run-against-device.ts';

const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const BROKER = `amqp://alice:${PASSWORD}@broker.lab:5673/sophon%2Flab`;

interface Started {
  receiver: CallbackReceiver;
  inbox: ReplyInbox;
  login: PlatformLogin;
  seen: PlatformLoginRecord[];
}

let open: CallbackReceiver | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function start(licenseKey?: string): Promise<Started> {
  const seen: PlatformLoginRecord[] = [];
  const login = new PlatformLogin({
    path: '/api/device/login',
    brokerUrl: BROKER,
    commandQueue: 'queue-dev-LIC123',
    upQueue: 'sc-upload',
    licenseKey,
    onLogin: (record) => seen.push(record),
  });
  const inbox = new ReplyInbox();
  const receiver = await CallbackReceiver.start(inbox, { login });
  open = receiver;
  return { receiver, inbox, login, seen };
}

async function post(url: string, body: string, contentType: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the platform login endpoint on the callback receiver', () => {
  it('answers a JSON login with the run’s broker settings, records it without the password, and takes no callback', async () => {
    const { receiver, inbox, login, seen } = await start('LIC123');
    expect(receiver.loginUrl).toBe(`${receiver.baseUrl}/api/device/login`);
    const answer = await post(
      receiver.loginUrl as string,
      JSON.stringify({ mq_license_key: 'LIC123', serial_number: 'SN-0001' }),
      'application/json',
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      result: true,
      code: 'EXECUTE_SUCCESS',
      mq_server_configs: {
        mq_server_ip: 'broker.lab',
        mq_server_port: 5673,
        mq_username: 'alice',
        mq_password: PASSWORD,
        mq_vhost: 'sophon/lab',
        mq_exchange: { name: 'exchange-dev-LIC123', type: 'topic', durable: true },
        mq_down_queue: 'queue-dev-LIC123',
        mq_up_queue: 'sc-upload',
      },
    });
    expect(login.logins).toHaveLength(1);
    const record = login.logins[0] as PlatformLoginRecord;
    expect(record).toMatchObject({
      method: 'POST',
      url: '/api/device/login',
      licenseKey: 'LIC123',
      serialNumber: 'SN-0001',
      accepted: true,
      answer: { status: 200, body: { mq_server_configs: { mq_password: '***' } } },
    });
    expect(record.from).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(record.at)).not.toBeNaN();
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    expect(seen).toEqual([record]);
    // A login is not a notify_path reply.
    expect(inbox.since(0)).toEqual([]);
  });

  it('refuses a device whose mq_license_key is not the run’s --license, and records the refusal', async () => {
    const { receiver, login } = await start('LIC123');
    const answer = await post(
      receiver.loginUrl as string,
      JSON.stringify({ mq_license_key: 'OTHER', sn: 'SN-2' }),
      'application/json',
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ result: false, code: 'INVALID_ARGUMENTS' });
    expect(answer.json.mq_server_configs).toBeUndefined();
    expect(login.logins[0]).toMatchObject({ licenseKey: 'OTHER', serialNumber: 'SN-2', accepted: false });
  });

  it('reads a form-urlencoded body, and query parameters; without --license the exchange follows the device’s key', async () => {
    const { receiver, login } = await start();
    const form = await post(
      receiver.loginUrl as string,
      'mq_license_key=KEY9&device_sn=SN-9',
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
    expect(form.json).toMatchObject({
      result: true,
      mq_server_configs: { mq_exchange: { name: 'exchange-dev-KEY9' }, mq_down_queue: 'queue-dev-LIC123' },
    });
    const query = await fetch(`${receiver.loginUrl}/?mq_license_key=KEYQ&serialNumber=SN-Q`);
    expect(query.status).toBe(200);
    expect(login.logins.map((l) => [l.licenseKey, l.serialNumber])).toEqual([
      ['KEY9', 'SN-9'],
      ['KEYQ', 'SN-Q'],
    ]);
    const missing = await post(receiver.loginUrl as string, '{"serial_number":"SN-X"}', 'application/json');
    expect(missing.json).toMatchObject({ result: false, code: 'MISSING_ARGUMENTS' });
  });

  it('hides secret headers and secret fields the device sends', async () => {
    const { receiver, login } = await start();
    const secret = `tok-${randomBytes(6).toString('hex')}`;
    await fetch(receiver.loginUrl as string, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ mq_license_key: 'K1', sn: 'S1', password: secret }),
    });
    const text = JSON.stringify(login.logins);
    expect(text).not.toContain(secret);
    expect(login.logins[0]?.headers.authorization).toBe('***');
    expect(login.logins[0]?.params.password).toBe('***');
  });

  it('an unknown path is not a login: it stays what it was, the notify_path receiver', async () => {
    const { receiver, inbox, login } = await start('LIC123');
    const body = JSON.stringify({ mq_license_key: 'LIC123', serial_number: 'SN-1' });
    const elsewhere = await fetch(`${receiver.baseUrl}/api/device/loginx`, { method: 'POST', body });
    const below = await fetch(`${receiver.baseUrl}/api/device/login/more`, { method: 'POST', body });
    expect(await elsewhere.json()).toEqual({ result: true });
    expect(below.status).toBe(200);
    expect(login.logins).toEqual([]);
    expect(inbox.since(0).map((a) => a.meta.path)).toEqual(['/api/device/loginx', '/api/device/login/more']);
  });

  it('without --platform-login the receiver serves no login', async () => {
    const inbox = new ReplyInbox();
    open = await CallbackReceiver.start(inbox);
    expect(open.loginUrl).toBeUndefined();
  });
});

describe('--platform-login on the command line and in the config file', () => {
  it('needs --amqp, a plain path, and is read from callback.platformLogin', () => {
    expect(() => amqpFlags({ 'platform-login': '/api/device/login' })).toThrow(/--platform-login needs --amqp/);
    const base = { amqp: 'amqp://u:p@h:5672/v', 'command-queue': 'q' };
    expect(amqpFlags({ ...base, 'platform-login': '/api/device/login/' })?.platformLogin).toBe('/api/device/login');
    for (const bad of ['api/login', '/', '/login?x=1', '/callback/x']) {
      expect(() => amqpFlags({ ...base, 'platform-login': bad }), bad).toThrow(/--platform-login/);
    }
    const dir = mkdtempSync(join(tmpdir(), 'sophon-login-config-'));
    try {
      writeFileSync(
        join(dir, 'sophon-conformance.config.yaml'),
        'amqp: { url: "amqp://u:p@h:5672/v", commandQueue: q }\ncallback: { platformLogin: /api/device/login }\n',
      );
      const { values } = resolveRunValues({} as { config?: string }, { env: {}, cwd: dir });
      expect((values as Record<string, unknown>)['platform-login']).toBe('/api/device/login');
      const fromEnv = resolveRunValues({} as { config?: string }, {
        env: { SOPHON_PLATFORM_LOGIN: '/x/login' },
        cwd: dir,
      });
      expect((fromEnv.values as Record<string, unknown>)['platform-login']).toBe('/x/login');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const hasBroker = await brokerAnswers(TEST_BROKER);

describe.skipIf(!hasBroker)('a run with --platform-login against the reference device', () => {
  it('prints the login URL, answers a login during the run, and keeps the password out of report.json and the console', {
    timeout: 120_000,
  }, async () => {
    const queues = privateQueues('sc-test');
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-test-device-'));
    const outDir = mkdtempSync(join(tmpdir(), 'sophon-login-run-'));
    const device = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir,
      bootMs: 40,
      faults: [],
      amqp: { url: TEST_BROKER, ...queues },
    });
    let text = '';
    let loggedIn: Promise<Response> | undefined;
    const out = {
      isTTY: false,
      write: (chunk: string) => {
        text += chunk;
        // Play the device: log in as soon as the run says where.
        const url = /set MQ_LOGIN_URL on the device to (\S+)/.exec(chunk)?.[1];
        if (url && !loggedIn) {
          loggedIn = fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ mq_license_key: 'LIC-E2E', serial_number: 'SN-E2E' }),
          });
        }
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    try {
      const code = await runCommand(
        [
          '--target',
          device.url,
          '--system-port',
          String(device.systemPort),
          '--suite',
          'amqp',
          '--only',
          'amqp.wipedata.reply.up-queue-without-notify-path',
          ...mqFlags(TEST_BROKER, queues),
          '--reply-within',
          '3000',
          '--platform-login',
          '/api/device/login',
          '--out',
          outDir,
          '--reporter',
          'console,json',
          ...FAST_WINDOW_FLAGS,
        ],
        out,
      );
      expect((await loggedIn)?.status).toBe(200);
      expect(code, text).toBe(0);
      const raw = readFileSync(join(outDir, 'report.json'), 'utf8');
      const report = JSON.parse(raw) as Report;
      expect(report.platform?.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/device\/login$/);
      expect(report.platform?.logins).toHaveLength(1);
      const password = new URL(TEST_BROKER).password;
      expect(report.platform?.logins[0]).toMatchObject({
        licenseKey: 'LIC-E2E',
        serialNumber: 'SN-E2E',
        accepted: true,
        answer: {
          status: 200,
          body: {
            mq_server_configs: {
              mq_password: '***',
              mq_down_queue: queues.commandQueue,
              mq_up_queue: queues.upQueue,
              mq_exchange: { name: 'exchange-dev-LIC-E2E' },
            },
          },
        },
      });
      expect(raw).not.toContain(`"mq_password": "${password}"`);
      expect(raw).not.toContain(`"mq_password":"${password}"`);
      expect(raw).not.toContain(`:${password}@`);
      expect(text).toMatch(/set MQ_LOGIN_URL on the device to http:\/\/127\.0\.0\.1:\d+\/api\/device\/login/);
      const broker = new URL(TEST_BROKER);
      expect(text).toContain(
        `platform login: device LIC-E2E (sn SN-E2E) logged in from 127.0.0.1: handed broker ${broker.hostname}:${broker.port || 5672} `,
      );
      expect(text).toContain(
        `queues ${queues.commandQueue} (down) / ${queues.upQueue} (up), exchange exchange-dev-LIC-E2E`,
      );
      expect(text).not.toContain(`:${password}@`);
      expect(text).not.toMatch(/mq_password/);
      // The design §7 fields are all still there.
      for (const key of [
        'tool',
        'version',
        'target',
        'profile',
        'startedAt',
        'finishedAt',
        'summary',
        'clauses',
        'results',
      ]) {
        expect(report, key).toHaveProperty(key);
      }
    } finally {
      await device.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(outDir, { recursive: true, force: true });
      await deletePrivateQueues(TEST_BROKER, queues);
    }
  });
});
