// Fleet scale: one runner process (`sophon-conformance run --lab lab.yaml`, spawned as a lab's shard would be)
// driving 1, 4, 8 and 16 reference devices, each device in its own child process. Prints the wall time relative to
// one device, and the runner's own CPU seconds and peak RSS, in all and per device: the figures a lab sizes its
// runner machines by (bench/RESULTS.md works out 1,000 devices from them). Target: 16 devices within 1.3× the
// wall time of one. The devices boot in 3 s (BENCH_BOOT_MS): a run then waits on reboots, as a real one does (30–60 s
// boots); at the demo's 150 ms a run is CPU-bound, and 16 devices with their runner on 2 cores would measure the
// machine, not the runner. Windows are the demo's: --down-within 2000 --up-within 10000 --quiet-ms 300
// --probe-ms 10; BENCH_SUITE picks the suite (default http), BENCH_FLEET the device counts (default 1,4,8,16).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeviceProcess, emit, machine, PROJECT_ROOT, startDeviceProcess } from './bench-kit.ts';

const SUITE = process.env.BENCH_SUITE ?? 'http';
const COUNTS = (process.env.BENCH_FLEET ?? '1,4,8,16').split(',').map(Number);
const BOOT_MS = Number(process.env.BENCH_BOOT_MS ?? 3_000);
const WINDOWS = ['--down-within', '2000', '--up-within', '10000', '--quiet-ms', '300', '--probe-ms', '10'];
const scratch = mkdtempSync(join(tmpdir(), 'sophon-bench-fleet-'));

// Loaded into the runner with --import: at exit it writes what the kernel counted for the process itself, and how
// late its event loop ran (a starved runner times probes out and could take a slow answer for a reboot).
const PROBE = join(scratch, 'usage-probe.mjs');
writeFileSync(
  PROBE,
  `import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
process.on('exit', () => {
  lag.disable();
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  const loop = { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) };
  writeFileSync(process.env.SOPHON_BENCH_USAGE, JSON.stringify({ ...process.resourceUsage(), loop }));
});
`,
);

