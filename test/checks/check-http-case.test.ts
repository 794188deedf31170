import { describe, expect, it } from 'vitest';
import { checkHttpCase, type HttpObservation } from '../../src/checks/check-http-case.ts';
import { viewResponse } from '../../src/checks/check-response.ts';
import { foldVerdict } from '../../src/results/fold-verdict.ts';
import type { RebootTimeline, StateSnapshot } from '../../src/results/types.ts';
import type { HttpExpectSpec } from '../../src/specs/case-schema.ts';
import type { HttpExchange } from '../../src/transports/http-transport.ts';

const DEFAULTS = { MATCH_THRESHOLD: 82 };

function exchange(status: number, body: string, contentType = 'application/json'): HttpExchange {
  return {
    evidence: { request: { method: 'POST', url: 'http://x/', headers: {} }, sentAtMs: 0 },
    status,
    headers: { 'content-type': contentType },
    body: Buffer.from(body),
    completedAt: 0,
  };
}

const stayedUp: RebootTimeline = {
  downWithinMs: 1000,
  upWithinMs: 1000,
  watchedMs: 300,
  probeIntervalMs: 10,
  outcome: 'stayed-up',
};
const rebooted: RebootTimeline = { ...stayedUp, downAtMs: 20, upAtMs: 200, readyAtMs: 220, outcome: 'rebooted' };

function snapshot(n: number, threshold = 83): StateSnapshot {
  const ids = Array.from({ length: n }, (_, i) => `id${i}`);
  return {
    identities: { count: n, faces: n, ids },
    permissions: { count: n, ids },
    mediaDevices: { count: n, ids },
    events: { count: n },
    settings: { MATCH_THRESHOLD: threshold },
  };
}

function observe(
  ex: HttpExchange,
  timeline: RebootTimeline,
  before?: StateSnapshot,
  after?: StateSnapshot,
): HttpObservation {
  return {
    response: viewResponse(ex),
    reboot: { timeline, answered: ex.error === undefined },
    state: before ? { before, ...(after ? { after } : {}) } : undefined,
    settingDefaults: DEFAULTS,
  };
}

const negative: HttpExpectSpec = {
  error: 'INVALID_REQUEST_JSON',
  state: 'unchanged',
  reboot: 'none',
  should: { status: { class: '4xx' } },
};

