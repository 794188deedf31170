// Wall time of the `certification` suite against the reference device, against the time its reboots cannot
// avoid, with the cases that leave the device alone run one at a time (before) and four at a time (after).
// Settings are the demo's (cli/commands/demo-command.ts): bootMs 150, --down-within 2000, --up-within 10000,
// --quiet-ms 300, --probe-ms 10, MQ replies within 3000. The device runs in this process, which gives its
// lifecycle events (reference-device/reboot.ts) on the same clock. MQ cases run when a broker answers at
// SOPHON_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672), each run on queues of its own.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerAnswers, DEFAULT_BROKER, deleteQueues } from '../cli/broker.ts';
import { type LifecycleEvent, startDevice } from '../reference-device/start-device.ts';
import { executeRun } from '../src/run/execute-run.ts';
import { emit, machine, ms, PROJECT_ROOT } from './bench-kit.ts';

const BOOT_MS = 150;
const REBOOT_DELAY_MS = 20;
const QUIET_MS = 300;
const brokerUrl = process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
const broker = (await brokerAnswers(brokerUrl)) ? brokerUrl : undefined;
const suite = process.env.BENCH_SUITE ?? 'certification';
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,4').split(',').map(Number);

async function measure(concurrency: number): Promise<Record<string, unknown>> {
  const tag = randomBytes(3).toString('hex');
  const queues = { commandQueue: `sc-bench-${tag}-commands`, upQueue: `sc-bench-${tag}-replies` };
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-bench-suite-'));
  const events: { kind: LifecycleEvent['kind']; at: number }[] = [];
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: BOOT_MS,
    rebootDelayMs: REBOOT_DELAY_MS,
    onLifecycle: (e) => events.push({ kind: e.kind, at: Number(e.hr) / 1e6 }),
    ...(broker ? { amqp: { url: broker, ...queues } } : {}),
  });
  try {
    const started = Number(process.hrtime.bigint()) / 1e6;
    const report = await executeRun({
      root: PROJECT_ROOT,
      target: device.url,
      systemPort: device.systemPort,
      suite,
      selection: {},
      profile: 'strict',
      stateAdapter: 'sophon-http',
      downWithinMs: 2_000,
      upWithinMs: 10_000,
      quietMs: QUIET_MS,
      probeIntervalMs: 10,
      requestTimeoutMs: 5_000,
      preflightMs: 5_000,
      caseConcurrency: concurrency,
      amqp: broker ? { url: broker, ...queues, replyWithinMs: 3_000, licenseKey: undefined } : undefined,
      tool: { name: 'sophon-conformance', version: 'bench' },
      signal: new AbortController().signal,
    });
    const wallMs = Number(process.hrtime.bigint()) / 1e6 - started;
    // Down time per reboot: the API port closes → the device is ready again (boot + listen + initialise).
    let downMs = 0;
    let reboots = 0;
    for (const [i, e] of events.entries()) {
      if (e.kind !== 'stop-serving' || e.at < started) continue;
      const readyAt = events.slice(i).find((r) => r.kind === 'ready')?.at;
      if (readyAt === undefined) continue;
      reboots++;
      downMs += readyAt - e.at;
    }
    const unavoidableMs = downMs + reboots * REBOOT_DELAY_MS;
    const byTransport = (t: string) => report.results.filter((r) => r.transport === t);
    const quietCases = report.results.filter((r) => r.evidence.reboot?.outcome === 'stayed-up').length;
    // Where the rest goes: MQ cases run one at a time (their time adds up), and a case that allows a reboot but
    // whose device stayed up is watched for the whole down window.
    const mqCasesMs = byTransport('amqp').reduce((sum, r) => sum + r.durationMs, 0);
    const fullWindowWatches = report.results.filter(
      (r) =>
        r.evidence.reboot?.outcome === 'stayed-up' && r.evidence.reboot.watchedMs >= r.evidence.reboot.downWithinMs,
    );
    return {
      concurrency,
      cases: report.summary.total,
      verdicts: report.summary,
      httpCases: byTransport('http').length,
      mqCases: byTransport('amqp').length,
      wallMs: Math.round(wallMs),
      reboots,
      rebootsTimesBootMs: reboots * BOOT_MS,
      deviceDownMs: Math.round(downMs),
      unavoidableMs: Math.round(unavoidableMs),
      wallOverUnavoidable: ms(wallMs / unavoidableMs),
      mqCasesMs,
      httpCasesWallMs: Math.round(wallMs - mqCasesMs),
      fullDownWindowWatches: fullWindowWatches.length,
      fullDownWindowWatchMs: fullWindowWatches.reduce((sum, r) => sum + (r.evidence.reboot?.watchedMs ?? 0), 0),
      casesWatchedQuiet: quietCases,
      quietWindowsSerialMs: quietCases * QUIET_MS,
    };
  } finally {
    await device.close();
    if (broker) await deleteQueues(broker, [queues.commandQueue, `${queues.commandQueue}.dead`, queues.upQueue]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs: Record<string, unknown>[] = [];
for (const c of concurrencies) runs.push(await measure(c));
emit('suite-wall-time', {
  ...machine(),
  suite,
  mq: broker ? 'broker answered: MQ cases ran' : 'no broker: MQ cases could-not-test',
  settings: {
    bootMs: BOOT_MS,
    rebootDelayMs: REBOOT_DELAY_MS,
    downWithinMs: 2_000,
    upWithinMs: 10_000,
    quietMs: QUIET_MS,
    probeIntervalMs: 10,
    replyWithinMs: 3_000,
  },
  unavoidable: 'sum over reboots of (API port closes → ready again) + reboots × rebootDelayMs',
  runs,
});
