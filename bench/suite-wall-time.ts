// Wall time of the `certification` suite against the reference device, against the time its reboots cannot
// avoid: with the cases that leave the device alone run one at a time (before) and shared (after, the default),
// and with a boot of a few seconds, nearer a real device's, where the checker's own time should vanish.
// Settings are the demo's (api/demo-settings.ts): --down-within 2000, --up-within 10000,
// --quiet-ms 300, --probe-ms 10, MQ replies within 3000. The device runs in this process, which gives its
// lifecycle events (reference-device/reboot.ts) on the same clock. MQ cases run when a broker answers at
// SOPHON_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672), each run on queues of its own.
// BENCH_RUNS lists the runs as bootMs:concurrency (default 150:1,150:4,3000:4).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerAnswers, DEFAULT_BROKER, deletePrivateQueues, privateQueues } from '../api/broker.ts';
import { type LifecycleEvent, startDevice } from '../reference-device/start-device.ts';
import { runsAlongside } from '../src/run/concurrent-cases.ts';
import { executeRun } from '../src/run/execute-run.ts';
import { loadSpecs } from '../src/specs/load-specs.ts';
import { emit, machine, ms, PROJECT_ROOT } from './bench-kit.ts';

const REBOOT_DELAY_MS = 20;
const QUIET_MS = 300;
const brokerUrl = process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
const broker = (await brokerAnswers(brokerUrl)) ? brokerUrl : undefined;
const suite = process.env.BENCH_SUITE ?? 'certification';
const runsWanted = (process.env.BENCH_RUNS ?? '150:1,150:4,3000:4').split(',').map((run) => {
  const [bootMs, concurrency] = run.split(':').map(Number);
  return { bootMs: bootMs ?? 150, concurrency: concurrency ?? 4 };
});
const catalogue = loadSpecs(PROJECT_ROOT);
const shares = (id: string) => {
  const c = catalogue.cases.find((k) => k.spec.id === id);
  return c !== undefined && runsAlongside(c);
};

async function measure(bootMs: number, concurrency: number): Promise<Record<string, unknown>> {
  const queues = privateQueues('sc-bench');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-bench-suite-'));
  const events: { kind: LifecycleEvent['kind']; at: number }[] = [];
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs,
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
    // Where the rest goes. The shared phase: the cases that leave the device alone, from the first start to
    // the last end. The cases run alone: their sum, less the reboots inside them; of that, the windows the
    // documents make a checker wait out (a down window that ends with no reboot, a reply window that ends
    // with no reply), and what remains: seeding, readiness and state reads, the checker's own time.
    const span = (list: typeof report.results) => {
      const starts = list.map((r) => Date.parse(r.startedAt));
      const ends = list.map((r) => Date.parse(r.startedAt) + r.durationMs);
      return list.length ? Math.max(...ends) - Math.min(...starts) : 0;
    };
    const shared = report.results.filter((r) => concurrency > 1 && shares(r.id));
    const alone = report.results.filter((r) => !shared.includes(r));
    const aloneMs = alone.reduce((sum, r) => sum + r.durationMs, 0);
    const stayedUpWindowsMs = alone
      .filter((r) => r.evidence.reboot?.outcome === 'stayed-up')
      .reduce((sum, r) => sum + (r.evidence.reboot?.watchedMs ?? 0), 0);
    return {
      bootMs,
      concurrency,
      cases: report.summary.total,
      passed: report.summary.pass,
      wallMs: Math.round(wallMs),
      reboots,
      deviceDownMs: Math.round(downMs),
      unavoidableMs: Math.round(unavoidableMs),
      wallOverUnavoidable: ms(wallMs / unavoidableMs),
      checkerAddsMs: Math.round(wallMs - unavoidableMs),
      sharedPhase: { cases: shared.length, wallMs: span(shared) },
      aloneCases: {
        cases: alone.length,
        sumMs: aloneMs,
        withoutRebootsMs: Math.round(aloneMs - unavoidableMs),
        stayedUpWatchesMs: stayedUpWindowsMs,
      },
      slowestCases: [...report.results]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, Number(process.env.BENCH_SLOWEST ?? 8))
        .map((r) => `${r.id} ${r.durationMs} ms (${r.evidence.reboot?.outcome ?? 'no watch'})`),
    };
  } finally {
    await device.close();
    if (broker) await deletePrivateQueues(broker, queues);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const runs: Record<string, unknown>[] = [];
for (const { bootMs, concurrency } of runsWanted) runs.push(await measure(bootMs, concurrency));
emit('suite-wall-time', {
  ...machine(),
  suite,
  mq: broker ? 'broker answered: MQ cases ran' : 'no broker: MQ cases could-not-test',
  settings: {
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
