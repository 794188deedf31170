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

// Every wait of an MQ case is a phase of its own, held to the window it names: the replies owed to the
// commands sent `before`, the quiet after them, and a duplicate's first delivery with its reboot were once all
// shown as "publishing the command", and a window could be shown as passed by more than it allows.
it('each MQ wait has its own phase and none outlasts the window it names', { timeout: 60_000 }, async () => {
  const phases: (PhaseEvent & { at: number })[] = [];
  const ids = ['amqp.wipedata.malformed.not-json-then-valid', 'amqp.wipedata.duplicate.message-id-executed-once'];
  const report = await runMqSuite([], {
    selection: { ids },
    caseConcurrency: 1,
    onPhase: (event) => phases.push({ ...event, at: performance.now() }),
  });
  expect(report.results.map((r) => r.verdict)).toEqual(['pass', 'pass']);
  for (const id of ids) {
    const own = phases.filter((p) => p.id === id);
    const lasted = own.slice(0, -1).map((p, i) => ({ ...p, ms: (own[i + 1] as { at: number }).at - p.at }));
    const named = lasted.map((p) => `${p.phase} ${Math.round(p.ms)} ms of ${p.windowMs ?? '-'}`).join(', ');
    // Publishing is only the broker's confirm; every wait after it is named.
    expect(
      lasted.filter((p) => p.phase === 'publishing' && p.ms > 1_000),
      named,
    ).toEqual([]);
    expect(
      lasted.filter((p) => p.windowMs !== undefined && p.ms > p.windowMs + 1_000),
      named,
    ).toEqual([]);
  }
  const duplicate = phases.filter((p) => p.id === ids[1]).map((p) => p.phase);
  expect(duplicate.slice(0, 8)).toEqual([
    'waiting-ready',
    'seeding',
    'publishing',
    'waiting-reply',
    'watching-down',
    'waiting-up',
    'waiting-api',
    'waiting-ready',
  ]);
});
