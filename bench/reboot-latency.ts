// Reboot-detection latency: the runner's reboot watcher (src/run/reboot-watcher.ts, the same call and options
// runHttpCase makes after a successful wipe) against the reference device's own log of the moments its API
// port stops and starts accepting connections (lifecycle events `stop-serving` / `serving`, monotonic clock),
// over many reboots. The device runs in a child process (bench/lifecycle-device.ts); both sides read
// CLOCK_MONOTONIC. Every TCP connection this process opens during a watch is counted (readiness calls included),
// which gives the load the watcher puts on the device.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { watchReboot } from '../src/run/reboot-watcher.ts';
import { sendHttp } from '../src/transports/http-transport.ts';
import { emit, machine, ms, quantile } from './bench-kit.ts';

const REBOOTS = Number(process.env.BENCH_REBOOTS ?? 40);
const BOOT_MS = Number(process.env.BENCH_BOOT_MS ?? 200);
const PROBE_MS = Number(process.env.BENCH_PROBE_MS ?? 20);

// Count connections: the watcher imports `connect` from node:net; syncBuiltinESMExports carries the wrapper
// into every ESM binding of it.
let connections = 0;
const realConnect = net.connect;
net.connect = ((...args: Parameters<typeof net.connect>) => {
  connections++;
  return realConnect(...args);
}) as typeof net.connect;
net.createConnection = net.connect;
syncBuiltinESMExports();

interface DeviceEvent {
  kind: string;
  hrMs: number;
}
const events: DeviceEvent[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'sophon-bench-reboot-'));
const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'lifecycle-device.ts'), String(BOOT_MS), dataDir],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as { kind: string; hr?: string; url?: string };
    if (event.kind === 'started' && event.url) resolve(event.url);
    else if (event.hr) events.push({ kind: event.kind, hrMs: Number(BigInt(event.hr)) / 1e6 });
  });
  child.once('exit', (code) => reject(new Error(`device exited (${code})`)));
});

// performance.now() → the monotonic clock in ms: the smallest gap of a few paired readings.
function hrOffset(): number {
  let best = Number.POSITIVE_INFINITY;
  let offset = 0;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    const hr = Number(process.hrtime.bigint()) / 1e6;
    const b = performance.now();
    if (b - a < best) {
      best = b - a;
      offset = hr - (a + b) / 2;
    }
  }
  return offset;
}

const waitFor = async (kind: string, afterMs: number, withinMs = 5_000): Promise<DeviceEvent | undefined> => {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const found = events.find((e) => e.kind === kind && e.hrMs >= afterMs);
    if (found || performance.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const down: number[] = [];
const up: number[] = [];
const ready: number[] = [];
const probeRates: number[] = [];
let unmatched = 0;
try {
  for (let i = 0; i < REBOOTS; i++) {
    const offset = hrOffset();
    const origin = performance.now();
    const exchange = await sendHttp(
      {
        method: 'POST',
        url: `${url}/sophon/v2/face/wipedata`,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"events":true}'),
      },
      { timeoutMs: 5_000, origin },
    );
    if (exchange.status !== 200) throw new Error(`wipe ${i}: ${exchange.status ?? exchange.error}`);
    const before = connections;
    const timeline = await watchReboot({
      target: url,
      downWithinMs: 2_000,
      upWithinMs: 10_000,
      watchMs: 2_000,
      probeIntervalMs: PROBE_MS,
      since: exchange.completedAt,
    });
    const watched = performance.now() - exchange.completedAt;
    probeRates.push(((connections - before) / watched) * 1_000);
    const zero = exchange.completedAt + offset;
    // After the request was sent: under load the device may close its port before this process has read the
    // last byte of the response (its reboot delay is 20 ms).
    const stop = await waitFor('stop-serving', origin + offset);
    const serving = stop ? await waitFor('serving', stop.hrMs) : undefined;
    const isReady = serving ? await waitFor('ready', serving.hrMs) : undefined;
    if (
      timeline.outcome !== 'rebooted' ||
      !stop ||
      !serving ||
      !isReady ||
      timeline.downAtMs === undefined ||
      timeline.upAtMs === undefined ||
      timeline.readyAtMs === undefined
    ) {
      unmatched++;
      continue;
    }
    down.push(zero + timeline.downAtMs - stop.hrMs);
    up.push(zero + timeline.upAtMs - serving.hrMs);
    ready.push(zero + timeline.readyAtMs - isReady.hrMs);
  }
  const stats = (v: number[]) => ({
    p50: ms(quantile(v, 0.5)),
    p95: ms(quantile(v, 0.95)),
    max: ms(Math.max(...v)),
    min: ms(Math.min(...v)),
  });
  emit('reboot-latency', {
    ...machine(),
    reboots: down.length,
    unmatched,
    bootMs: BOOT_MS,
    probeIntervalMs: PROBE_MS,
    device: 'reference device in a child process; edges from its stop-serving / serving / ready events',
    downEdgeMs: stats(down),
    upEdgeMs: stats(up),
    readyEdgeMs: stats(ready),
    connectionsPerSecond: { p50: ms(quantile(probeRates, 0.5)), max: ms(Math.max(...probeRates)) },
    targetP95Ms: 50,
    meetsTarget: quantile(down, 0.95) < 50 && quantile(up, 0.95) < 50,
  });
} finally {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
