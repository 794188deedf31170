import { describe, expect, it } from 'vitest';
import { runMqSuite } from '../helpers/run-against-device.ts';

// A broken device costs no more than a correct one (design §5). The wipe window here is a minute: a case that
// waited it out, as each MQ case after a dead consumer used to, would take this test past its time-out.
const LONG_WINDOWS = { wipeWithinMs: 60_000, upWithinMs: 60_000 };

describe('a command queue nothing consumes', () => {
  it('is found once, said once, and the MQ cases after it are decided in seconds with their failures', {
    timeout: 60_000,
  }, async () => {
    const poison = 'amqp.wipedata.malformed.not-json-then-valid';
    const after = [
      'amqp.wipedata.malformed.empty-then-valid',
      'amqp.wipedata.reply.license-key-stable',
      'amqp.wipedata.notify-path.unreachable-then-valid',
      'amqp.wipedata.reboot.consumer-back',
    ];
    const notices: string[] = [];
    const started = performance.now();
    const report = await runMqSuite(['mq-consumer-dies-on-poison'], {
      ...LONG_WINDOWS,
      selection: { only: [poison, ...after] },
      onNotice: (line) => notices.push(line),
    });
    const wallMs = performance.now() - started;
    expect(report.results.map((r) => [r.id, r.verdict])).toEqual([poison, ...after].map((id) => [id, 'fail']));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      new RegExp(`^nothing consumes sc-test-\\w+-commands since ${poison.replace(/\./g, '\\.')}: the consumer is gone`),
    );
    // The poison's case proves it at the end of its reply window (2 s here); each later case in about a second.
    const first = report.results[0];
    expect(first?.durationMs).toBeLessThan(15_000);
    for (const r of report.results.slice(1)) {
      expect(r.durationMs, r.id).toBeLessThan(8_000);
      expect(r.message).toMatch(/nothing consumes sc-test-\w+-commands since .*: the consumer is gone/);
      expect(r.message).toMatch(/expected a reply on the up queue within \d+ ms; received no reply/);
    }
    expect(wallMs).toBeLessThan(45_000);
  });

  it('is not found on a correct device whose consumer starts after the reply window once it is back from a reboot', {
    timeout: 90_000,
  }, async () => {
    // The consumer comes 2.5 s after the API is ready; replies are due within 2 s (runMqSuite). consumer-back publishes its
    // command while the device reboots after the wipe sent before it: the command waits untaken, with no
    // consumer, past the reply window, and must still be let through.
    const notices: string[] = [];
    const report = await runMqSuite(
      [],
      {
        ...LONG_WINDOWS,
        selection: { only: ['amqp.wipedata.flags.users', 'amqp.wipedata.reboot.consumer-back'] },
        onNotice: (line) => notices.push(line),
      },
      ['mq-consumer-late'],
    );
    expect(report.results.map((r) => [r.id, r.verdict, r.message])).toEqual([
      ['amqp.wipedata.flags.users', 'pass', expect.any(String)],
      ['amqp.wipedata.reboot.consumer-back', 'pass', expect.any(String)],
    ]);
    expect(notices).toEqual([]);
  });
});
