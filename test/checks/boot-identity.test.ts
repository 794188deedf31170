import { describe, expect, it } from 'vitest';
import { judgeBootIdentity, parseUptime, type UptimeReading } from '../../src/checks/boot-identity.ts';
import { checkReboot } from '../../src/checks/check-reboot.ts';
import type { BootIdentity, RebootTimeline } from '../../src/results/types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('reading getuptime', () => {
  it.each([
    [{ uptime: '3 hours, 57 minutes' }, 3 * HOUR + 57 * MIN, MIN],
    [{ uptime: '0 hours, 0 minutes' }, 0, MIN],
    [{ uptime: 'up 0 days, 0:03' }, 3 * MIN, MIN],
    [{ uptime: 'up 2 days, 3:57' }, 2 * 24 * HOUR + 3 * HOUR + 57 * MIN, MIN],
    // uptime(1)'s whole line: the wall clock before "up" and the users and load after it are not uptime.
    [{ uptime: ' 10:15:32 up 3 days,  2:03,  2 users,  load average: 0.00, 0.01, 0.05' }, 74 * HOUR + 3 * MIN, MIN],
    [{ uptime: 'up 57 min' }, 57 * MIN, MIN],
    [{ uptime: 'up 1 year, 2 weeks, 1 day, 3 hours, 57 minutes' }, (365 + 15) * 24 * HOUR + 3 * HOUR + 57 * MIN, MIN],
    [{ uptime: '3小时57分钟' }, 3 * HOUR + 57 * MIN, MIN],
    [{ uptime: '1天2小时3分钟4秒' }, 26 * HOUR + 3 * MIN + 4_000, 1_000],
    [{ uptime: 14_220.53 }, 14_220_530, 10],
    [{ uptime: 86_400 }, 86_400_000, 1_000],
    [{ uptime: '350735.47 234388.90' }, 350_735_470, 10],
    [{ uptime: '0 hours, 3 minutes', uptime_ms: 184_233 }, 184_233, 1],
  ])('%j is %i ms, counted in steps of %i ms', (data, ms, resolutionMs) => {
    expect(parseUptime(data)).toMatchObject({ ms, resolutionMs });
  });

  it.each([[{}], [{ uptime: 'a while' }], [{ uptime: true }], [{ uptime_ms: -1 }]])(
    '%j is no boot identity',
    (data) => {
      expect(parseUptime(data)).toBeUndefined();
    },
  );
});

// Readings on one clock: asked at `at`, answered 5 ms later.
function reading(text: string, at: number): UptimeReading {
  const parsed = parseUptime(text.startsWith('{') ? JSON.parse(text) : { uptime: text });
  if (!parsed) throw new Error(`unreadable ${text}`);
  return { ...parsed, sentAtMs: at, answeredAtMs: at + 5 };
}