describe('checkHttpCase', () => {
  it('passes a correct refusal', () => {
    const seen = observe(
      exchange(400, '{"error":{"code":"INVALID_REQUEST_JSON","message":"bad"}}'),
      stayedUp,
      snapshot(2),
      snapshot(2),
    );
    expect(foldVerdict(checkHttpCase(negative, seen, 'MUST', 'strict').checks).kind).toBe('pass');
  });

  it('fails a device that answers 200 to invalid JSON, saying what came instead', () => {
    const seen = observe(exchange(200, '{"result":true}'), stayedUp, snapshot(2), snapshot(2));
    const verdict = foldVerdict(checkHttpCase(negative, seen, 'MUST', 'strict').checks);
    expect(verdict.kind).toBe('fail');
    if (verdict.kind !== 'fail') return;
    expect(verdict.failures.map((f) => f.check)).toContain('error.status');
    expect(verdict.failures.find((f) => f.check === 'error.envelope')?.received).toContain('{"result":true}');
  });

  it('fails an error envelope sent with status 200', () => {
    const seen = observe(
      exchange(200, '{"error":{"code":"INVALID_REQUEST_JSON","message":"bad"}}'),
      stayedUp,
      snapshot(2),
      snapshot(2),
    );
    const verdict = foldVerdict(checkHttpCase(negative, seen, 'MUST', 'strict').checks);
    expect(verdict.kind).toBe('fail');
  });

  it('fails a refusal that deleted data or rebooted', () => {
    const deleted = observe(
      exchange(400, '{"error":{"code":"INVALID_REQUEST_JSON","message":"x"}}'),
      stayedUp,
      snapshot(2),
      snapshot(0),
    );
    expect(foldVerdict(checkHttpCase(negative, deleted, 'MUST', 'strict').checks).kind).toBe('fail');
    const reboot = observe(
      exchange(400, '{"error":{"code":"INVALID_REQUEST_JSON","message":"x"}}'),
      rebooted,
      snapshot(2),
      snapshot(2),
    );
    const verdict = foldVerdict(checkHttpCase(negative, reboot, 'MUST', 'strict').checks);
    expect(verdict.kind === 'fail' && verdict.failures[0]?.check).toBe('reboot');
  });

  it('allows a lenient code only under the lenient profile, as a warning', () => {
    const expect_: HttpExpectSpec = { error: { code: 'INVALID_REQUEST_JSON', lenient: ['INVALID_ARGUMENTS'] } };
    const seen = observe(exchange(400, '{"error":{"code":"INVALID_ARGUMENTS","message":"x"}}'), stayedUp);
    expect(foldVerdict(checkHttpCase(expect_, seen, 'MUST', 'strict').checks).kind).toBe('fail');
    expect(foldVerdict(checkHttpCase(expect_, seen, 'MUST', 'lenient').checks).kind).toBe('warn');
  });

  it('warns, not fails, when only a SHOULD block misses', () => {
    const seen = observe(
      exchange(500, '{"error":{"code":"INVALID_REQUEST_JSON","message":"x"}}'),
      stayedUp,
      snapshot(2),
      snapshot(2),
    );
    expect(foldVerdict(checkHttpCase(negative, seen, 'MUST', 'strict').checks).kind).toBe('warn');
  });

  it('judges a wipe by state: emptied only counts when there was data, settings against defaults', () => {
    const wipe: HttpExpectSpec = {
      status: 200,
      state: { identities: 'emptied', settings: 'defaults' },
      reboot: 'required',
    };
    const good = observe(exchange(200, '{"result":true}'), rebooted, snapshot(2), snapshot(0, 82));
    expect(foldVerdict(checkHttpCase(wipe, good, 'MUST', 'strict').checks).kind).toBe('pass');
    const kept = observe(exchange(200, '{"result":true}'), rebooted, snapshot(2), snapshot(2, 83));
    const verdict = foldVerdict(checkHttpCase(wipe, kept, 'MUST', 'strict').checks);
    expect(verdict.kind === 'fail' && verdict.failures.map((f) => f.check)).toEqual([
      'state.identities',
      'state.settings',
    ]);
    const empty = observe(exchange(200, '{"result":true}'), rebooted, snapshot(0), snapshot(0, 82));
    expect(foldVerdict(checkHttpCase(wipe, empty, 'MUST', 'strict').checks).kind).toBe('could-not-test');
  });

  it('names each reboot failure mode', () => {
    const wipe: HttpExpectSpec = { status: 200, reboot: 'required' };
    const ok = exchange(200, '{"result":true}');
    const never = checkHttpCase(wipe, observe(ok, stayedUp), 'MUST', 'strict').checks.find((c) => c.check === 'reboot');
    expect(never?.received).toMatch(/never went down/);
    const notBack = checkHttpCase(
      wipe,
      observe(ok, { ...stayedUp, downAtMs: 5, outcome: 'not-back' }),
      'MUST',
      'strict',
    ).checks;
    expect(notBack.find((c) => c.check === 'reboot')?.received).toMatch(/did not come back/);
    const { status: _status, ...rest } = exchange(200, '');
    const early: HttpExchange = { ...rest, error: 'connection closed before a complete response' };
    const before = checkHttpCase(wipe, observe(early, rebooted), 'MUST', 'strict').checks.find(
      (c) => c.check === 'reboot',
    );
    expect(before?.result).toBe('fail');
    expect(before?.received).toMatch(/rebooted before \(or while\) answering/);
  });

  it('picks the oneOf outcome the device chose and names it', () => {
    const either: HttpExpectSpec = {
      oneOf: [
        { outcome: 'union', status: 200, reboot: 'required' },
        { outcome: 'rejected', error: 'INVALID_ARGUMENTS', reboot: 'none' },
      ],
    };
    const rejected = checkHttpCase(
      either,
      observe(exchange(400, '{"error":{"code":"INVALID_ARGUMENTS","message":"x"}}'), stayedUp),
      'MUST',
      'strict',
    );
    expect(rejected.outcome).toBe('rejected');
    expect(foldVerdict(rejected.checks).kind).toBe('pass');
    const neither = checkHttpCase(either, observe(exchange(200, '{"result":true}'), stayedUp), 'MUST', 'strict');
    expect(neither.unmatched).toEqual(['union', 'rejected']);
    expect(neither.outcome).toBe('union');
    expect(foldVerdict(neither.checks).kind).toBe('fail');
  });

  it('in a SHOULD case, picks the outcome whose own expectations hold', () => {
    const bom: HttpExpectSpec = {
      oneOf: [
        { outcome: 'bom-ignored', status: 200, reboot: 'required' },
        { outcome: 'bom-refused', error: 'INVALID_REQUEST_JSON', reboot: 'none' },
      ],
    };
    const refused = observe(exchange(400, '{"error":{"code":"INVALID_REQUEST_JSON","message":"bom"}}'), stayedUp);
    const judged = checkHttpCase(bom, refused, 'SHOULD', 'strict');
    expect(judged.outcome).toBe('bom-refused');
    expect(foldVerdict(judged.checks).kind).toBe('pass');
  });
});
