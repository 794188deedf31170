import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, deleteQueues, privateQueues } from '../../api/broker.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { loadCapabilityManifest } from '../../src/plan/load-capabilities.ts';
import type { Report } from '../../src/results/types.ts';
import { createSophonHttpAdapter } from '../../src/state/sophon-http-adapter.ts';
import { runCli } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS, mqFlags, TEST_BROKER } from '../helpers/run-against-device.ts';
import { closedPort } from '../hostile/servers.ts';

// doctor, the preflight, through the command line: ✓ on every line for a ready reference device (and the
// device's state and the broker's queues as they were before), ✗ with the fix for broken set-ups.

const hasBroker = await brokerAnswers(TEST_BROKER);
const queues = privateQueues('sc-doctor');
const dir = mkdtempSync(join(tmpdir(), 'sophon-doctor-'));
let device: RunningDevice;

beforeAll(async () => {
  device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir: join(dir, 'device'),
    bootMs: 40,
    ...(hasBroker ? { amqp: { url: TEST_BROKER, ...queues, log: () => {} } } : {}),
  });
});

afterAll(async () => {
  await device.close();
  if (hasBroker) await deletePrivateQueues(TEST_BROKER, queues);
  rmSync(dir, { recursive: true, force: true });
});

const doctor = (...args: string[]) => runCli(['doctor', ...args]);
const crosses = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('✗ '));

