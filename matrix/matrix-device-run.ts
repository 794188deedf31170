import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { deletePrivateQueues, privateQueues } from '../api/private-queues.ts';
import { startReferenceDevice } from '../api/reference-device.ts';
import { runWithReports } from '../api/run-with-reports.ts';
import type { VariantTiming } from '../reference-device/start-device.ts';
import { KNOWN_VARIANTS } from '../reference-device/variants.ts';
import { PACKAGE, PACKAGE_ROOT } from '../src/package-root.ts';
import { matchesId } from '../src/plan/match-id.ts';
import type { CaseResult, Report } from '../src/results/types.ts';
import { buildRunSettings } from '../src/settings/build-run-settings.ts';
import { freePort } from '../src/transports/free-port.ts';

/** What a matrix runs the suite against: a fresh reference device with these faults and variants. */
export interface MatrixDevice {
  faults?: readonly string[];
  variants?: readonly string[];
  variantTiming?: Partial<VariantTiming>;
}

/** The windows and broker of a matrix's runs: short, so that a matrix of dozens of runs fits in CI. */
export interface MatrixWindows {
  suite: string;
  broker?: string | undefined;
  /** The request timeout of every call but a wipe's (RunSettings.requestTimeoutMs). */
  requestTimeoutMs: number;
  replyWithinMs: number;
  /** undefined: a wipe gets the request timeout and reply window like any request. */
  wipeWithinMs?: number | undefined;
  /** How long a device that must stay up is watched (default 150 ms: the default device goes down in 20). */
  quietMs?: number | undefined;
}

/**
 * Runs the suite once against a reference device of its own (its own ports, data folder and queues), and
 * removes all of it afterwards. A device without a system port (variant no-system-port) is checked with a
 * system port given all the same, one where nothing listens, as a lab that does not know would do.
 */
export async function runAgainstReferenceDevice(device: MatrixDevice, windows: MatrixWindows): Promise<Report> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-matrix-'));
  const queues = privateQueues('sc-matrix');
  // Variant platform-login-strict learns its broker and queues at the login the run plays (--platform-login),
  // so the device is told the login URL before the run listens there: a port chosen free now, given to both.
  // Without a broker it tries that URL in vain, which leaves the HTTP suite as it is.
  const loginPort = device.variants?.includes('platform-login-strict') ? await freePort() : undefined;
  const loginUrl = loginPort === undefined ? undefined : `http://127.0.0.1:${loginPort}${MATRIX_LOGIN_PATH}`;
  const running = await startReferenceDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    faults: [...(device.faults ?? [])],
    variants: [...(device.variants ?? [])],
    ...(device.variantTiming ? { variantTiming: device.variantTiming } : {}),
    ...(loginUrl
      ? { login: { url: loginUrl, log: () => {} } }
      : windows.broker
        ? { amqp: { url: windows.broker, ...queues, log: () => {} } }
        : {}),
  });
  // Short windows: the reference device boots in 40 ms, and a matrix runs the suite dozens of times.
  const settings = buildRunSettings(
    {
      target: running.url,
      'system-port': running.systemPort || (await freePort()),
      suite: windows.suite,
      'down-within': 1_500,
      'up-within': 8_000,
      'quiet-ms': windows.quietMs ?? 150,
      'probe-ms': 10,
      timeout: windows.requestTimeoutMs,
      // No wipe window of its own: a wipe then waits as any request or reply does (case-steps.ts takes the larger).
      'wipe-within': windows.wipeWithinMs ?? Math.min(windows.requestTimeoutMs, windows.replyWithinMs),
      ...(windows.broker
        ? {
            amqp: windows.broker,
            'command-queue': queues.commandQueue,
            'up-queue': queues.upQueue,
            'reply-within': windows.replyWithinMs,
            ...(loginPort === undefined ? {} : { 'platform-login': MATRIX_LOGIN_PATH, 'callback-port': loginPort }),
          }
        : {}),
    },
    { root: PACKAGE_ROOT, tool: { name: PACKAGE.name, version: PACKAGE.version } },
  );
  try {
    // No out folder: the report is only returned, as the matrices judge it and write their own files.
    return (await runWithReports(settings)).report;
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (windows.broker) await deletePrivateQueues(windows.broker, queues);
    // The exchange the login handed (platform-login.ts: exchange-dev-<key>), which the device declared.
    if (windows.broker && loginUrl) await deleteExchange(windows.broker, `exchange-dev-${running.licenseKey}`);
  }
}

/** The path the matrices play the platform's login at. */
export const MATRIX_LOGIN_PATH = '/api/device/login';

/** Removes an exchange a device declared when it logged in, so that a run leaves nothing behind. */
export async function deleteExchange(url: string, name: string): Promise<void> {
  const model = await amqp.connect(url).catch(() => undefined);
  if (!model) return;
  try {
    const channel = await model.createChannel();
    channel.on('error', () => {});
    await channel.deleteExchange(name).catch(() => {});
  } finally {
    await model.close().catch(() => {});
  }
}

/** The ids among `caseIds` matched by any of `patterns` (ids or id globs), sorted. */
export function expandCases(patterns: readonly string[], caseIds: readonly string[]): string[] {
  return caseIds.filter((id) => patterns.some((pattern) => matchesId(id, pattern))).sort();
}

/** The cases the variants declare a warning on (their `departs`), among `caseIds`. */
export function departuresOf(variants: readonly string[], caseIds: readonly string[]): string[] {
  const patterns = KNOWN_VARIANTS.filter((v) => variants.includes(v.name)).flatMap((v): readonly string[] =>
    'departs' in v ? v.departs : [],
  );
  return expandCases(patterns, caseIds);
}

/** The ids of the results with this verdict, sorted. */
export function idsWith(results: readonly CaseResult[], verdict: CaseResult['verdict']): string[] {
  return results
    .filter((r) => r.verdict === verdict)
    .map((r) => r.id)
    .sort();
}

/** Runs the jobs `width` at a time. */
export async function pool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  const queue = [...jobs];
  const workers = Array.from({ length: Math.max(1, width) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  });
  await Promise.all(workers);
}
