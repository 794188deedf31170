import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAnswers, deletePrivateQueues, deleteQueues, privateQueues } from '../../api/broker.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { runCli } from '../helpers/cli-process.ts';
import { mqFlags } from '../helpers/run-against-device.ts';
import { BROKER_URL, budgetFor, HOSTILE_LIMITS, HTTP_CASES, MQ_CASES, RUN_SLACK_MS } from './scenarios.ts';
import { startBrokerProxy, startHangingCallbackDevice, startHostileTarget } from './servers.ts';

// The hostile scenarios again, through the command line in a child process: the run must end AND the process
// must exit within the sum of its windows. A vitest run of the engine can pass while the real process hangs
// (a wait without a deadline that a faster machine happens to dodge, a socket or timer that keeps the event
// loop alive), so CI checks the process itself. The budget is the one bench:hostile holds runs to.

const hasBroker = await brokerAnswers(BROKER_URL);
const L = HOSTILE_LIMITS;
const WINDOW_FLAGS = [
  ...['--timeout', String(L.requestTimeoutMs), '--down-within', String(L.downWithinMs)],
  ...['--up-within', String(L.upWithinMs), '--quiet-ms', String(L.quietMs), '--probe-ms', String(L.probeIntervalMs)],
  ...['--system-port', '0', '--reporter', 'console,json'],
  // The engine-level scenarios give no wipe window, so a wipe gets the request timeout (the reply window over
  // MQ); the smallest --wipe-within does the same here.
  ...['--wipe-within', '100'],
];
// Node and tsx starting up in the child, before the preflight begins.
const START_MS = 3_000;

let device: RunningDevice;
let dataDir: string;
const queues = privateQueues('sc-process');
const out = mkdtempSync(join(tmpdir(), 'sophon-process-exit-'));

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'sophon-process-exit-device-'));
  device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    ...(hasBroker ? { amqp: { url: BROKER_URL, ...queues, log: () => {} } } : {}),
  });
});

afterAll(async () => {
  await device.close();
  if (hasBroker) await deletePrivateQueues(BROKER_URL, queues);
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

function only(ids: readonly string[]): string[] {
  return ids.flatMap((id) => ['--only', id]);
}

describe('the command line in a child process exits within its windows', () => {
  it('when the device never answers the wipe (a silent device)', async () => {
    const target = await startHostileTarget({ mode: 'hang', scope: 'wipedata', backend: device.url });
    try {
      const budget = budgetFor(HTTP_CASES.length, 'http') + START_MS;
      const run = await runCli(
        ['run', '--target', target.url, ...WINDOW_FLAGS, ...only(HTTP_CASES), '--out', join(out, 'silent')],
        { killAfterMs: budget + RUN_SLACK_MS },
      );
      expect(run.killed, run.stdout).toBe(false);
      expect(run.stdout).toMatch(/FAIL http\.wipedata\.content-type\.text-plain/);
      expect(run.code).toBe(1);
    } finally {
      await target.close();
    }
  });

  it.skipIf(!hasBroker)(
    'when the broker confirms a command, then stops relaying while a reply is awaited',
    async () => {
      const proxy = await startBrokerProxy(BROKER_URL);
      proxy.stallAfterConfirm('"message_key"', 2);
      try {
        const budget = budgetFor(MQ_CASES.length, 'amqp') + START_MS;
        const run = await runCli(
          [
            'run',
            '--target',
            device.url,
            ...WINDOW_FLAGS,
            ...mqFlags(proxy.url, queues, device.licenseKey),
            '--reply-within',
            String(L.replyWithinMs),
            ...only(MQ_CASES),
            '--out',
            join(out, 'stall'),
          ],
          { killAfterMs: budget + RUN_SLACK_MS },
        );
        expect(run.killed, run.stdout).toBe(false);
        // The stall is met by whichever comes first: the purge, or the watch of the command queue's consumer.
        expect(run.stdout).toMatch(
          /did not answer (purging the command queue|opening a channel to look for the command queue's consumer) within 5000 ms/,
        );
        expect(run.code).toBe(3);
      } finally {
        await proxy.close();
      }
    },
  );

  it.skipIf(!hasBroker)("when the device's notify_path callback starts and never completes", async () => {
    const own = privateQueues('sc-process-hang');
    const licenseKey = `hostile-${randomBytes(3).toString('hex')}`;
    const hanging = await startHangingCallbackDevice({ brokerUrl: BROKER_URL, ...own, licenseKey });
    try {
      const cases = ['amqp.wipedata.reply.notify-path-only', MQ_CASES[0] as string];
      const budget = budgetFor(cases.length, 'amqp') + START_MS;
      const run = await runCli(
        [
          'run',
          '--target',
          device.url,
          ...WINDOW_FLAGS,
          ...mqFlags(BROKER_URL, own, licenseKey),
          '--reply-within',
          String(L.replyWithinMs),
          ...only(cases),
          '--out',
          join(out, 'callback'),
        ],
        { killAfterMs: budget + RUN_SLACK_MS },
      );
      expect(run.killed, run.stdout).toBe(false);
      expect(run.stdout).toMatch(/began but never completed/);
      expect(run.code).toBe(1);
    } finally {
      await hanging.close();
      await deleteQueues(BROKER_URL, [own.commandQueue, own.upQueue]);
    }
  });
});
