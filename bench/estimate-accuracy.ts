// How right the live console's "~N min left" is: the `certification` suite against the reference device with
// a realistic boot (BENCH_BOOT_MS, default 3000) and the command line's default windows (down 30 s, up 180 s,
// quiet 5 s, reply 10 s, concurrency 4), the estimate recorded at every progress event and every second, then
// read at 25/50/75 % of the run's wall time against the time that was really left. MQ cases run when a broker
// answers at SOPHON_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672), on queues of the bench's own.
// BENCH_TRACE=FILE keeps the run's events (plan, phases, results, on one clock); BENCH_REPLAY=FILE reads them
// back instead of running (tuning the estimate without a 10-minute run each time).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerAnswers, DEFAULT_BROKER, deletePrivateQueues, privateQueues } from '../api/broker.ts';
import { startDevice } from '../reference-device/start-device.ts';
import { LiveConsole } from '../reports/live-console.ts';
import type { PhaseEvent, RunPlan } from '../src/results/progress.ts';
import type { CaseResult } from '../src/results/types.ts';
import { executeRun } from '../src/run/execute-run.ts';
import { emit, machine, PROJECT_ROOT } from './bench-kit.ts';

type TraceEvent =
  | { at: number; kind: 'start'; plan: RunPlan }
  | { at: number; kind: 'phase'; event: PhaseEvent }
  | { at: number; kind: 'result'; result: CaseResult }
  | { at: number; kind: 'end' };

const BOOT_MS = Number(process.env.BENCH_BOOT_MS ?? 3_000);
const SETTINGS = {
  downWithinMs: 30_000,
  upWithinMs: 180_000,
  quietMs: 5_000,
  probeIntervalMs: 20,
  requestTimeoutMs: 10_000,
  wipeWithinMs: 180_000,
  caseConcurrency: 4,
  replyWithinMs: 10_000,
};

async function record(): Promise<TraceEvent[]> {
  const brokerUrl = process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
  const broker = (await brokerAnswers(brokerUrl)) ? brokerUrl : undefined;
  const queues = privateQueues('sc-estimate');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-bench-estimate-'));
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: BOOT_MS,
    ...(broker ? { amqp: { url: broker, ...queues } } : {}),
  });
  const trace: TraceEvent[] = [];
  const origin = performance.now();
  const at = () => Math.round(performance.now() - origin);
  try {
    const { replyWithinMs, ...windows } = SETTINGS;
    await executeRun({
      root: PROJECT_ROOT,
      target: device.url,
      systemPort: device.systemPort,
      suite: 'certification',
      selection: {},
      profile: 'strict',
      stateAdapter: 'sophon-http',
      ...windows,
      preflightMs: 5_000,
      amqp: broker ? { url: broker, ...queues, replyWithinMs, licenseKey: undefined } : undefined,
      tool: { name: 'sophon-conformance', version: 'bench' },
      signal: new AbortController().signal,
      onStart: (plan) => trace.push({ at: at(), kind: 'start', plan }),
      onPhase: (event) => trace.push({ at: at(), kind: 'phase', event }),
      onResult: (result) => trace.push({ at: at(), kind: 'result', result: { ...result, evidence: {} } }),
    });
    trace.push({ at: at(), kind: 'end' });
    return trace;
  } finally {
    await device.close();
    if (broker) await deletePrivateQueues(broker, queues);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The estimate as the live console gives it, replayed over the trace: every event and every second. */
function replay(
  trace: readonly TraceEvent[],
): { at: number; leftMs: number | undefined; reboots: number; says: string }[] {
  let now = 0;
  const live = new LiveConsole(
    { write: () => true },
    { mode: 'quiet', style: { color: false }, now: () => now, tickMs: 0 },
  );
  const samples: { at: number; leftMs: number | undefined; reboots: number; says: string }[] = [];
  let reboots = 0;
  // What the live line says of the time left (`~4 min left`, `~1 min + 17 reboots left`, `estimating`).
  const says = () => /· ([^·]*)$/.exec(live.statusText() ?? '')?.[1] ?? '';
  const sample = () => samples.push({ at: now, leftMs: live.remainingMs(), reboots, says: says() });
  const end = trace.at(-1)?.at ?? 0;
  let next = 0;
  for (const e of trace) {
    for (; next < e.at; next += 1_000) {
      now = next;
      sample();
    }
    now = e.at;
    if (e.kind === 'start') live.start(e.plan, '');
    else if (e.kind === 'phase') {
      if (e.event.phase === 'waiting-api') reboots++;
      live.phase(e.event);
    } else if (e.kind === 'result') live.result(e.result);
    sample();
  }
  now = end;
  return samples;
}

const file = process.env.BENCH_REPLAY;
const trace: TraceEvent[] = file ? JSON.parse(readFileSync(file, 'utf8')) : await record();
if (!file && process.env.BENCH_TRACE) writeFileSync(process.env.BENCH_TRACE, JSON.stringify(trace));
const samples = replay(trace);
const wallMs = trace.at(-1)?.at ?? 0;
const firstTwoBoots = samples.find((s) => s.reboots >= 2)?.at;
const at = (fraction: number) => {
  const t = Math.round(wallMs * fraction);
  const seen = samples.filter((s) => s.at <= t).at(-1);
  const truthMs = wallMs - t;
  const leftMs = seen?.leftMs;
  return {
    at: `${Math.round(fraction * 100)} %`,
    atS: Math.round(t / 1000),
    says: seen?.says,
    estimateS: leftMs === undefined ? null : Math.round(leftMs / 1000),
    truthS: Math.round(truthMs / 1000),
    errorPct: leftMs === undefined ? null : Math.round(((leftMs - truthMs) / truthMs) * 100),
  };
};
// The worst error once two reboots were seen, over the whole rest of the run but its last minute (where a
// few seconds are a large share).
const after = samples.filter(
  (s) => firstTwoBoots !== undefined && s.at >= firstTwoBoots && wallMs - s.at > 60_000 && s.leftMs !== undefined,
);
const worst = after.reduce(
  (w, s) => {
    const error = ((s.leftMs as number) - (wallMs - s.at)) / (wallMs - s.at);
    return Math.abs(error) > Math.abs(w.error) ? { error, at: s.at } : w;
  },
  { error: 0, at: 0 },
);
emit('estimate-accuracy', {
  ...machine(),
  bootMs: BOOT_MS,
  settings: SETTINGS,
  mq: trace.some((e) => e.kind === 'result' && e.result.id.startsWith('amqp.') && e.result.verdict === 'pass')
    ? 'MQ cases ran'
    : 'MQ cases could-not-test (no broker)',
  cases: trace.filter((e) => e.kind === 'result').length,
  wallS: Math.round(wallMs / 1000),
  twoRebootsSeenAtS: firstTwoBoots === undefined ? null : Math.round(firstTwoBoots / 1000),
  checkpoints: [0.25, 0.5, 0.75].map(at),
  worstAfterTwoRebootsPct: Math.round(worst.error * 100),
  worstAtS: Math.round(worst.at / 1000),
});
