import { describe, expect, it } from 'vitest';
import { declaredCatches } from '../../matrix/kill-matrix.ts';
import { caughtIds, runMqSuite } from '../helpers/run-against-device.ts';

describe('the MQ suite end to end on the real broker', () => {
  it('passes every case on the healthy device, with every MQ clause covered', { timeout: 240_000 }, async () => {
    const report = await runMqSuite([]);
    const notPassed = report.results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id}: ${r.message}`);
    expect(notPassed).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary.total).toBeGreaterThanOrEqual(25);
    expect(report.clauses.filter((c) => c.verdict === 'uncovered')).toEqual([]);
    const reply = report.results.find((r) => r.id === 'amqp.wipedata.reply.up-queue-without-notify-path');
    expect(reply?.evidence.amqp?.replies[0]).toMatchObject({ channel: 'up_queue', matchedBy: 'message_id' });
  });

  // MQ-10 holds "if the device reboots": on one that does not, consumer-back passes, and says it held trivially.
  it('says plainly that consumer-back held trivially on a device that does not reboot after an MQ wipe', async () => {
    const id = 'amqp.wipedata.reboot.consumer-back';
    const report = await runMqSuite([], { selection: { only: [id] } }, ['mq-wipe-no-reboot']);
    const result = report.results.find((r) => r.id === id);
    expect(result?.verdict, result?.message).toBe('pass');
    expect(result?.evidence.reboot?.outcome).toBe('stayed-up');
    expect(result?.message).toMatch(/did not reboot after the MQ wipe .*held trivially/);
  });

  // Each broken device must fail exactly the MQ cases its fault declares, and say why in protocol terms.
  const broken: { fault: string; example: string; says: RegExp }[] = [
    {
      fault: 'mq-reply-on-up-queue-despite-notify-path',
      example: 'amqp.wipedata.reply.notify-path-only',
      says: /expected a reply on notify_path .*received no reply on notify_path; 1 arrived on the up queue instead/,
    },
    {
      fault: 'mq-code-success',
      example: 'amqp.wipedata.flags.users',
      says: /reply\.code: expected code EXECUTE_SUCCESS .*received code "SUCCESS"/,
    },
    {
      fault: 'mq-consumer-dies-on-poison',
      example: 'amqp.wipedata.malformed.empty-then-valid',
      says: /expected a reply on the up queue within \d+ ms; received no reply on the up queue; nothing arrived/,
    },
    {
      fault: 'mq-no-reply',
      example: 'amqp.wipedata.flags.users',
      says: /expected a reply on the up queue within \d+ ms; received no reply on the up queue; nothing arrived/,
    },
  ];
  it.concurrent.each(broken)(
    'fails exactly the cases that catch $fault',
    async ({ fault, example, says }) => {
      const report = await runMqSuite([fault]);
      const expected = declaredCatches(
        fault,
        report.results.map((r) => r.id),
      );
      expect(expected).toContain(example);
      expect(caughtIds(report)).toEqual(expected);
      expect(report.exitCode).toBe(1);
      expect(report.results.find((r) => r.id === example)?.message).toMatch(says);
    },
    240_000,
  );
});
