import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { mqFlags, runMqSuite, TEST_BROKER } from '../helpers/run-against-device.ts';

// A broken device costs no more than a correct one (design §5).
const LONG_WINDOWS = { wipeWithinMs: 60_000, upWithinMs: 60_000 };

describe('a command queue nothing consumes', () => {
  it('is found once, said once on the console, and the MQ cases after it are decided in seconds with their failures', {
    timeout: 90_000,
  }, async () => {
    // Every window at the command line's default (wipe window 180 s, up window 180 s, replies within 10 s): a case
    // that waited one out, as each MQ case after a dead consumer used to, would take this test past its time-out.
    const queues = privateQueues('sc-dead');
    const dataDir = mkdtempSync(join(tmpdir(), 'sophon-dead-consumer-'));
    const out = mkdtempSync(join(tmpdir(), 'sophon-dead-consumer-out-'));
    const device = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir,
      bootMs: 40,
      faults: ['mq-consumer-dies-on-poison'],
      amqp: { url: TEST_BROKER, ...queues, log: () => {} },
    });
    try {
      const poison = 'amqp.wipedata.malformed.not-json-then-valid';
      const after = [
        'amqp.wipedata.malformed.empty-then-valid',
        'amqp.wipedata.reply.license-key-stable',
        'amqp.wipedata.notify-path.unreachable-then-valid',
        'amqp.wipedata.reboot.consumer-back',
      ];
      let text = '';
      const sink = {
        isTTY: false,
        write: (chunk: string) => {
          text += chunk;
          return true;
        },
      } as unknown as NodeJS.WriteStream;
      const started = performance.now();
      const code = await runCommand(
        [
          '--target',
          device.url,
          '--system-port',
          String(device.systemPort),
          ...[poison, ...after].flatMap((id) => ['--only', id]),
          ...mqFlags(TEST_BROKER, queues, device.licenseKey),
          '--out',
          out,
          '--reporter',
          'console,json',
        ],
        sink,
      );
      const wallMs = performance.now() - started;
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      expect(code, text).toBe(1);
      expect(report.results.map((r) => [r.id, r.verdict])).toEqual([poison, ...after].map((id) => [id, 'fail']));
      const said = text.split('\n').filter((line) => line.startsWith('nothing consumes'));
      expect(said).toEqual([
        expect.stringMatching(
          new RegExp(
            `^nothing consumes ${queues.commandQueue} since ${poison.replace(/\./g, '\\.')}: the consumer is gone \\(`,
          ),
        ),
      ]);
      // The poison's own case proves it at the end of its reply window (10 s); each later case in about a second.
      expect(report.results[0]?.durationMs).toBeLessThan(30_000);
      for (const r of report.results.slice(1)) {
        expect(r.durationMs, r.id).toBeLessThan(10_000);
        expect(r.message).toMatch(/expected a reply on the up queue within \d+ ms; received no reply/);
        expect(r.message).toContain(`nothing consumes ${queues.commandQueue} since ${poison}: the consumer is gone`);
      }
      expect(wallMs).toBeLessThan(75_000);
    } finally {
      await device.close();
      await deletePrivateQueues(TEST_BROKER, queues);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
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
