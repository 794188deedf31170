import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { deletePrivateQueues, privateQueues } from '../../cli/broker.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import type { PhaseEvent } from '../../src/results/progress.ts';
import { FAST_WINDOWS, runSuiteAgainst, TEST_BROKER } from '../helpers/run-against-device.ts';

// The live line names the window a phase is held to. An MQ wipe whose reply cannot be seen (an unreachable
// notify_path) is watched for the wipe window and then the down window; on a device that does not reboot
// after an MQ wipe the whole of it passes, and the line must not say "12 s of 1.5 s".
it('the watch of an unseen MQ wipe is shown with the wipe window in its length', { timeout: 60_000 }, async () => {
  const queues = privateQueues('sc-phase');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-test-device-'));
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    variants: ['mq-wipe-no-reboot'],
    amqp: { url: TEST_BROKER, ...queues, log: () => {} },
  });
  const phases: PhaseEvent[] = [];
  try {
    const report = await runSuiteAgainst(device, {
      suite: 'amqp',
      selection: { ids: ['amqp.wipedata.notify-path.unreachable-still-wipes'] },
      amqp: { url: TEST_BROKER, ...queues, replyWithinMs: 1_000, licenseKey: undefined },
      wipeWithinMs: 1_200,
      onPhase: (event) => phases.push(event),
    });
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([
      ['amqp.wipedata.notify-path.unreachable-still-wipes', 'pass'],
    ]);
  } finally {
    await device.close();
    rmSync(dataDir, { recursive: true, force: true });
    await deletePrivateQueues(TEST_BROKER, queues);
  }
  const watch = phases.find((p) => p.phase === 'watching-down');
  expect(watch?.windowMs).toBe(1_200 + FAST_WINDOWS.downWithinMs);
});
