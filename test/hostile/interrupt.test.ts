import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, deleteQueues, privateQueues } from '../../api/broker.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { FAST_WINDOW_FLAGS, mqFlags } from '../helpers/run-against-device.ts';
import { BROKER_URL } from './scenarios.ts';

// A run interrupted by SIGINT or SIGTERM writes every report it was asked for, marked incomplete, with
// the cases that ended; deletes the queue it declared on the broker; and exits 3 (1 had a case failed).
// The CLI runs in a child process, exactly as a user starts it, against a reference device in this one.

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sophon-conformance.mjs');
const hasBroker = await brokerAnswers(BROKER_URL);

let device: RunningDevice;
let dataDir: string;
const queues = privateQueues('sc-int');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sophon-interrupt-'));
  device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    ...(hasBroker ? { amqp: { url: BROKER_URL, ...queues } } : {}),
  });
  if (hasBroker) {
    // The device declared its up queue; delete it so that the run has to declare it, and must remove it.
    await deleteQueues(BROKER_URL, [queues.upQueue]);
  }
});

afterAll(async () => {
  await device?.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (hasBroker) await deletePrivateQueues(BROKER_URL, queues);
});

function startRun(
  out: string,
  extra: string[],
  target: RunningDevice = device,
): { child: ChildProcess; stdout: () => string; exited: Promise<number> } {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--target',
      target.url,
      '--system-port',
      String(target.systemPort),
      ...FAST_WINDOW_FLAGS,
      '--out',
      out,
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : -2))),
  );
  return { child, stdout: () => text, exited };
}

async function until(what: string, condition: () => boolean, withinMs: number, output: () => string): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} within ${withinMs} ms; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function queueExists(name: string): Promise<boolean> {
  const model = await amqp.connect(BROKER_URL);
  try {
    const channel = await model.createChannel();
    channel.on('error', () => {});
    return await channel.checkQueue(name).then(
      () => true,
      () => false,
    );
  } finally {
    await model.close().catch(() => {});
  }
}

const finishedCases = (text: string) => (text.match(/^(PASS|FAIL|WARN|N\/A |CNT ) /gm) ?? []).length;

describe('an interrupted run', () => {
  it.skipIf(!hasBroker)(
    'SIGINT: partial reports marked incomplete, its declared queue deleted, exit 3',
    async () => {
      const out = mkdtempSync(join(tmpdir(), 'sophon-interrupt-out-'));
      expect(await queueExists(queues.upQueue)).toBe(false);
      const run = startRun(out, [
        '--suite',
        'certification',
        '--only',
        'amqp.wipedata.reply.up-queue-without-notify-path,amqp.wipedata.arguments.**,http.wipedata.content-type.**',
        ...mqFlags(BROKER_URL, queues, device.licenseKey),
        '--reply-within',
        '2000',
      ]);
      try {
        await until('two cases ended', () => finishedCases(run.stdout()) >= 2, 30_000, run.stdout);
        // The run declared the up queue the device had lost.
        expect(await queueExists(queues.upQueue)).toBe(true);
        const interruptedAt = performance.now();
        run.child.kill('SIGINT');
        const code = await run.exited;
        const stopMs = performance.now() - interruptedAt;

        expect(run.stdout()).toContain('SIGINT: stopping after the current step; writing a partial report');
        expect(code, run.stdout()).toBe(3);
        // The case in flight is abandoned at its next step, not waited out.
        expect(stopMs).toBeLessThan(5_000);
        const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
        expect(report.complete).toBe(false);
        expect(report.exitCode).toBe(3);
        expect(report.results.length).toBeGreaterThanOrEqual(2);
        expect(report.results.every((r) => r.verdict === 'pass')).toBe(true);
        expect(existsSync(join(out, 'junit.xml'))).toBe(true);
        expect(existsSync(join(out, 'report.html'))).toBe(true);
        expect(run.stdout()).toMatch(/interrupted: partial results/);
        expect(await queueExists(queues.upQueue)).toBe(false);
      } finally {
        run.child.kill('SIGKILL');
        rmSync(out, { recursive: true, force: true });
      }
    },
    45_000,
  );

  it('SIGTERM after a failed case: exit 1, report incomplete', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sophon-interrupt-out-'));
    const faultyData = mkdtempSync(join(tmpdir(), 'sophon-interrupt-'));
    // This fault keeps permission groups on a users wipe: http.wipedata.flags.users, the first case, fails.
    const faulty = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir: faultyData,
      bootMs: 40,
      faults: ['users-keeps-permissions'],
    });
    const run = startRun(out, ['--suite', 'http', '--only', 'http.wipedata.flags.**'], faulty);
    try {
      await until('a case failed', () => /^FAIL /m.test(run.stdout()), 30_000, run.stdout);
      run.child.kill('SIGTERM');
      const code = await run.exited;
      expect(run.stdout()).toContain('SIGTERM: stopping after the current step');
      expect(code, run.stdout()).toBe(1);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      expect(report.complete).toBe(false);
      expect(report.summary.fail).toBeGreaterThan(0);
      expect(report.results.length).toBeLessThan(6);
    } finally {
      run.child.kill('SIGKILL');
      await faulty.close();
      rmSync(faultyData, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  }, 45_000);
});
