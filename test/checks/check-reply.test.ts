import { describe, expect, it } from 'vitest';
import { checkReply, type ReplyObservation } from '../../src/checks/check-reply.ts';
import type { Arrival } from '../../src/transports/reply-inbox.ts';

const KEY = 'abc123';

function seenWith(afterMs: number): ReplyObservation {
  const json = {
    result: true,
    code: 'EXECUTE_SUCCESS',
    message: 'execute success',
    mq_license_key: KEY,
    message_key: 'wipedata',
    ext_data: {},
    message_id: 'm-1',
  };
  const arrival: Arrival = {
    channel: 'up_queue',
    at: 1_000 + afterMs,
    body: Buffer.from(JSON.stringify(json)),
    meta: {},
    json,
  };
  return {
    byChannel: { up_queue: [arrival], notify_path: [] },
    matched: { up_queue: { arrival, matchedBy: 'message_id' } },
    publishedAt: 1_000,
    windowMs: 2_000,
    messageId: 'm-1',
    knownLicenseKey: KEY,
    downAt: undefined,
  };
}

describe('the MQ reply check', () => {
  const expectation = { via: 'up_queue' as const, envelope: true as const, result: true, code: 'EXECUTE_SUCCESS' };

  it('passes a reply inside the window', () => {
    const checks = checkReply(expectation, seenWith(150), 'MUST', 'strict');
    expect(checks.filter((c) => c.result !== 'pass')).toEqual([]);
  });

  it('fails a reply that came after the window, saying how late it was', () => {
    const checks = checkReply(expectation, seenWith(3_000), 'MUST', 'strict');
    const reply = checks.find((c) => c.check === 'reply');
    expect(reply).toMatchObject({ result: 'fail', expected: 'a reply on the up queue within 2000 ms' });
    expect(reply?.received).toMatch(/arrived after 3000 ms, matched by message_id: late/);
  });
});
