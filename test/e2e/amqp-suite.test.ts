import { describe, expect, it } from 'vitest';
import { KNOWN_FAULTS } from '../../reference-device/faults.ts';
import { matchesId } from '../../src/plan/match-id.ts';
import { failedIds, runMqSuite } from '../helpers/run-against-device.ts';

describe('the MQ suite end to end on the real broker', () => {
  it('passes every case on the healthy device, with every MQ clause covered', async () => {
    const report = await runMqSuite([]);
    const notPassed = report.results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id}: ${r.message}`);
    expect(notPassed).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary.total).toBeGreaterThanOrEqual(25);
    expect(report.clauses.filter((c) => c.verdict === 'uncovered')).toEqual([]);
    const reply = report.results.find((r) => r.id === 'amqp.wipedata.reply.up-queue');
    expect(reply?.evidence.amqp?.replies[0]).toMatchObject({ channel: 'up_queue', matchedBy: 'message_id' });
  });

  // Each broken device must fail exactly the MQ cases its fault declares, and say why in protocol terms.
  const broken: { fault: string; says: RegExp }[] = [
    { fault: 'mq-reply-on-up-queue-despite-notify-path', says: /up_queue/ },
    { fault: 'mq-code-success', says: /EXECUTE_SUCCESS/ },
    { fault: 'mq-consumer-dies-on-poison', says: /reply/ },
    { fault: 'mq-no-reply', says: /no reply/ },
  ];
  it.concurrent.each(broken)('fails exactly the cases that catch $fault', async ({ fault, says }) => {
    const declared = KNOWN_FAULTS.find((f) => f.name === fault)?.catches ?? [];
    const report = await runMqSuite([fault]);
    const expected = report.results.map((r) => r.id).filter((id) => declared.some((p) => matchesId(id, p)));
    expect(expected.length).toBeGreaterThan(0);
    expect(failedIds(report)).toEqual(expected.sort());
    expect(report.exitCode).toBe(1);
    for (const result of report.results.filter((r) => r.verdict === 'fail')) expect(result.message).toMatch(says);
  });
});