/** The whole machine's busy and total CPU time so far (Linux /proc/stat, clock ticks): what everyone used. */
function machineTicks(): { busy: number; total: number } {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds a process has used so far (Linux: utime + stime from /proc, in clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Round {
  devices: number;
  exitCode: number;
  wallMs: number;
  cpuS: number;
  peakRssMb: number;
  passed: string[];
  /** device: case id → message, for every case that did not pass (a loaded machine misses windows). */
  notPassed: string[];
  loopLagMs: { p50: number; p99: number; max: number };
  /** CPU seconds the device processes used in all, and the machine's load average before and after. */
  devicesCpuS: number;
  load: [number, number];
  /** Share of the machine's CPU busy over the round, by anyone (this benchmark and whatever else runs). */
  machineAllBusy: number;
}

/** Runs `sophon-conformance ARGS` as its own process; its wall time, and the CPU and peak RSS it used itself. */
async function runner(
  args: string[],
  tag: string,
): Promise<{
  exitCode: number;
  wallMs: number;
  cpuS: number;
  peakRssMb: number;
  loopLagMs: { p50: number; p99: number; max: number };
}> {
  const usageFile = join(scratch, `usage-${tag}.json`);
  const started = performance.now();
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', PROBE, join(PROJECT_ROOT, 'bin', 'sophon-conformance.mjs'), ...args],
      {
        env: { ...process.env, SOPHON_BENCH_USAGE: usageFile },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
  const wallMs = Math.round(performance.now() - started);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as NodeJS.ResourceUsage & {
    loop: { p50: number; p99: number; max: number };
  };
  return {
    loopLagMs: usage.loop,
    exitCode,
    wallMs,
    cpuS: Math.round((usage.userCPUTime + usage.systemCPUTime) / 10_000) / 100,
    peakRssMb: Math.round(usage.maxRSS / 1024),
  };
}

/**
 * What watching costs the runner: a refused request whose device must stay up is watched for --quiet-ms with a
 * TCP probe every --probe-ms (the default 20). Watching is most of a real device's 40-minute run (reboots of 30–60 s,
 * quiet windows), so its CPU per second, with the per-case CPU above, is what a runner's CPU is sized by.
 */
async function watchCost(probeMs: number): Promise<Record<string, number>> {
  const device = await startDeviceProcess({ bootMs: 150 });
  try {
    const args = (quietMs: number) => [
      'run',
      '--target',
      device.url,
      '--system-port',
      String(device.systemPort),
      '--suite',
      'http',
      '--only',
      'http.wipedata.content-type.text-plain',
      '--down-within',
      '30000',
      '--quiet-ms',
      String(quietMs),
      '--probe-ms',
      String(probeMs),
      '--reporter',
      'json',
      '--out',
      join(scratch, `watch-${probeMs}-${quietMs}`),
    ];
    const short = await runner(args(300), `watch-${probeMs}-short`);
    const long = await runner(args(30_300), `watch-${probeMs}-long`);
    const watchedS = (long.wallMs - short.wallMs) / 1000;
    return {
      probeMs,
      watchedS: Math.round(watchedS * 10) / 10,
      cpuS: Math.round((long.cpuS - short.cpuS) * 100) / 100,
      cpuMsPerWatchedSecond: Math.round(((long.cpuS - short.cpuS) / watchedS) * 1000 * 10) / 10,
    };
  } finally {
    await device.close();
  }
}

async function round(count: number): Promise<Round> {
  const devices: DeviceProcess[] = [];
  try {
    devices.push(...(await Promise.all(Array.from({ length: count }, () => startDeviceProcess({ bootMs: BOOT_MS })))));
    const lab = join(scratch, `lab-${count}.yaml`);
    writeFileSync(
      lab,
      `devices:\n${devices.map((d, i) => `  - { name: device-${i + 1}, target: "${d.url}", system-port: ${d.systemPort} }\n`).join('')}`,
    );
    const out = join(scratch, `out-${count}`);
    const args = ['run', '--lab', lab, '--suite', SUITE, ...WINDOWS, '--reporter', 'json', '--out', out];
    const loadBefore = loadavg()[0] as number;
    const ticksBefore = machineTicks();
    const devicesBefore = devices.reduce((sum, d) => sum + cpuOf(d.pid), 0);
    const { exitCode, wallMs, cpuS, peakRssMb, loopLagMs } = await runner(args, `${count}`);
    const devicesCpuS = Math.round((devices.reduce((sum, d) => sum + cpuOf(d.pid), 0) - devicesBefore) * 100) / 100;
    const ticksAfter = machineTicks();
    const machineAllBusy =
      Math.round(((ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total)) * 100) / 100;
    const load: [number, number] = [Math.round(loadBefore * 10) / 10, Math.round((loadavg()[0] as number) * 10) / 10];
    const summary = JSON.parse(readFileSync(join(out, 'lab-summary.json'), 'utf8')) as {
      devices: { summary?: { total: number; pass: number } }[];
    };
    const notPassed = devices.flatMap((_d, i) => {
      try {
        const report = JSON.parse(readFileSync(join(out, `device-${i + 1}`, 'report.json'), 'utf8')) as {
          results: { id: string; verdict: string; message: string }[];
        };
        return report.results
          .filter((r) => r.verdict !== 'pass')
          .map((r) => `device-${i + 1}: ${r.id} ${r.verdict}: ${r.message}`);
      } catch {
        return [`device-${i + 1}: no report.json`];
      }
    });
    return {
      devices: count,
      notPassed,
      loopLagMs,
      devicesCpuS,
      load,
      machineAllBusy,
      exitCode,
      wallMs,
      cpuS,
      peakRssMb,
      passed: summary.devices.map((d) => `${d.summary?.pass}/${d.summary?.total}`),
    };
  } finally {
    await Promise.all(devices.map((d) => d.close()));
  }
}

try {
  const rounds: Round[] = [];
  for (const count of COUNTS) rounds.push(await round(count));
  const one = rounds.find((r) => r.devices === 1) ?? (rounds[0] as Round);
  const figures = rounds.map((r) => ({
    devices: r.devices,
    exitCode: r.exitCode,
    wallMs: r.wallMs,
    wallOverOne: Math.round((r.wallMs / one.wallMs) * 100) / 100,
    runnerCpuS: r.cpuS,
    runnerCpuSPerDevice: Math.round((r.cpuS / r.devices) * 100) / 100,
    runnerPeakRssMb: r.peakRssMb,
    runnerRssMbPerDevice: Math.round((r.peakRssMb / r.devices) * 10) / 10,
    // What each device beyond the first adds to the runner's peak: the slope a large shard grows by.
    addedRssMbPerDevice:
      r.devices > one.devices
        ? Math.round(((r.peakRssMb - one.peakRssMb) / (r.devices - one.devices)) * 10) / 10
        : null,
    runnerLoopLagMs: r.loopLagMs,
    devicesCpuS: r.devicesCpuS,
    // Of what 2 cores could give over the round, the share the runner and the devices used.
    machineBusy: Math.round(((r.cpuS + r.devicesCpuS) / ((r.wallMs / 1000) * availableParallelism())) * 100) / 100,
    loadAverage: r.load,
    // Of the machine's CPU over the round, the share busy by anyone: beside machineBusy, what others took.
    machineAllBusy: r.machineAllBusy,
    allPassed: r.passed.every((p) => /^(\d+)\/\1$/.test(p)),
    notPassed: r.notPassed,
  }));
  const sixteen = figures.find((f) => f.devices === 16);
  const watching = process.env.BENCH_WATCH === '0' ? undefined : [await watchCost(20), await watchCost(100)];
  emit('fleet', {
    ...machine(),
    suite: SUITE,
    settings: { bootMs: BOOT_MS, downWithinMs: 2_000, upWithinMs: 10_000, quietMs: 300, probeIntervalMs: 10 },
    rounds: figures,
    ...(watching ? { watching } : {}),
    ...(sixteen ? { target: '16 devices within 1.3x of 1', met: sixteen.wallOverOne <= 1.3 } : {}),
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
