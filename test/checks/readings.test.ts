import { describe, expect, it } from 'vitest';
import { checkHttpCase, type HttpObservation } from '../../src/checks/check-http-case.ts';
import { checkReply, type ReplyObservation } from '../../src/checks/check-reply.ts';
import { viewResponse } from '../../src/checks/check-response.ts';
import { renderingsOf } from '../../src/checks/value-renderings.ts';
import { foldVerdict } from '../../src/results/fold-verdict.ts';
import type { RebootTimeline } from '../../src/results/types.ts';
import type { HttpExpectSpec } from '../../src/specs/case-schema.ts';
import type { HttpExchange } from '../../src/transports/http-transport.ts';
import type { Arrival } from '../../src/transports/reply-inbox.ts';

// Every reading the documents allow passes, and what they rule out still fails (issue 13): the checks of
// HTTP-4/5 messages, the family's codes, and MQ-7's echo, both ways.

const stayedUp: RebootTimeline = {
  downWithinMs: 1000,
  upWithinMs: 1000,
  watchedMs: 300,
  probeIntervalMs: 10,
  outcome: 'stayed-up',
};

function answer(request: unknown, status: number, code: string, message: string): HttpObservation {
  const ex: HttpExchange = {
    evidence: {
      request: {
        method: 'POST',
        url: 'http://x/',
        headers: {},
        body: { text: JSON.stringify(request), bytes: JSON.stringify(request).length },
      },
      sentAtMs: 0,
    },
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ error: { code, message } })),
    completedAt: 0,
  };
  return {
    response: viewResponse(ex),
    reboot: { timeline: stayedUp, answered: true },
    state: undefined,
    settingDefaults: {},
  };
}

const verdictOf = (want: HttpExpectSpec, seen: HttpObservation) =>
  foldVerdict(checkHttpCase(want, seen, 'MUST', 'strict').checks).kind;

describe('INVALID_ARGUMENTS message (HTTP-5: 无效参数的值, the invalid value)', () => {
  const want: HttpExpectSpec = {
    error: { code: 'INVALID_ARGUMENTS', message: { carriesValueOf: ['users'] } },
    reboot: 'none',
  };
  it.each([
    [{ users: {} }, '{}'],
    [{ users: [] }, '[]'],
    [{ users: 'true' }, '"true"'],
    [{ users: 'true' }, '无效参数的值：true'],
    [{ users: null }, 'None is not a bool'],
    [{ users: 1 }, 'value 1 is not boolean'],
    [{ users: {} }, '参数 users 无效'],
    [{ users: 'yes' }, "invalid value 'yes'"],
    [{ users: { a: true } }, "got {'a': True}"],
  ])('passes %j answered with message %j', (request, message) => {
    expect(verdictOf(want, answer(request, 400, 'INVALID_ARGUMENTS', message))).toBe('pass');
  });
  it.each([
    [{ users: {} }, ''],
    [{ users: 'true' }, 'invalid argument'],
    [{ users: null }, '参数无效'],
  ])('fails %j answered with message %j, which carries neither the name nor the value', (request, message) => {
    expect(verdictOf(want, answer(request, 400, 'INVALID_ARGUMENTS', message))).toBe('fail');
  });
  it('never counts an empty rendering', () => {
    expect(renderingsOf('')).toEqual(['""', "''"]);
    expect(renderingsOf([]).every((r) => r.trim() !== '')).toBe(true);
  });
});

describe('codes of the API family (tolerate)', () => {
  const want: HttpExpectSpec = {
    error: {
      code: 'MISSING_ARGUMENTS',
      message: { mentionsAny: ['users', 'events', 'all'] },
      tolerate: ['EMPTY_REQUEST_JSON'],
    },

    reboot: 'none',
  };
  it('passes the page’s own code with a message naming a flag, in Chinese too', () => {
    expect(verdictOf(want, answer({}, 400, 'MISSING_ARGUMENTS', '缺少参数：users'))).toBe('pass');
  });
  it('warns, never fails, on a tolerated code, whatever its message', () => {
    const seen = answer({}, 400, 'EMPTY_REQUEST_JSON', '空白的JSON数据请求');
    const verdict = foldVerdict(checkHttpCase(want, seen, 'MUST', 'strict').checks);
    expect(verdict.kind).toBe('warn');
    if (verdict.kind === 'warn') expect(verdict.failures[0]?.received).toContain("API family's error tables");
  });
  it('still fails a code that is neither', () => {
    expect(verdictOf(want, answer({}, 400, 'INVALID_ARGUMENTS', 'users'))).toBe('fail');
  });
  it('lets a oneOf outcome hold on a tolerated code', () => {
    const oneOf: HttpExpectSpec = {
      oneOf: [
        { outcome: 'accepted', status: 200, body: { equals: { result: true } } },
        { outcome: 'rejected', error: { code: 'INVALID_ARGUMENTS', tolerate: ['EMPTY_REQUEST_JSON'] }, reboot: 'none' },
      ],
    };
    const judged = checkHttpCase(oneOf, answer({}, 400, 'EMPTY_REQUEST_JSON', ''), 'MUST', 'strict');
    expect(judged.outcome).toBe('rejected');
    expect(judged.unmatched).toBeUndefined();
    expect(foldVerdict(judged.checks).kind).toBe('warn');
  });
});

describe('MQ replies', () => {
  function seen(body: unknown, meta: Record<string, unknown> = {}): ReplyObservation {
    const arrival: Arrival = { channel: 'up_queue', at: 10, body: Buffer.from(JSON.stringify(body)), meta, json: body };
    return {
      byChannel: { up_queue: [arrival], notify_path: [] },
      matched: { up_queue: { arrival, matchedBy: 'timing' } },
      publishedAt: 0,
      windowMs: 1000,
      messageId: 'm-1',
      knownLicenseKey: undefined,
      downAt: undefined,
    };
  }
  const envelope = {
    result: false,
    code: 'PARAM_ERROR',
    message: '',
    mq_license_key: 'k',
    message_key: 'wipedata',
    ext_data: {},
  };
  it('accepts any code of an anyOf and refuses others', () => {
    const want = { via: 'up_queue' as const, code: { anyOf: ['INVALID_ARGUMENTS', 'PARAM_ERROR'] } };
    expect(checkReply(want, seen(envelope), 'SHOULD', 'strict').every((c) => c.result === 'pass')).toBe(true);
    const other = checkReply(want, seen({ ...envelope, code: 'OOPS' }), 'SHOULD', 'strict');
    expect(other.find((c) => c.check === 'reply.code')?.result).toBe('fail');
  });
  it('takes the message_id echoed at the top level, in ext_data or as the AMQP correlation_id (MQ-7)', () => {
    const want = { via: 'up_queue' as const, messageId: 'echoed' as const };
    const echo = (body: unknown, meta = {}) =>
      checkReply(want, seen(body, meta), 'SHOULD', 'strict').find((c) => c.check === 'reply.message_id')?.result;
    expect(echo({ ...envelope, message_id: 'm-1' })).toBe('pass');
    expect(echo({ ...envelope, ext_data: { message_id: 'm-1' } })).toBe('pass');
    expect(echo(envelope, { correlationId: 'm-1' })).toBe('pass');
    expect(echo(envelope, { correlationId: 'other' })).toBe('fail');
    expect(echo(envelope)).toBe('fail');
  });
});