describe.skipIf(!hasBroker)('doctor', () => {
  it('passes a ready device in well under 30 s, changes nothing, and writes the capability manifest', async () => {
    const adapter = createSophonHttpAdapter({ target: device.url, runTag: 'doctor', timeoutMs: 5_000 });
    await adapter.seed(['permissions', 'identities', 'mediaDevices', 'settings'], await adapter.read(), undefined);
    const before = await adapter.read();
    // Someone else's message on the up queue: doctor must leave it there.
    const model = await amqp.connect(TEST_BROKER);
    const channel = await model.createChannel();
    await channel.assertQueue(queues.upQueue, { durable: true });
    channel.sendToQueue(queues.upQueue, Buffer.from('{"not":"doctor\'s"}'));
    const manifest = join(dir, 'capabilities.yaml');
    const run = await doctor(
      ...['--target', device.url, '--system-port', String(device.systemPort)],
      ...mqFlags(TEST_BROKER, queues),
      ...['--record-source', 'file:///lab/face.mp4', '--write-capabilities', manifest],
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(crosses(run.stdout)).toEqual([]);
    for (const line of [
      /^✓ API answers at \S+ \(getconfigs, getmediadevices\) in \d+ ms$/m,
      /^✓ system port \S+ answers getuptime$/m,
      /^✓ getuptime ".*" is understood/m,
      /^✓ firmware: /m,
      /^✓ permission groups: \d+ read; createpermission answers/m,
      /^✓ identities: \d+ read; createidentity answers/m,
      /^✓ input devices: \d+ read; addmediadevice answers/m,
      /^✓ records: \d+ read; a run makes more by playing --record-source/m,
      /^✓ smart settings: \d+ set to other values, read back, and put back as they were$/m,
      /^✓ broker amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672 answers/m,
      /^✓ command queue \S+ exists with 1 consumer\(s\)$/m,
      /^✓ up queue \S+ exists$/m,
      new RegExp(`^✓ license key learnt: ${device.licenseKey} `, 'm'),
      /^✓ the callback address a device is given, http:\/\/127\.0\.0\.1:<free port>\/callback\/…, resolves to 127\.0\.0\.1/m,
    ]) {
      expect(run.stdout).toMatch(line);
    }
    const seconds = Number(
      /ready: a certification run can be carried out \(([\d.]+) s, exit 0\)/.exec(run.stdout)?.[1],
    );
    expect(seconds).toBeLessThan(30);
    // Nothing changed: the state reads the same, the other message is still on the up queue.
    expect(await adapter.read()).toEqual(before);
    const { messageCount } = await channel.checkQueue(queues.upQueue);
    expect(messageCount).toBe(1);
    await model.close();
    expect(loadCapabilityManifest(manifest).declared).toEqual({
      'mq-channel': true,
      'reboots-after-mq-wipe': true,
      'can-seed-records': true,
    });
  });

  it('judges records as run does: ready on the reference device without --record-source, where run passes the records cases', async () => {
    const manifest = join(dir, 'no-record-source.yaml');
    const checked = await doctor(
      ...['--target', device.url, '--system-port', String(device.systemPort), '--suite', 'http'],
      ...['--write-capabilities', manifest],
    );
    expect(checked.code, checked.stdout).toBe(0);
    expect(crosses(checked.stdout)).toEqual([]);
    expect(checked.stdout).toMatch(
      /^✓ records: \d+ read; no --record-source: a run adds a file input and waits for records/m,
    );
    expect(loadCapabilityManifest(manifest).declared).toMatchObject({ 'can-seed-records': true });
    const run = await runCli([
      ...[
        'run',
        '--target',
        device.url,
        '--system-port',
        String(device.systemPort),
        '--only',
        'http.wipedata.flags.events',
      ],
      ...FAST_WINDOW_FLAGS,
      ...['--capabilities', manifest, '--reporter', 'json', '--out', join(dir, 'records-run')],
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'records-run', 'report.json'), 'utf8')) as Report;
    expect(report.results.map((r) => `${r.id} ${r.verdict}`)).toEqual(['http.wipedata.flags.events pass']);
  });

  it('fails an unreachable target, saying what to check', async () => {
    const run = await doctor('--target', `http://127.0.0.1:${await closedPort()}`, '--suite', 'http');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^✗ API at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)\n {4}fix: is the device on/m,
    );
    expect(run.stdout).toMatch(/^not ready: 1 problem\(s\) to fix/m);
  });

  it('fails a missing system port, a broker that does not answer and a callback host of another machine', async () => {
    const manifest = join(dir, 'broken.yaml');
    const run = await doctor(
      ...['--target', device.url, '--system-port', String(await closedPort())],
      ...mqFlags(`amqp://guest:guest@127.0.0.1:${await closedPort()}`, queues),
      ...['--callback-host', '203.0.113.7', '--write-capabilities', manifest],
    );
    expect(run.code).toBe(1);
    expect(crosses(run.stdout)).toEqual([
      expect.stringMatching(/^✗ system port \S+ does not answer getuptime \(ECONNREFUSED\)$/),
      expect.stringMatching(/^✗ broker amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+ is unreachable/),
      expect.stringMatching(
        /^✗ the callback address a device is given, http:\/\/203\.0\.113\.7:<free port>\/callback\/…, resolves to 203\.0\.113\.7: no interface of this machine$/,
      ),
    ]);
    expect(run.stdout).toMatch(/fix: give the device system API port with --system-port/);
    expect(run.stdout).toMatch(/fix: --callback-host must be this machine's address on the device's network/);
    expect(loadCapabilityManifest(manifest).declared).toMatchObject({ 'mq-channel': false, 'can-seed-records': true });
  });

  it('fails a command queue no device consumes, without publishing to it', async () => {
    const lonely = privateQueues('sc-doctor-lonely');
    const model = await amqp.connect(TEST_BROKER);
    const channel = await model.createChannel();
    await channel.assertQueue(lonely.commandQueue, { durable: true });
    try {
      const run = await doctor(
        ...['--target', device.url, '--system-port', '0', '--record-source', 'file:///lab/face.mp4'],
        ...mqFlags(TEST_BROKER, lonely),
      );
      expect(run.code).toBe(1);
      expect(crosses(run.stdout)).toEqual([
        expect.stringMatching(/^✗ command queue sc-doctor-lonely-\S+ has no consumer: no device reads it$/),
        expect.stringMatching(/^✗ up queue \S+ does not exist$/),
      ]);
      expect((await channel.checkQueue(lonely.commandQueue)).messageCount).toBe(0);
    } finally {
      await model.close();
      await deleteQueues(TEST_BROKER, [lonely.commandQueue, lonely.upQueue]);
    }
  });
});
