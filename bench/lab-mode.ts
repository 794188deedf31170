// Lab mode: the `http` suite against 1 reference device, then against 4 at once (`run --target …` four
// times: api/lab/lab-run.ts hands them to api/lab/run-lab.ts), each device in its own child process. Four devices
// should take about the time of one: the runs wait on reboots and quiet windows, not on the CPU. Settings are
// the demo's: bootMs 150, --down-within 2000 --up-within 10000 --quiet-ms 300 --probe-ms 10.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCommand } from '../cli/commands/run-command.ts';
import { type DeviceProcess, emit, machine, startDeviceProcess } from './bench-kit.ts';

const SUITE = process.env.BENCH_SUITE ?? 'http';
const WINDOWS = ['--down-within', '2000', '--up-within', '10000', '--quiet-ms', '300', '--probe-ms', '10'];
const sink = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), {
  isTTY: false,
}) as unknown as NodeJS.WriteStream;
const scratch = mkdtempSync(join(tmpdir(), 'sophon-bench-lab-'));

async function labRun(count: number): Promise<Record<string, unknown>> {
  const devices: DeviceProcess[] = [];
  try {
    for (let i = 0; i < count; i++) devices.push(await startDeviceProcess({ bootMs: 150 }));
    const out = join(scratch, `lab-${count}`);
    const targets = devices.flatMap((d, i) => ['--target', `${d.url},system=${d.systemPort},name=device-${i + 1}`]);
    // One device alone is a lab of one: the same code path, the same summary.
    const started = performance.now();
    const exitCode = await runCommand(
      [...targets, '--suite', SUITE, ...WINDOWS, '--reporter', 'json', '--out', out],
      sink,
    );
    const wallMs = Math.round(performance.now() - started);
    const summary = JSON.parse(readFileSync(join(out, 'lab-summary.json'), 'utf8')) as {
      devices: { name: string; exitCode: number; durationMs: number; summary?: { total: number; pass: number } }[];
    };
    return {
      devices: count,
      exitCode,
      wallMs,
      perDevice: summary.devices.map((d) => ({
        name: d.name,
        exitCode: d.exitCode,
        durationMs: d.durationMs,
        passed: `${d.summary?.pass}/${d.summary?.total}`,
      })),
    };
  } finally {
    await Promise.all(devices.map((d) => d.close()));
  }
}

try {
  const one = await labRun(1);
  const four = await labRun(4);
  emit('lab-mode', {
    ...machine(),
    suite: SUITE,
    settings: { bootMs: 150, downWithinMs: 2_000, upWithinMs: 10_000, quietMs: 300, probeIntervalMs: 10 },
    one,
    four,
    fourOverOne: Math.round(((four.wallMs as number) / (one.wallMs as number)) * 100) / 100,
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