describe('judging the host by two uptimes (HTTP-13: the host reboots)', () => {
  // The request at 0, the device down at 50 ms and accepting again at 1.5 s, read again at 2 s.
  const boot = { notBeforeMs: 40, notAfterMs: 1_500 };

  it('reset: a clock hours old before, started again after', () => {
    const judged = judgeBootIdentity(reading('3 hours, 57 minutes', -20), reading('0 hours, 0 minutes', 2_000), boot);
    expect(judged.verdict).toBe('reset');
    expect(judged.reason).toBe('uptime started again (3 h 57 min before, 0 min after, 2.0 s apart)');
  });

  it('kept counting: the API restarted, the host did not', () => {
    const judged = judgeBootIdentity(reading('3 hours, 57 minutes', -20), reading('3 hours, 58 minutes', 2_000), boot);
    expect(judged).toEqual({
      verdict: 'kept-counting',
      reason:
        'the API restarted, the host did not: uptime kept counting (3 h 57 min before, 3 h 58 min after, 2.0 s apart)',
    });
  });

  it('kept counting, precisely: uptime_ms grew by the time that passed', () => {
    const before = reading('{"uptime":"0 hours, 0 minutes","uptime_ms":5000}', -20);
    expect(judgeBootIdentity(before, reading('{"uptime_ms":7015}', 2_000), boot).verdict).toBe('kept-counting');
    // The same device rebooted: 520 ms since it booted, at 1.5 s at the latest.
    expect(judgeBootIdentity(before, reading('{"uptime_ms":520}', 2_000), boot).verdict).toBe('reset');
    // A clock that started after the device was already accepting again is no boot identity.
    expect(judgeBootIdentity(before, reading('{"uptime_ms":400}', 2_000), boot)).toMatchObject({
      verdict: 'indeterminate',
      reason:
        'uptime started after the device was back (5.000 s before, 0.400 s after, 2.0 s apart): it is not read as a boot identity',
    });
  });

  it('indeterminate at minute resolution: booted moments before the wipe, rebooted in seconds', () => {
    const judged = judgeBootIdentity(reading('0 hours, 0 minutes', -20), reading('0 hours, 0 minutes', 2_000), boot);
    expect(judged.verdict).toBe('indeterminate');
    expect(judged.reason).toBe(
      'uptime cannot tell a reboot from an API restart here (0 min before, 0 min after, 2.0 s apart, counted in whole minutes): the reboot rests on down and up alone, not on uptime',
    );
  });

  it('a minute that ticked over between the readings is still counting, not a reboot', () => {
    const judged = judgeBootIdentity(reading('up 0 days, 0:03', -20), reading('up 0 days, 0:04', 2_000), boot);
    expect(judged.verdict).toBe('kept-counting');
  });

  // Another program took the ports while the device was down: what answers has been up longer than the device
  // has been gone, so no host rebooted between down and up, whatever the clock read before.
  it('a clock far ahead of the time since the device went down did not reboot', () => {
    const judged = judgeBootIdentity(reading('0 hours, 0 minutes', -20), reading('0 hours, 9 minutes', 2_000), boot);
    expect(judged).toEqual({
      verdict: 'kept-counting',
      reason:
        'the host did not reboot: what answers getuptime has been up 9 min, longer than the 2.0 s since the device was last seen up (0 min before, 9 min after, 2.0 s apart)',
    });
  });

  it('a slow device that stays minutes down reads the minutes since it came back, and that is a reboot', () => {
    const slow = { notBeforeMs: 40, notAfterMs: 150_000 };
    const judged = judgeBootIdentity(reading('0 hours, 1 minutes', -20), reading('0 hours, 2 minutes', 270_000), slow);
    expect(judged.verdict).toBe('reset');
  });
});

const seen = (identity?: BootIdentity): RebootTimeline => ({
  downWithinMs: 1_500,
  upWithinMs: 8_000,
  watchedMs: 1_500,
  probeIntervalMs: 10,
  downAtMs: 50,
  upAtMs: 1_500,
  readyAtMs: 1_600,
  outcome: 'rebooted',
  uptimeBefore: '3 hours, 57 minutes',
  uptimeAfter: '3 hours, 58 minutes',
  ...(identity ? { identity } : {}),
});

describe('the reboot check with a boot identity', () => {
  const kept: BootIdentity = {
    verdict: 'kept-counting',
    reason:
      'the API restarted, the host did not: uptime kept counting (3 h 57 min before, 3 h 58 min after, 2.0 s apart)',
  };

  it('fails a required reboot that only restarted the API, with both readings', () => {
    const out = checkReboot('required', { timeline: seen(kept), answered: true }, 'MUST');
    expect(out.result).toBe('fail');
    expect(out.received).toBe(
      'the API restarted, the host did not: uptime kept counting (3 h 57 min before, 3 h 58 min after, 2.0 s apart); down +50 ms, up +1500 ms, ready +1600 ms after the response',
    );
  });

  it('passes a reboot uptime cannot confirm, saying so, and one it confirms', () => {
    const unsure: BootIdentity = {
      verdict: 'indeterminate',
      reason: 'uptime cannot tell a reboot from an API restart',
    };
    const out = checkReboot('required', { timeline: seen(unsure), answered: true }, 'MUST');
    expect(out.result).toBe('pass');
    expect(out.received).toMatch(
      /ready \+1600 ms after the response; uptime cannot tell a reboot from an API restart$/,
    );
    const reset: BootIdentity = { verdict: 'reset', reason: 'uptime started again' };
    expect(checkReboot('required', { timeline: seen(reset), answered: true }, 'MUST').result).toBe('pass');
  });

  it('keeps the down-then-up rule for a device without a boot identity', () => {
    expect(checkReboot('required', { timeline: seen(), answered: true }, 'MUST').result).toBe('pass');
  });

  it('still fails an API restart after a refused request, and records one where either is allowed', () => {
    expect(checkReboot('none', { timeline: seen(kept), answered: true }, 'MUST').result).toBe('fail');
    const any = checkReboot('any', { timeline: seen(kept), answered: true }, 'MUST');
    expect(any.result).toBe('pass');
    expect(any.received).toMatch(/the API restarted, the host did not/);
  });
});
