import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { amqpFlags } from '../../api/run-flags.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import type { PlatformLoginRecord, Report } from '../../src/results/types.ts';
import { resolveRunValues } from '../../src/settings/resolve-run-values.ts';
import { CallbackReceiver } from '../../src/transports/callback-receiver.ts';
import { describeLogin, PlatformLogin } from '../../src/transports/platform-login.ts';
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

async function get(url: string) {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

// The login page's answer table (V6R2C01, MQ section 4, 管理平台系统登录接口), row for row: the field, its type
// there (int, string, dict, bool) and whether it is 必选. A device written from the page reads exactly these.
const PAGE_TOP = {
  mq_login_status: ['int', true],
  mq_login_token: ['string', true],
  mq_img_server_addr: ['string', false],
  history_event_upload_url: ['string', false],
  history_report_period: ['int', false],
  media_device_monitor_url: ['string', false],
  media_device_monitor_report_period: ['int', false],
  device_monitor_url: ['string', false],
  device_monitor_report_period: ['int', false],
  mq_server_configs: ['dict', true],
} as const;
const PAGE_CONFIGS = {
  mq_server_ip: ['string', true],
  mq_server_port: ['int', true],
  mq_username: ['string', true],
  mq_password: ['string', true],
  mq_exchange: ['dict', true],
  mq_down_queue: ['string', true],
  mq_up_queue: ['string', false],
  mq_fiqa_down_queue: ['string', false],
  mq_fiqa_up_queue: ['string', false],
  mq_unneed_bind_exchange: ['bool', false],
  mq_vhost: ['string', false],
  mq_upload_vhost: ['string', false],
} as const;
const PAGE_EXCHANGE = {
  mq_exchange_name: ['string', true],
  mq_exchange_type: ['string', true],
  mq_exchange_passive: ['bool', true],
  mq_exchange_durable: ['bool', true],
  mq_exchange_auto_delete: ['bool', true],
  mq_exchange_arguments: ['dict', false],
} as const;

function typeOf(value: unknown): string {
  if (Number.isInteger(value)) return 'int';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (value === null) return 'null';
  return typeof value === 'object' && !Array.isArray(value) ? 'dict' : typeof value;
}

// Every 必选 field present with the page's type; every other field one of the page's, of its type (or null,
// "None才为空", for the optional dict mq_exchange_arguments).
function expectPageShape(
  object: Record<string, unknown>,
  table: Record<string, readonly [string, boolean]>,
  where: string,
) {
  for (const [field, [type, required]] of Object.entries(table)) {
    if (required) expect(typeOf(object[field]), `${where}.${field}`).toBe(type);
  }
  for (const [field, value] of Object.entries(object)) {
    expect(Object.keys(table), `${where}.${field} is not on the page`).toContain(field);
    expect([table[field]?.[0], ...(table[field]?.[1] ? [] : ['null'])], `${where}.${field}`).toContain(typeOf(value));
  }
}

describe('the platform login endpoint on the callback receiver', () => {
  it('answers the documented GET with exactly the page’s fields, records it without password or token, and takes no callback', async () => {
    const { receiver, inbox, login, seen } = await start('LIC123');
    expect(receiver.loginUrl).toBe(`${receiver.baseUrl}/api/device/login`);
    const answer = await get(`${receiver.loginUrl}?mq_license_key=LIC123&device_sn=HQDZKE5BJJFJH0042`);
    expect(answer.status).toBe(200);
    expectPageShape(answer.json, PAGE_TOP, 'answer');
    const configs = answer.json.mq_server_configs as Record<string, unknown>;
    expectPageShape(configs, PAGE_CONFIGS, 'mq_server_configs');
    expectPageShape(configs.mq_exchange as Record<string, unknown>, PAGE_EXCHANGE, 'mq_exchange');
    expect(answer.json.mq_login_status).toBe(0);
    expect(answer.json.mq_login_token).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.json).toMatchObject({
      history_report_period: 5,
      mq_server_configs: {
        mq_server_ip: 'broker.lab',
        mq_server_port: 5673,
        mq_username: 'alice',
        mq_password: PASSWORD,
        mq_vhost: 'sophon/lab',
        mq_upload_vhost: 'sophon/lab',
        mq_unneed_bind_exchange: true,
        mq_exchange: {
          mq_exchange_name: 'exchange-dev-LIC123',
          mq_exchange_type: 'topic',
          mq_exchange_passive: false,
          mq_exchange_durable: true,
          mq_exchange_auto_delete: false,
          mq_exchange_arguments: null,
        },
        mq_down_queue: 'queue-dev-LIC123',
        mq_up_queue: 'sc-upload',
      },
    });
    // No bare name/type/durable and no result/code envelope: the shape the page does not have.
    expect(JSON.stringify(answer.json)).not.toMatch(/"(name|type|durable|auto_delete|result|code)":/);
    expect(login.logins).toHaveLength(1);
    const record = login.logins[0] as PlatformLoginRecord;
    expect(record).toMatchObject({
      method: 'GET',
      url: '/api/device/login?mq_license_key=LIC123&device_sn=HQDZKE5BJJFJH0042',
      query: { mq_license_key: 'LIC123', device_sn: 'HQDZKE5BJJFJH0042' },
      documented: { present: ['mq_license_key', 'device_sn'], missing: [] },
      licenseKey: 'LIC123',
      serialNumber: 'HQDZKE5BJJFJH0042',
      accepted: true,
      answer: { status: 200, body: { mq_login_token: '***', mq_server_configs: { mq_password: '***' } } },
    });
    expect(record.notes).toBeUndefined();
    expect(record.from).toMatch(/127\.0\.0\.1/);
    expect(Date.parse(record.at)).not.toBeNaN();
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    expect(JSON.stringify(record)).not.toContain(answer.json.mq_login_token as string);
    expect(seen).toEqual([record]);
    expect(describeLogin(record)).toBe(
      `platform login: device LIC123 (sn HQDZKE5BJJFJH0042) logged in from ${record.from} (GET /api/device/login?mq_license_key=LIC123&device_sn=HQDZKE5BJJFJH0042): handed broker broker.lab:5673 vhost sophon/lab user alice, queues queue-dev-LIC123 (down) / sc-upload (up), exchange exchange-dev-LIC123`,
    );
    // A login is not a notify_path reply.
    expect(inbox.since(0)).toEqual([]);
  });

  it('answers a key other than the run’s --license with mq_login_status 600000 and no settings; no key at all is a non-200', async () => {
    const { receiver, login } = await start('LIC123');
    const other = await get(`${receiver.loginUrl}?mq_license_key=OTHER&device_sn=SN-2`);
    expect(other.status).toBe(200);
    expect(other.json).toMatchObject({ mq_login_status: 600000, mq_login_token: '' });
    expect(other.json.mq_server_configs).toBeUndefined();
    const none = await get(`${receiver.loginUrl}?device_sn=SN-3`);
    expect(none.status).toBe(400);
    expect(none.json.mq_server_configs).toBeUndefined();
    expect(login.logins.map((l) => [l.licenseKey, l.serialNumber, l.accepted, l.documented.missing])).toEqual([
      ['OTHER', 'SN-2', false, []],
      [undefined, 'SN-3', false, ['mq_license_key']],
    ]);
    expect(describeLogin(login.logins[0] as PlatformLoginRecord)).toMatch(
      /^platform login: device OTHER \(sn SN-2\) from \S+ refused \(GET \/api\/device\/login\?mq_license_key=OTHER&device_sn=SN-2\): mq_login_status 600000 /,
    );
    expect(describeLogin(login.logins[1] as PlatformLoginRecord)).toMatch(
      /refused .*: HTTP 400 .*no mq_license_key in the query/,
    );
  });

  it('still reads other shapes a device may send (a form or JSON POST, the page example’s dev_sno=), and says what was not as documented', async () => {
    const { receiver, login } = await start();
    const form = await post(
      receiver.loginUrl as string,
      'mq_license_key=KEY9&device_sn=SN-9',
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
    expect(form.json).toMatchObject({
      mq_login_status: 0,
      mq_server_configs: { mq_exchange: { mq_exchange_name: 'exchange-dev-KEY9' }, mq_down_queue: 'queue-dev-LIC123' },
    });
    const json = await post(
      receiver.loginUrl as string,
      JSON.stringify({ data: { licenseKey: 'KEYJ', serialNumber: 'SN-J' } }),
      'application/json',
    );
    expect(json.json.mq_login_status).toBe(0);
    const example = await get(`${receiver.loginUrl}/?dev_sno=KEYQ&device_sn=SN-Q`);
    expect(example.status).toBe(200);
    expect(login.logins.map((l) => [l.method, l.licenseKey, l.serialNumber, l.documented.present])).toEqual([
      ['POST', 'KEY9', 'SN-9', []],
      ['POST', 'KEYJ', 'SN-J', []],
      ['GET', 'KEYQ', 'SN-Q', ['device_sn']],
    ]);
    expect(login.logins[0]?.notes).toEqual([
      'sent POST; the page documents a GET',
      'no mq_license_key in the query (read KEY9 from another field)',
      'no device_sn in the query (read SN-9 from another field)',
    ]);
    expect(describeLogin(login.logins[2] as PlatformLoginRecord)).toContain(
      'note: no mq_license_key in the query (read KEYQ from another field)',
    );
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
          loggedIn = fetch(`${url}?mq_license_key=LIC-E2E&device_sn=SN-E2E`);
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
      expect(report.platform?.logins, text).toHaveLength(1);
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
              mq_exchange: { mq_exchange_name: 'exchange-dev-LIC-E2E' },
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
        `platform login: device LIC-E2E (sn SN-E2E) logged in from 127.0.0.1 (GET /api/device/login?mq_license_key=LIC-E2E&device_sn=SN-E2E): handed broker ${broker.hostname}:${broker.port || 5672} `,
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
