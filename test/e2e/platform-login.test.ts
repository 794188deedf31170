import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { deleteExchange } from '../../matrix/matrix-device-run.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { PlatformLogin } from '../../src/transports/platform-login.ts';
import { queueConsumers } from '../../src/transports/queue-probe.ts';
import { oneErrorLine } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS, mqFlags, TEST_BROKER } from '../helpers/run-against-device.ts';

// The platform login as the vendor documents it, end to end: the run plays the login endpoint
// (--platform-login), the platform-login-strict reference device logs in there at every boot and is handed its
// queues, and a device given the answer the checker used to give cannot connect at all.

const hasBroker = await brokerAnswers(TEST_BROKER);
const LOGIN_PATH = '/api/device/login';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function strictDevice(loginUrl: string, logs: string[] = []): Promise<RunningDevice> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-login-device-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    login: { url: loginUrl, log: (message) => logs.push(message) },
  });
  cleanups.push(() => device.close());
  return device;
}

/** A port free a moment ago: the device is told the login URL before anything listens there. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, test: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await test())) {
    if (performance.now() > deadline) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!hasBroker)('the platform login, as documented, against the platform-login-strict device', () => {
  it('the run waits for the device to log in, hands it its queues at every boot, and the amqp suite passes', {
    timeout: 240_000,
  }, async () => {
    const port = await freePort();
    const queues = privateQueues('sc-login');
    const device = await strictDevice(`http://127.0.0.1:${port}${LOGIN_PATH}`);
    cleanups.push(async () => {
      await deletePrivateQueues(TEST_BROKER, queues);
      await deleteExchange(TEST_BROKER, `exchange-dev-${device.licenseKey}`);
    });
    const outDir = mkdtempSync(join(tmpdir(), 'sophon-login-e2e-'));
    cleanups.push(() => rmSync(outDir, { recursive: true, force: true }));
    // Before the run nothing consumes the command queue: the device has not been told it yet.
    expect(await queueConsumers(TEST_BROKER, queues.commandQueue)).toBeUndefined();
    let text = '';
    const out = {
      isTTY: false,
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const code = await runCommand(
      [
        '--target',
        device.url,
        '--system-port',
        String(device.systemPort),
        '--suite',
        'amqp',
        ...mqFlags(TEST_BROKER, queues),
        '--reply-within',
        '2000',
        '--platform-login',
        LOGIN_PATH,
        '--callback-port',
        String(port),
        '--out',
        outDir,
        '--reporter',
        'console,json',
        ...FAST_WINDOW_FLAGS,
      ],
      out,
    );
    expect(code, text).toBe(0);
    expect(text).toContain(
      `set MQ_LOGIN_URL on the device to http://127.0.0.1:${port}${LOGIN_PATH} (waiting up to 8000 ms, --up-within, for it to log in there and consume its command queue ${queues.commandQueue})`,
    );
    const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as Report;
    expect(report.summary.fail + report.summary.couldNotTest, text).toBe(0);
    expect(report.results.length).toBeGreaterThan(20);
    // One login at the first boot, one after every reboot the suite caused.
    const logins = report.platform?.logins ?? [];
    expect(logins.length).toBeGreaterThanOrEqual(2);
    for (const login of logins) {
      expect(login).toMatchObject({
        method: 'GET',
        licenseKey: device.licenseKey,
        documented: { present: ['mq_license_key', 'device_sn'], missing: [] },
        accepted: true,
        answer: { status: 200, body: { mq_login_status: 0, mq_login_token: '***' } },
      });
      expect(login.notes).toBeUndefined();
    }
    expect(text).toMatch(
      new RegExp(
        `platform login: device ${device.licenseKey} \\(sn RD[0-9A-F]{15}\\) logged in from 127\\.0\\.0\\.1 \\(GET ${LOGIN_PATH}\\?mq_license_key=`,
      ),
    );
  });

  it('refuses the answer the checker used to give, trying again every second, and connects once the answer is the documented one', {
    timeout: 60_000,
  }, async () => {
    const queues = privateQueues('sc-login-old');
    cleanups.push(() => deletePrivateQueues(TEST_BROKER, queues));
    const broker = new URL(TEST_BROKER);
    const oldAnswer = (key: string) => ({
      result: true,
      code: 'EXECUTE_SUCCESS',
      message: 'login succeeded: MQ settings of the sophon-conformance run',
      mq_server_configs: {
        mq_server_ip: broker.hostname,
        mq_server_port: Number(broker.port || 5672),
        mq_username: decodeURIComponent(broker.username),
        mq_password: decodeURIComponent(broker.password),
        mq_vhost: '/',
        mq_exchange: { name: `exchange-dev-${key}`, type: 'topic', durable: true, auto_delete: false },
        mq_down_queue: queues.commandQueue,
        mq_up_queue: queues.upQueue,
      },
    });
    const documented = new PlatformLogin({ path: LOGIN_PATH, brokerUrl: TEST_BROKER, ...queues });
    let answerAsDocumented = false;
    const seen: { method: string; url: string }[] = [];
    const platform: Server = createServer((request, response) => {
      seen.push({ method: request.method ?? '', url: request.url ?? '' });
      if (request.method === 'POST') {
        request.resume();
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"result":true}');
        return;
      }
      const key = new URL(request.url ?? '/', 'http://x').searchParams.get('mq_license_key') ?? '';
      const answer = answerAsDocumented
        ? documented.handle({ method: 'GET', url: request.url ?? '', headers: {}, body: Buffer.alloc(0), from: '' })
            .body
        : oldAnswer(key);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => platform.close(() => resolve())));
    const { port } = platform.address() as { port: number };
    const logs: string[] = [];
    const device = await strictDevice(`http://127.0.0.1:${port}${LOGIN_PATH}`, logs);
    cleanups.push(() => deleteExchange(TEST_BROKER, `exchange-dev-${device.licenseKey}`));

    await until('a second login attempt', () => seen.length >= 2, 5_000);
    for (const request of [...seen]) {
      const url = new URL(request.url, 'http://x');
      expect(request.method).toBe('GET');
      expect(url.pathname).toBe(LOGIN_PATH);
      expect(url.searchParams.get('mq_license_key')).toBe(device.licenseKey);
      expect(url.searchParams.get('device_sn')).toMatch(/^RD[0-9A-F]{15}$/);
    }
    expect(logs.join('\n')).toContain(
      'failed (the login answer has no mq_login_status (必选)); trying again every 1000 ms',
    );
    // Said once, not at every attempt.
    expect(logs.filter((line) => line.includes('no mq_login_status'))).toHaveLength(1);
    expect(await queueConsumers(TEST_BROKER, queues.commandQueue)).toBeUndefined();

    answerAsDocumented = true;
    await until(
      'the device consumes the handed queue',
      async () => ((await queueConsumers(TEST_BROKER, queues.commandQueue)) ?? 0) > 0,
      5_000,
    );
    expect(documented.logins.at(-1)).toMatchObject({ accepted: true, licenseKey: device.licenseKey });

    // A relative notify_path is relative to the platform's root: the device that logged in posts its reply there.
    const model = await amqp.connect(TEST_BROKER);
    try {
      const channel = await model.createChannel();
      const command = {
        message_key: 'wipedata',
        message_id: 'rel-1',
        notify_path: '/notify/rel-1',
        users: 'not a bool',
      };
      channel.sendToQueue(queues.commandQueue, Buffer.from(JSON.stringify(command)));
      await until('the reply at the relative notify_path', () => seen.some((r) => r.url === '/notify/rel-1'), 5_000);
    } finally {
      await model.close();
    }
    expect(seen.find((r) => r.url === '/notify/rel-1')).toMatchObject({ method: 'POST' });
  });
});

describe('a run with --platform-login that nobody logs in to', () => {
  it.skipIf(!hasBroker)('stops after the up window with one line saying so (exit 2)', { timeout: 60_000 }, async () => {
    const port = await freePort();
    // A device without MQ: it answers the API, and never logs in.
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-login-nobody-'));
    const device = await startDevice({ port: 0, systemPort: 0, dataDir, bootMs: 40 });
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => device.close());
    const queues = privateQueues('sc-login-nobody');
    cleanups.push(() => deletePrivateQueues(TEST_BROKER, queues));
    const line = await oneErrorLine([
      'run',
      '--target',
      device.url,
      '--system-port',
      String(device.systemPort),
      '--suite',
      'amqp',
      ...mqFlags(TEST_BROKER, queues),
      '--platform-login',
      LOGIN_PATH,
      '--callback-port',
      String(port),
      '--up-within',
      '1500',
      '--reporter',
      'console',
      '--out',
      join(dataDir, 'out'),
    ]);
    expect(line).toBe(
      `sophon-conformance: TARGET_UNREACHABLE: no device logged in at http://127.0.0.1:${port}${LOGIN_PATH} within 1500 ms (--up-within): set MQ_LOGIN_URL on the device to that URL`,
    );
  });
});

describe('device --login-url', () => {
  it('is refused beside --amqp, or when not an http URL; the variant alone has nowhere to log in', async () => {
    expect(
      await oneErrorLine(['device', '--port', '0', '--login-url', 'http://127.0.0.1:1/login', '--amqp', TEST_BROKER]),
    ).toBe(
      'sophon-conformance: CONFIG_INVALID: --login-url: the device is handed its broker and queues at the login; leave out --amqp, --command-queue and --up-queue',
    );
    expect(await oneErrorLine(['device', '--port', '0', '--login-url', 'ftp://host/login'])).toBe(
      'sophon-conformance: CONFIG_INVALID: --login-url ftp://host/login: want http://HOST:PORT/PATH',
    );
    expect(await oneErrorLine(['device', '--port', '0', '--variant', 'platform-login-strict'])).toBe(
      'sophon-conformance: CONFIG_INVALID: --variant platform-login-strict needs --login-url URL: where to log in',
    );
  });
});
