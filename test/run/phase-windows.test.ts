import { expect, it } from 'vitest';
import type { PhaseEvent } from '../../src/results/progress.ts';
import { FAST_WINDOWS, runMqSuite } from '../helpers/run-against-device.ts';

// The live line names the window a phase is held to. An MQ wipe whose reply cannot be seen (an unreachable
// notify_path) is watched for the wipe window and then the down window; on a device that does not reboot
// after an MQ wipe the whole of it passes, and the line must not say "12 s of 1.5 s".
it('the watch of an unseen MQ wipe is shown with the wipe window in its length', { timeout: 60_000 }, async () => {
  const phases: PhaseEvent[] = [];
  const report = await runMqSuite(
    [],
    {
      selection: { ids: ['amqp.wipedata.notify-path.unreachable-still-wipes'] },
      wipeWithinMs: 2_500,
      onPhase: (event) => phases.push(event),
    },
    ['mq-wipe-no-reboot'],
  );
  expect(report.results.map((r) => [r.id, r.verdict])).toEqual([
    ['amqp.wipedata.notify-path.unreachable-still-wipes', 'pass'],
  ]);
  const watch = phases.find((p) => p.phase === 'watching-down');
  expect(watch?.windowMs).toBe(2_500 + FAST_WINDOWS.downWithinMs);
});
