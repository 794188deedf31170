import type { CheckOutcome, Level, RebootTimeline } from '../results/types.ts';
import type { RebootExpectSpec } from '../specs/case-schema.ts';
import { outcome } from './check-outcome.ts';

/** What a request's aftermath looked like, for the reboot check. */
export interface RebootObservation {
  timeline: RebootTimeline | undefined;
  /** The response was delivered completely before anything else happened. */
  answered: boolean;
  /** The transport failure when it was not. */
  transportError?: string | undefined;
}

/**
 * Reboot behaviour (HTTP-13, HTTP-14, design §5), each failure mode with its own message: rebooted
 * before answering, never went down, did not come back, came back but never ready, rebooted after an error.
 */
export function checkReboot(expect: RebootExpectSpec, seen: RebootObservation, level: Level): CheckOutcome {
  const t = seen.timeline;
  if (!t) return outcome('reboot', level, 'unobservable', describeWant(expect), 'the reboot watcher did not run');
  const wentDown = t.downAtMs !== undefined || t.outcome === 'rebooted-unseen';
  if (!seen.answered && wentDown) {
    return outcome(
      'reboot',
      level,
      false,
      expect === 'required' ? 'the full response first, then a reboot' : describeWant(expect),
      `rebooted before (or while) answering: ${seen.transportError ?? 'no complete response'}, ${t.downAtMs !== undefined ? `down at ${ms(t.downAtMs)}` : 'its uptime shows a reboot'}`,
    );
  }
  if (t.outcome === 'not-back') {
    return outcome(
      'reboot',
      level,
      false,
      describeWant(expect),
      `went down at +${ms(t.downAtMs)} and did not come back within ${t.upWithinMs} ms`,
    );
  }
  if (t.outcome === 'not-ready') {
    return outcome(
      'reboot',
      level,
      false,
      describeWant(expect),
      `went down at +${ms(t.downAtMs)}, accepted connections again at +${ms(t.upAtMs)}, but the API was not ready within ${t.upWithinMs} ms of going down`,
    );
  }
  const rebooted = t.outcome === 'rebooted' || t.outcome === 'rebooted-unseen';
  const story = describeTimeline(t);
  switch (expect) {
    case 'required':
      if (!seen.answered) {
        return outcome(
          'reboot',
          level,
          'unobservable',
          describeWant(expect),
          `no complete response (${seen.transportError ?? 'unknown'}); nothing to reboot after`,
        );
      }
      if (!rebooted)
        return outcome('reboot', level, false, describeWant(expect), `never went down within ${t.watchedMs} ms`);
      // "本API在返回后会自动重启主机": the host reboots. Down and up while the host's uptime reads longer than the
      // time since the device was last seen up is no host reboot (its API restarted, or another host answers now);
      // readings that cannot tell (minute resolution, a fresh boot) are said, never failed.
      if (t.identity?.verdict === 'kept-counting') {
        return outcome('reboot', level, false, describeWant(expect), `${t.identity.reason}; ${describeSteps(t)}`);
      }
      return outcome('reboot', level, true, describeWant(expect), story);
    case 'none':
      return outcome('reboot', level, !rebooted, describeWant(expect), rebooted ? `rebooted: ${story}` : story);
    case 'any':
      return outcome('reboot', level, true, describeWant(expect), story);
  }
}

/**
 * What a case message says when a reboot was seen but uptime could not confirm it (minute resolution and a boot
 * moments before, or no reading after): the reboot was accepted on down and up alone, never proven.
 */
export function unprovenReboot(t: RebootTimeline | undefined): string | undefined {
  return t?.outcome === 'rebooted' && t.identity?.verdict === 'indeterminate' ? t.identity.reason : undefined;
}

function describeWant(expect: RebootExpectSpec): string {
  switch (expect) {
    case 'required':
      return 'answers first, then the host reboots (uptime starts again, where it can tell): down within the down window, ready again within the up window';
    case 'none':
      return 'stays up (no reboot)';
    case 'any':
      return 'reboot or not, recorded';
  }
}

/** The timeline in one line: `down +52 ms, up +361 ms, ready +420 ms`. */
export function describeTimeline(t: RebootTimeline): string {
  switch (t.outcome) {
    case 'stayed-up':
      return `stayed up for the ${t.watchedMs} ms watched${t.uptimeAfter ? ` (uptime ${t.uptimeAfter})` : ''}`;
    case 'rebooted-unseen':
      return `uptime fell back from "${t.uptimeBefore}" to "${t.uptimeAfter}": rebooted between two probes`;
    default:
      return t.identity ? `${describeSteps(t)}; ${t.identity.reason}` : describeSteps(t);
  }
}

function describeSteps(t: RebootTimeline): string {
  return `down +${ms(t.downAtMs)}, up +${ms(t.upAtMs)}, ready +${ms(t.readyAtMs)} after the response`;
}

function ms(value: number | undefined): string {
  return value === undefined ? '?' : `${Math.round(value)} ms`;
}
