// A broken device costs no more than a correct one (design §5, issue 20): the `amqp` suite with the windows a
// user runs with (the command line's defaults: wipe window 180 s, replies within 10 s, down within 30 s, up within
// 180 s, quiet 5 s) against the healthy reference device and against one whose MQ consumer dies on the first
// malformed message (fault mq-consumer-dies-on-poison). Prints both wall times and their ratio; the goal is a
// ratio of at most 2. BENCH_DEVICES lists the devices as healthy, fault:NAME or variant:NAME (comma-separated;
// default healthy,fault:mq-consumer-dies-on-poison); BENCH_REPORTS=DIR also writes each run's report.json there,
// for its per-case durations. Needs the broker at SOPHON_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerAnswers, DEFAULT_BROKER, deletePrivateQueues, privateQueues } from '../api/broker.ts';
import { startDevice } from '../reference-device/start-device.ts';
import type { Report } from '../src/results/types.ts';
import { executeRun } from '../src/run/execute-run.ts';
import { DEFAULT_WIPE_WITHIN_MS } from '../src/run/wipe-window.ts';
import { emit, machine, ms, PROJECT_ROOT } from './bench-kit.ts';

/** The command line's defaults (cli/commands/run-command.ts, api/run-flags.ts). */
const WINDOWS = {
  downWithinMs: 30_000,
  upWithinMs: 180_000,
  quietMs: 5_000,
  probeIntervalMs: 20,
  requestTimeoutMs: 10_000,
  wipeWithinMs: DEFAULT_WIPE_WITHIN_MS,
  replyWithinMs: 10_000,
};

const brokerUrl = process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
if (!(await brokerAnswers(brokerUrl))) {
  // `npm run bench` on a machine without a broker: said, not failed (as suite-wall-time does for its MQ cases).
  emit('broken-consumer', {
    ...machine(),
    skipped: `no broker answers at ${brokerUrl}: this benchmark runs the MQ suite`,
  });
  process.exit(0);
}
interface BenchDevice {
  label: string;
  faults: string[];
  variants: string[];
}
function deviceOf(d: string): BenchDevice {
  const [kind, name] = d.split(':');
  if (kind === 'healthy') return { label: 'healthy', faults: [], variants: [] };
  if (kind === 'fault' && name) return { label: d, faults: [name], variants: [] };
  if (kind === 'variant' && name) return { label: d, faults: [], variants: [name] };
  process.stderr.write(`BENCH_DEVICES: ${d}: want healthy, fault:NAME or variant:NAME\n`);
  process.exit(2);
}
const devices = (process.env.BENCH_DEVICES ?? 'healthy,fault:mq-consumer-dies-on-poison').split(',').map(deviceOf);
const reportsDir = process.env.BENCH_REPORTS;

async function measure(device: BenchDevice): Promise<Record<string, unknown>> {
  const queues = privateQueues('sc-bench-consumer');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-bench-consumer-'));
  const running = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    faults: device.faults,
    variants: device.variants,
    amqp: { url: brokerUrl, ...queues, log: () => {} },
  });
  try {
    const started = performance.now();
    const report: Report = await executeRun({
      root: PROJECT_ROOT,
      target: running.url,
      systemPort: running.systemPort,
      suite: 'amqp',
      selection: {},
      profile: 'strict',
      stateAdapter: 'sophon-http',
      downWithinMs: WINDOWS.downWithinMs,
      upWithinMs: WINDOWS.upWithinMs,
      quietMs: WINDOWS.quietMs,
      probeIntervalMs: WINDOWS.probeIntervalMs,
      requestTimeoutMs: WINDOWS.requestTimeoutMs,
      wipeWithinMs: WINDOWS.wipeWithinMs,
      preflightMs: 10_000,
      amqp: { url: brokerUrl, ...queues, replyWithinMs: WINDOWS.replyWithinMs, licenseKey: undefined },
      tool: { name: 'sophon-conformance', version: 'bench' },
      signal: new AbortController().signal,
    });
    const wallMs = performance.now() - started;
    if (reportsDir) {
      mkdirSync(reportsDir, { recursive: true });
      writeFileSync(join(reportsDir, `${device.label.replace(/[^a-z0-9-]+/gi, '_')}.json`), JSON.stringify(report));
    }
    const s = report.summary;
    return {
      device: device.label,
      wallMs: Math.round(wallMs),
      cases: s.total,
      verdicts: { pass: s.pass, fail: s.fail, warn: s.warn, couldNotTest: s.couldNotTest },
      slowestCases: [...report.results]
        .sort((a, b) => b.durationMs - a.durationMs)
        .slice(0, Number(process.env.BENCH_SLOWEST ?? 5))
        .map((r) => `${r.id} ${r.durationMs} ms (${r.verdict})`),
    };
  } finally {
    await running.close();
    await deletePrivateQueues(brokerUrl, queues);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// One after another: the two runs must not slow each other down on a 2-core machine.
const runs: Record<string, unknown>[] = [];
for (const device of devices) {
  runs.push(await measure(device));
  process.stderr.write(`${JSON.stringify(runs.at(-1))}\n`);
}
const healthyMs = runs.find((r) => r.device === 'healthy')?.wallMs as number | undefined;
emit('broken-consumer', {
  ...machine(),
  suite: 'amqp',
  windows: WINDOWS,
  runs: runs.map((r) => ({
    ...r,
    ...(healthyMs && r.device !== 'healthy' ? { overHealthy: ms((r.wallMs as number) / healthyMs) } : {}),
  })),
  goal: 'every fault run at most 2 × the healthy run',
});
