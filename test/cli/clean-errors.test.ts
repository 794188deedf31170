import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { oneErrorLine, runCli } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS, mqFlags, TEST_BROKER } from '../helpers/run-against-device.ts';
import { closedPort } from '../hostile/servers.ts';

// Every command answers a busy port, a path it cannot write, a missing file or a missing broker with exit 2
// and one line saying what to do, never "internal error" and a stack.

const hasBroker = await brokerAnswers(TEST_BROKER);
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => busy.once('listening', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

const oneLine = (args: string[]) => oneErrorLine(args);

describe('clean errors', () => {
  it('a port in use: device, serve', async () => {
    expect(await oneLine(['device', '--port', String(busyPort), '--system-port', '0'])).toBe(
      `sophon-conformance: port ${busyPort} on 127.0.0.1 is in use: stop what holds it, or choose another port (0 picks a free one)`,
    );
    expect(await oneLine(['device', '--port', '0', '--system-port', String(busyPort)])).toMatch(
      new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use`),
    );
    expect(await oneLine(['serve', '--port', String(busyPort)])).toMatch(new RegExp(`port ${busyPort} .* is in use`));
  });

  it('a path that cannot be written: run --out, init', async () => {
    expect(await oneLine(['run', '--target', 'http://127.0.0.1:1', '--out', '/etc/hostname/reports'])).toBe(
      'sophon-conformance: /etc/hostname/reports: part of the path is a file, not a folder: choose another path',
    );
    expect(await oneLine(['init', '/etc/hostname/sophon.yaml'])).toMatch(
      /\/etc\/hostname\/sophon\.yaml: part of the path is a file/,
    );
  });

  it('a file that is not there: --capabilities, --lab, verify', async () => {
    expect(await oneLine(['run', '--target', 'http://127.0.0.1:1', '--capabilities', '/no/such.yaml'])).toMatch(
      /cannot read \/no\/such\.yaml/,
    );
    expect(await oneLine(['run', '--lab', '/no/such-lab.yaml'])).toMatch(/--lab \/no\/such-lab\.yaml: ENOENT/);
    const verify = await runCli(['verify', '/no/such.tar.gz']);
    expect(verify.code).toBe(2);
    expect(verify.stdout).toMatch(/cannot read \/no\/such\.tar\.gz as a \.tar\.gz bundle/);
  });

  it('a broker that does not answer: device --amqp', async () => {
    const port = await closedPort();
    expect(
      await oneLine(['device', '--port', '0', '--system-port', '0', '--amqp', `amqp://guest:guest@127.0.0.1:${port}`]),
    ).toMatch(
      /BROKER_UNREACHABLE: cannot start the MQ consumer on amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+ .*: is RabbitMQ running there\? check --amqp/,
    );
  });

  it.skipIf(!hasBroker)('a callback port in use: run with MQ cases', async () => {
    const queues = privateQueues('sc-errors');
    let device: RunningDevice | undefined;
    try {
      device = await startDevice({
        port: 0,
        systemPort: 0,
        dataDir: `/tmp/sophon-errors-${process.pid}`,
        bootMs: 40,
        amqp: { url: TEST_BROKER, ...queues, log: () => {} },
      });
      expect(
        await oneLine([
          ...['run', '--target', device.url, '--system-port', '0', ...FAST_WINDOW_FLAGS],
          ...mqFlags(TEST_BROKER, queues, device.licenseKey),
          ...['--only', 'amqp.wipedata.arguments.missing', '--callback-port', String(busyPort), '--reporter', 'json'],
          ...['--out', `/tmp/sophon-errors-${process.pid}-out`],
        ]),
      ).toMatch(new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      await device?.close();
      await deletePrivateQueues(TEST_BROKER, queues);
    }
  });
});
