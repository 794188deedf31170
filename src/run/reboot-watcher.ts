import type { RebootTimeline } from '../results/types.ts';
import { callApi, facePath, systemPath } from '../transports/device-api.ts';
import { NO_TCP_ANSWER, tcpConnect } from '../transports/tcp-connect.ts';

/** The device's boot identity as `getuptime` reports it. */
export interface Uptime {
  text: string;
  ms: number;
  /** Resolution of `ms`: the vendor format counts minutes; some devices add `uptime_ms`. */
  resolutionMs: number;
}

/** What the watcher reports as it goes: it starts looking, the device went down, it accepts connections again. */
export type WatchStep = 'watch' | 'down' | 'up';

export interface WatchOptions {
  target: string;
  systemUrl?: string | undefined;
  downWithinMs: number;
  upWithinMs: number;
  /** How long to look for the device going down (the down window, or a shorter quiet window). */
  watchMs: number;
  /** When given, the watch end (ms after `since`) is asked again at every probe: an MQ case extends it once the reply arrives. */
  watchUntil?: () => number;
  probeIntervalMs: number;
  /** performance.now() when the response was complete: the timeline's zero. */
  since: number;
  uptimeBefore?: Uptime | undefined;
  signal?: AbortSignal | undefined;
  /** Told each step with its time (ms after `since`), for the live console. */
  onStep?: ((step: WatchStep, atMs: number) => void) | undefined;
  /** How the API port is probed (a TCP connect); tests give a scripted one. */
  probe?: PortProbe;
}

/** What one connection attempt to the API port showed. */
export type ProbeResult = 'accepted' | 'refused' | 'timeout';
export type PortProbe = (host: string, port: number, timeoutMs: number) => Promise<ProbeResult>;

/**
 * A probe that only timed out is asked again with this much longer before it counts as down: a lost SYN is
 * retransmitted after about a second, and one lost packet on a lab network must not read as a reboot (a
 * device going down refuses at once; one whose host is gone times out twice).
 */
export const CONFIRM_TIMEOUT_MS = 1_500;

/**
 * Watches the device after a request (design §5): down, up (TCP accepts again), ready (a cheap read
 * succeeds and input devices are no longer initialising). Polls against deadlines, never sleeps blind.
 */
export async function watchReboot(options: WatchOptions): Promise<RebootTimeline> {
  const { target, probeIntervalMs, since, signal } = options;
  const at = () => Math.round((performance.now() - since) * 10) / 10;
  const timeline: RebootTimeline = {
    downWithinMs: options.downWithinMs,
    upWithinMs: options.upWithinMs,
    watchedMs: options.watchMs,
    probeIntervalMs,
    outcome: 'stayed-up',
    ...(options.uptimeBefore ? { uptimeBefore: options.uptimeBefore.text } : {}),
  };
  const url = new URL(target);
  const port = Number(url.port || 80);

  const probe = options.probe ?? tcpProbe;
  const accepts = async (timeoutMs: number) => (await probe(url.hostname, port, timeoutMs)) === 'accepted';
  // Down: the API port stops accepting connections (refused, or silent twice).
  options.onStep?.('watch', 0);
  const until = options.watchUntil ?? (() => options.watchMs);
  while (at() < until() && !signal?.aborted) {
    const probedAt = at();
    const seen = await probe(url.hostname, port, Math.max(probeIntervalMs * 5, 250));
    const down = seen === 'refused' || (seen === 'timeout' && !(await accepts(CONFIRM_TIMEOUT_MS)));
    if (down) {
      timeline.downAtMs = probedAt;
      options.onStep?.('down', timeline.downAtMs);
      break;
    }
    await pause(Math.min(probeIntervalMs, Math.max(0, until() - at())));
  }
  if (timeline.downAtMs === undefined) {
    timeline.watchedMs = Math.round(at());
    // The time passed is taken before asking: a slow answer (a busy device, a runner driving many devices)
    // then only makes the uptime read higher, never makes a device that stayed up look rebooted.
    const elapsed = at();
    const after = options.systemUrl ? await readUptime(options.systemUrl) : undefined;
    if (after) timeline.uptimeAfter = after.text;
    if (options.uptimeBefore && after && rebootedBetween(options.uptimeBefore, after, elapsed)) {
      timeline.outcome = 'rebooted-unseen';
    }
    return timeline;
  }

  // Up and ready, each against the up window measured from going down.
  const upDeadline = timeline.downAtMs + options.upWithinMs;
  while (at() < upDeadline && !signal?.aborted) {
    if (await accepts(Math.max(probeIntervalMs * 5, 250))) {
      timeline.upAtMs = at();
      options.onStep?.('up', timeline.upAtMs);
      break;
    }
    await pause(probeIntervalMs);
  }
  if (timeline.upAtMs === undefined) {
    timeline.outcome = 'not-back';
    return timeline;
  }
  while (at() < upDeadline && !signal?.aborted) {
    if (await isReady(target, Math.max(probeIntervalMs * 10, 1_000))) {
      timeline.readyAtMs = at();
      break;
    }
    await pause(probeIntervalMs);
  }
  if (timeline.readyAtMs === undefined) {
    timeline.outcome = 'not-ready';
    return timeline;
  }
  timeline.outcome = 'rebooted';
  const after = options.systemUrl ? await readUptime(options.systemUrl) : undefined;
  if (after) timeline.uptimeAfter = after.text;
  return timeline;
}

