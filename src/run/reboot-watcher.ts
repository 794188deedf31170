import { judgeBootIdentity, parseUptime, type Uptime, type UptimeReading } from '../checks/boot-identity.ts';
import type { BootIdentity, RebootTimeline } from '../results/types.ts';
import { type ApiCall, callApi, facePath, systemPath } from '../transports/device-api.ts';
import { NO_TCP_ANSWER, tcpConnect } from '../transports/tcp-connect.ts';

export { parseUptime, type Uptime };

/** An uptime as read, with when it was asked and answered (performance.now()). */
export interface UptimeRead extends Uptime {
  sentAt: number;
  answeredAt: number;
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
  uptimeBefore?: UptimeRead | undefined;
  signal?: AbortSignal | undefined;
  /** Told each step with its time (ms after `since`), for the live console. */
  onStep?: ((step: WatchStep, atMs: number) => void) | undefined;
  /** How the API port is probed (a TCP connect); tests give a scripted one. */
  probe?: PortProbe;
  /** How readiness and uptime are asked (the management API); default: over the network. */
  api?: ApiCall;
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
  const { target, probeIntervalMs, since, signal, api = callApi } = options;
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
  // The last moment the device was seen up before it went down: a reboot's host clock starts after it.
  let lastUpAtMs: number | undefined;
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
    lastUpAtMs = probedAt;
    await pause(Math.min(probeIntervalMs, Math.max(0, until() - at())));
  }
  const before = options.uptimeBefore;
  if (timeline.downAtMs === undefined) {
    timeline.watchedMs = Math.round(at());
    const after = options.systemUrl ? await readUptime(options.systemUrl, signal, api) : undefined;
    if (after) timeline.uptimeAfter = after.text;
    // Unseen, a reboot could have started the clock at any time between the two readings.
    const unseen = before && { notBeforeMs: before.sentAt - since, notAfterMs: Number.POSITIVE_INFINITY };
    const identity = before && after && unseen && identityOf(before, after, since, unseen);
    if (identity) timeline.identity = identity;
    if (identity?.verdict === 'reset') timeline.outcome = 'rebooted-unseen';
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
    if (await isReady(target, Math.max(probeIntervalMs * 10, 1_000), undefined, api)) {
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
  if (!options.systemUrl) return timeline;
  // The system API may come up after the face API: with a reading to compare, it is asked again for a while.
  const readUntil = since + (before ? Math.min(upDeadline, at() + UPTIME_AFTER_BOOT_MS) : 0);
  const after = await readUptimeUntil(options.systemUrl, readUntil, probeIntervalMs, signal, api);
  if (after) timeline.uptimeAfter = after.text;
  if (!before) return timeline;
  const boot = {
    notBeforeMs: Math.max(before.sentAt - since, lastUpAtMs ?? Number.NEGATIVE_INFINITY),
    notAfterMs: timeline.upAtMs,
  };
  const identity = identityOf(before, after, since, boot);
  if (identity) timeline.identity = identity;
  return timeline;
}

/** How long after the device is ready again its system API is given to answer getuptime. */
const UPTIME_AFTER_BOOT_MS = 10_000;

// The two readings on the timeline's clock (ms after `since`), judged; a reading that did not come is said.
function identityOf(
  before: UptimeRead,
  after: UptimeRead | undefined,
  since: number,
  boot: { notBeforeMs: number; notAfterMs: number },
): BootIdentity | undefined {
  if (!after) {
    return {
      verdict: 'indeterminate',
      reason: `getuptime answered "${before.text}" before the request but not after it: the reboot rests on down and up alone`,
    };
  }
  const onTimeline = (u: UptimeRead): UptimeReading => ({
    text: u.text,
    ms: u.ms,
    resolutionMs: u.resolutionMs,
    sentAtMs: u.sentAt - since,
    answeredAtMs: u.answeredAt - since,
  });
  const reading = onTimeline(after);
  const notAfterMs = Math.min(boot.notAfterMs, reading.answeredAtMs);
  return judgeBootIdentity(onTimeline(before), reading, { notBeforeMs: boot.notBeforeMs, notAfterMs });
}

/** Readiness after boot (sophon-api.md): `getconfigs {}` answers and `getmediadevices` is past DEVICE_INIT_ERROR. */
export async function isReady(
  target: string,
  timeoutMs: number,
  signal?: AbortSignal,
  api: ApiCall = callApi,
): Promise<boolean> {
  const configs = await api(target, facePath('getconfigs'), {}, timeoutMs, signal);
  if (configs.kind !== 'ok') return false;
  const devices = await api(target, facePath('getmediadevices'), {}, timeoutMs, signal);
  return devices.kind === 'ok';
}

/** Waits until the device is ready, or the deadline passes; returns whether it became ready. */
export async function waitReady(
  target: string,
  withinMs: number,
  probeIntervalMs: number,
  signal?: AbortSignal,
  api: ApiCall = callApi,
): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (!signal?.aborted) {
    if (await isReady(target, Math.max(probeIntervalMs * 10, 1_000), signal, api)) return true;
    if (performance.now() >= deadline) return false;
    await pause(probeIntervalMs);
  }
  return false;
}

/** Reads `getuptime` from the system port, with when it was asked and answered; undefined when the device has none. */
export async function readUptime(
  systemUrl: string,
  signal?: AbortSignal,
  api: ApiCall = callApi,
): Promise<UptimeRead | undefined> {
  const sentAt = performance.now();
  const answer = await api(systemUrl, systemPath('getuptime'), {}, 2_000, signal);
  const answeredAt = performance.now();
  if (answer.kind !== 'ok') return undefined;
  const uptime = parseUptime(answer.data);
  return uptime && { ...uptime, sentAt, answeredAt };
}

// Reads getuptime until it answers or `until` (performance.now()) passes.
async function readUptimeUntil(
  systemUrl: string,
  until: number,
  probeIntervalMs: number,
  signal: AbortSignal | undefined,
  api: ApiCall,
): Promise<UptimeRead | undefined> {
  for (;;) {
    const reading = await readUptime(systemUrl, signal, api);
    if (reading || signal?.aborted || performance.now() >= until) return reading;
    await pause(Math.max(probeIntervalMs, 50));
  }
}

/** A probe of the API port through `connect` (a TCP connect, or a test's fake one). */
export function portProbe(connect: typeof tcpConnect = tcpConnect): PortProbe {
  return async (host, port, timeoutMs) => {
    const answer = await connect(host, port, timeoutMs);
    // Refused, reset, unreachable: the answer of a port (or host) that is not serving.
    return answer === true ? 'accepted' : answer === NO_TCP_ANSWER ? 'timeout' : 'refused';
  };
}

const tcpProbe = portProbe();

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
