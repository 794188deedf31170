// Scale: a synthetic suite of 10,000 cases that leave the device alone (text/plain refused, no state, no
// reboot), generated into a temp spec root and run as a user runs it: `sophon-conformance run` (the compiled
// bin, in a child process of its own) against the reference device (another child), with tiny windows and
// every reporter. Prints the time of each slice of 1,000 cases (it should stay flat; from report.json's
// startedAt and durationMs), the peak RSS of the run's process at the end of each phase (the kernel's high-water
// mark, /proc/PID/status VmHWM, read as the console line that ends the phase arrives) and overall (getrusage
// maxRSS at exit), and the size of each report. `run` also appends each result to its journal as it ends
// (what --resume continues from), so that cost is in the figures.
// `run` sets its V8 flags itself (cli/favour-memory.ts); BENCH_V8_DEFAULTS=1 runs the same command without them.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, emit, machine, PROJECT_ROOT, requireBuild, startDeviceProcess } from './bench-kit.ts';

requireBuild();
const v8Defaults = process.env.BENCH_V8_DEFAULTS === '1';
const CASES = Number(process.env.BENCH_CASES ?? 10_000);
const SLICE = 1_000;
const QUIET_MS = 5;
const PROBE_MS = 5;
const TARGET_MB = 120;

const root = mkdtempSync(join(tmpdir(), 'sophon-bench-scale-'));
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};
write(
  'specs/clauses.yaml',
  `clauses:
  - id: HTTP-2
    level: MUST
    text: Only application/json is accepted.
    source: { document: 000_2427abba6c145ae1.txt, section: 错误码 }
  - id: HTTP-14
    level: MUST
    text: Every failure is a non-200 status with the error envelope.
    source: { document: 000_2427abba6c145ae1.txt, section: 请求失败 }
`,
);
// Spread over files of 500 cases, as a real suite is spread over spec files by section.
const PER_FILE = 500;
for (let from = 0; from < CASES; from += PER_FILE) {
  const lines = ['transport: http', 'cases:'];
  for (let i = from; i < Math.min(CASES, from + PER_FILE); i++) {
    lines.push(
      `  - id: http.scale.text-plain.n${String(i).padStart(5, '0')}`,
      `    title: text/plain is refused with UNSUPPORT_CONTENT_TYPE (copy ${i})`,
      '    clauses: [HTTP-2, HTTP-14]',
      '    level: MUST',
      '    tags: [negative]',
      `    send: { headers: { content-type: text/plain }, body: '{"users":true}' }`,
      '    expect: { error: UNSUPPORT_CONTENT_TYPE, reboot: none }',
    );
  }
  write(`specs/http/scale-${String(from / PER_FILE).padStart(2, '0')}.yaml`, `${lines.join('\n')}\n`);
}
write('suites/scale.yaml', 'name: scale\ndescription: every synthetic case\ninclude: ["http.**"]\n');

/** The kernel's high-water mark of a process's RSS so far, in MB (Linux); undefined where there is no /proc. */
function highWaterMb(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}

const device = await startDeviceProcess({ bootMs: 200 });
const out = join(root, 'out');
const peakFile = join(root, 'peak-rss');
try {
  const runArgs = [
    'run',
    '--target',
    device.url,
    '--system-port',
    '0',
    '--specs',
    root,
    '--suite',
    'scale',
    '--state-adapter',
    'none',
    '--quiet-ms',
    String(QUIET_MS),
    '--probe-ms',
    String(PROBE_MS),
    '--out',
    out,
  ];
  // Without the bin, `run` gets no V8 flags: main() is called as the bin would, minus favourMemory().
  const entry = v8Defaults
    ? [
        '--input-type=module',
        '-e',
        `const { main } = await import(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))}); process.exitCode = await main(process.argv.slice(1));`,
        '--',
      ]
    : [BIN];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', join(PROJECT_ROOT, 'bench', 'rss-probe.mjs'), ...entry, ...runArgs],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RSS_PROBE_FILE: peakFile, NO_COLOR: '1' } },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const pid = child.pid as number;
  let loadedAt = 0;
  let peakAfterLoad: number | undefined;
  let peakAfterRun: number | undefined;
  let lastCaseAt = 0;
  let caseLines = 0;
  // The console's start line ends loading and planning; its line for the last case ends the run.
  for await (const line of createInterface({ input: child.stdout })) {
    if (!loadedAt && / cases of suite /.test(line)) {
      loadedAt = performance.now();
      peakAfterLoad = highWaterMb(pid);
    } else if (loadedAt && /^(PASS|FAIL|WARN|N\/A|CNT) /.test(line) && ++caseLines === CASES) {
      lastCaseAt = performance.now();
      peakAfterRun = highWaterMb(pid);
    }
  }
  const status = await exited;
  const totalMs = performance.now() - started;
  if (status !== 0) throw new Error(`sophon-conformance run exited ${status}`);
  const peakRssMb = Math.round(Number(readFileSync(peakFile, 'utf8')) / 1_048_576);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    summary: { total: number; pass: number };
    results: { startedAt: string; durationMs: number }[];
  };
  const ends = report.results.map((r) => Date.parse(r.startedAt) + r.durationMs);
  const slices: number[] = [];
  let previous = Date.parse(report.results[0]?.startedAt ?? '');
  for (let end = SLICE; end <= ends.length; end += SLICE) {
    const at = Math.max(...ends.slice(end - SLICE, end));
    slices.push(Math.round(at - previous));
    previous = at;
  }
  const first = slices[0] ?? Number.NaN;
  const last = slices.at(-1) ?? Number.NaN;
  const reportBytes = Object.fromEntries(
    ['report.json', 'junit.xml', 'report.html']
      .filter((name) => existsSync(join(out, name)))
      .map((name) => [name, statSync(join(out, name)).size]),
  );
  emit('scale', {
    ...machine(),
    cases: report.summary.total,
    passed: report.summary.pass,
    settings: { quietMs: QUIET_MS, probeIntervalMs: PROBE_MS, stateAdapter: 'none', caseConcurrency: 4 },
    v8: v8Defaults ? 'V8 defaults (BENCH_V8_DEFAULTS=1)' : 'the flags `run` sets (cli/favour-memory.ts)',
    loadAndPlanMs: Math.round(loadedAt - started),
    runMs: Math.round(lastCaseAt - loadedAt),
    totalMs: Math.round(totalMs),
    sliceMs: slices,
    msPerCase: { firstSlice: first / SLICE, lastSlice: last / SLICE },
    lastOverFirstSlice: Math.round((last / first) * 100) / 100,
    peakRssMb: { afterLoadAndPlan: peakAfterLoad, afterRun: peakAfterRun, withReports: peakRssMb },
    reportBytes,
    rssTargetMb: TARGET_MB,
    meetsRssTarget: peakRssMb <= TARGET_MB,
  });
} finally {
  await device.close();
  rmSync(root, { recursive: true, force: true });
}
