import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deletePrivateQueues, type PrivateQueues, privateQueues } from '../../api/broker.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { executeRun, type RunSettings } from '../../src/run/execute-run.ts';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** Windows that suit the reference device's fast boot, used by every end-to-end test. */
export const FAST_WINDOWS = { downWithinMs: 1_500, upWithinMs: 8_000, quietMs: 150, probeIntervalMs: 10 };

/** The same windows as `run` flags, for the tests that go through the command line. */
export const FAST_WINDOW_FLAGS = [
  '--down-within',
  String(FAST_WINDOWS.downWithinMs),
  '--up-within',
  String(FAST_WINDOWS.upWithinMs),
  '--quiet-ms',
  String(FAST_WINDOWS.quietMs),
  '--probe-ms',
  String(FAST_WINDOWS.probeIntervalMs),
];

/** Starts a reference device (optionally faulted) on free ports with its own data folder. */
export async function withDevice<T>(faults: string[], work: (device: RunningDevice) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-test-device-'));
  const device = await startDevice({ port: 0, systemPort: 0, dataDir, bootMs: 40, faults });
  try {
    return await work(device);
  } finally {
    await device.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `run` flags for a device's MQ channel on its own queues, with its license key when the test knows it. */
export function mqFlags(url: string, queues: PrivateQueues, license?: string): string[] {
  return [
    '--amqp',
    url,
    '--command-queue',
    queues.commandQueue,
    '--up-queue',
    queues.upQueue,
    ...(license ? ['--license', license] : []),
  ];
}

/** The broker the MQ tests use; CI makes sure it answers (.ci/run). */
export const TEST_BROKER = process.env.SOPHON_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Starts a reference device with its MQ channel on queues of its own and runs the `amqp` suite (or the
 * given overrides) against it; the queues are deleted afterwards so runs never read each other's replies.
 */
export async function runMqSuite(
  faults: string[],
  overrides: Partial<RunSettings> = {},
  variants: string[] = [],
): Promise<Report> {
  const queues = privateQueues('sc-test');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-test-device-'));
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    faults,
    variants,
    amqp: { url: TEST_BROKER, ...queues, log: () => {} },
  });
  try {
    return await runSuiteAgainst(device, {
      suite: 'amqp',
      amqp: { url: TEST_BROKER, ...queues, replyWithinMs: 2_000, licenseKey: undefined },
      ...overrides,
    });
  } finally {
    await device.close();
    rmSync(dataDir, { recursive: true, force: true });
    await deletePrivateQueues(TEST_BROKER, queues);
  }
}

/** Runs a suite (or part of one) of the project's own specs against a device. */
export function runSuiteAgainst(device: RunningDevice, overrides: Partial<RunSettings> = {}): Promise<Report> {
  return executeRun({
    root: PROJECT_ROOT,
    target: device.url,
    systemPort: device.systemPort,
    suite: 'http',
    selection: {},
    profile: 'strict',
    stateAdapter: 'sophon-http',
    ...FAST_WINDOWS,
    requestTimeoutMs: 5_000,
    preflightMs: 3_000,
    tool: { name: 'sophon-conformance', version: 'test' },
    signal: new AbortController().signal,
    ...overrides,
  });
}

/** The ids of the cases that did not pass, sorted: what a fault must be caught by. */
export function failedIds(report: Report): string[] {
  return report.results
    .filter((r) => r.verdict === 'fail')
    .map((r) => r.id)
    .sort();
}

/** The ids of the cases a fault was caught by, sorted: failed, or warned for a SHOULD (as the kill matrix counts). */
export function caughtIds(report: Report): string[] {
  return report.results
    .filter((r) => r.verdict === 'fail' || r.verdict === 'warn')
    .map((r) => r.id)
    .sort();
}