/** Readiness after boot (sophon-api.md): `getconfigs {}` answers and `getmediadevices` is past DEVICE_INIT_ERROR. */
export async function isReady(target: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const configs = await callApi(target, facePath('getconfigs'), {}, timeoutMs, signal);
  if (configs.kind !== 'ok') return false;
  const devices = await callApi(target, facePath('getmediadevices'), {}, timeoutMs, signal);
  return devices.kind === 'ok';
}

/** Waits until the device is ready, or the deadline passes; returns whether it became ready. */
export async function waitReady(
  target: string,
  withinMs: number,
  probeIntervalMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (!signal?.aborted) {
    if (await isReady(target, Math.max(probeIntervalMs * 10, 1_000), signal)) return true;
    if (performance.now() >= deadline) return false;
    await pause(probeIntervalMs);
  }
  return false;
}

/** Reads `getuptime` from the system port; undefined when the device has none. */
export async function readUptime(systemUrl: string, signal?: AbortSignal): Promise<Uptime | undefined> {
  const answer = await callApi(systemUrl, systemPath('getuptime'), {}, 2_000, signal);
  if (answer.kind !== 'ok') return undefined;
  return parseUptime(answer.data);
}

/** Parses the vendor's "3 hours, 57 minutes" (and a precise `uptime_ms` where a device adds one). */
export function parseUptime(data: Record<string, unknown>): Uptime | undefined {
  const text = typeof data.uptime === 'string' ? data.uptime : undefined;
  if (typeof data.uptime_ms === 'number' && Number.isFinite(data.uptime_ms)) {
    return { text: text ?? `${data.uptime_ms} ms`, ms: data.uptime_ms, resolutionMs: 1 };
  }
  if (!text) return undefined;
  const units: Record<string, number> = {
    day: 86_400_000,
    hour: 3_600_000,
    minute: 60_000,
    min: 60_000,
    second: 1_000,
  };
  let ms = 0;
  let finest = Number.POSITIVE_INFINITY;
  let matched = false;
  for (const m of text.matchAll(/(\d+)\s*(day|hour|minute|min|second)s?/gi)) {
    const unit = units[(m[2] ?? '').toLowerCase()] ?? 0;
    ms += Number(m[1]) * unit;
    finest = Math.min(finest, unit);
    matched = true;
  }
  return matched ? { text, ms, resolutionMs: finest } : undefined;
}

/** How far a precise uptime may lag the checker's clock without a reboot (the two reads' own latency). */
const UPTIME_JITTER_MS = 100;

/**
 * Whether uptime fell back by more than its resolution: the device rebooted even if no probe saw it.
 * Either it now reads less than before, or it fell behind the time that passed by more than its
 * resolution and read jitter: a device booted moments before the request (uptime 300 ms) and
 * rebooted within a 1 s window reads 900 ms after, more than before yet a reboot all the same.
 */
export function rebootedBetween(before: Uptime, after: Uptime, elapsedMs: number): boolean {
  const slack = Math.max(before.resolutionMs, after.resolutionMs);
  const behind = before.ms + elapsedMs - after.ms;
  return behind > 2 * slack && (after.ms < before.ms || behind > 2 * slack + UPTIME_JITTER_MS);
}

async function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const answer = await tcpConnect(host, port, timeoutMs);
  // Refused, reset, unreachable: the answer of a port (or host) that is not serving.
  return answer === true ? 'accepted' : answer === NO_TCP_ANSWER ? 'timeout' : 'refused';
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
