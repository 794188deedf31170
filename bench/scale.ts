// Scale: a synthetic suite of 10,000 cases that leave the device alone (text/plain refused, no state, no
// reboot), generated into a temp spec root, run against the reference device (a child process, so the memory
// figures are the runner's own) with tiny windows. Prints the time of each slice of 1,000 cases (it should
// stay flat), peak RSS (process.resourceUsage().maxRSS) after the run and after each report writer, and the
// size of report.json, which is streamed (reports/write-json-stream.ts) rather than built as one string.
// V8 runs with --optimize-for-size, as `sophon-conformance run` sets it (cli/favour-memory.ts).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { favourMemory } from '../cli/favour-memory.ts';
import { emit, machine, startDeviceProcess } from './bench-kit.ts';

// As `sophon-conformance run` does (bin/sophon-conformance.mjs), before the engine loads; BENCH_V8_DEFAULTS=1
// measures with V8's own heap sizing instead.
const v8Defaults = process.env.BENCH_V8_DEFAULTS === '1';
if (!v8Defaults) favourMemory();
const { writeReports } = await import('../reports/write-reports.ts');
const { RunJournal } = await import('../reports/run-journal.ts');
const { executeRun } = await import('../src/run/execute-run.ts');

const CASES = Number(process.env.BENCH_CASES ?? 10_000);
// What the process holds before any case exists: Node, tsx and the engine's modules.
const rssMbAtStart = Math.round(process.memoryUsage().rss / 1_048_576);
const SLICE = 1_000;
const QUIET_MS = 5;
const PROBE_MS = 5;

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

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
// The high-water mark of the run phase alone (maxRSS also holds the spec loading's peak).
let runPeakRss = 0;
const sampler = setInterval(() => {
  runPeakRss = Math.max(runPeakRss, process.memoryUsage().rss);
}, 50);
const device = await startDeviceProcess({ bootMs: 200 });
const marks: number[] = [];
// As `run` does: every result is appended to journal.ndjson as it ends (what --resume continues from).
const journalDir = join(root, 'journal');
mkdirSync(journalDir);
let journal: ReturnType<typeof RunJournal.start> | undefined;
let journalMs = 0;
try {
  const started = performance.now();
  let loadedAt = 0;
  let loadPeakRss = 0;
  const report = await executeRun({
    root,
    target: device.url,
    systemPort: undefined,
    suite: 'scale',
    selection: {},
    profile: 'strict',
    stateAdapter: 'none',
    downWithinMs: 1_000,
    upWithinMs: 5_000,
    quietMs: QUIET_MS,
    probeIntervalMs: PROBE_MS,
    requestTimeoutMs: 5_000,
    preflightMs: 5_000,
    tool: { name: 'sophon-conformance', version: 'bench' },
    signal: new AbortController().signal,
    onStart: (plan) => {
      journal = RunJournal.start(journalDir, {
        journal: 'sophon-conformance',
        tool: 'sophon-conformance',
        version: 'bench',
        target: plan.target,
        suite: plan.suite,
        profile: 'strict',
        selection: { only: [], tags: [] },
        specHash: plan.specHash,
        startedAt: plan.startedAt,
        total: plan.total,
      });
      loadedAt = performance.now();
      loadPeakRss = rssMb();
      runPeakRss = 0;
    },
    onResult: (result) => {
      const t = performance.now();
      journal?.append(result);
      journalMs += performance.now() - t;
      marks.push(performance.now());
    },
  });
  const journalBytes = statSync(join(journalDir, 'journal.ndjson')).size;
  journal?.close();
  const runMs = performance.now() - started;
  const rssAfterRun = rssMb();
  const runPhasePeakMb = Math.round(runPeakRss / 1_048_576);
  const heapAfterRun = Math.round(process.memoryUsage().heapUsed / 1_048_576);
  // With --expose-gc (npm run bench passes it): what the finished run really holds, garbage collected.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retained = gc
    ? {
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1_048_576),
        rssMb: Math.round(process.memoryUsage().rss / 1_048_576),
      }
    : 'run with node --expose-gc';
  const out = join(root, 'out');
  const writers: Record<string, { ms: number; peakRssMb: number; bytes: number }> = {};
  for (const reporter of (process.env.BENCH_REPORTERS ?? 'json,junit,html').split(',')) {
    const t = performance.now();
    const written = writeReports(report, out, [reporter]);
    const path = Object.values(written)[0] as string;
    writers[reporter] = {
      ms: Math.round(performance.now() - t),
      peakRssMb: Math.max(rssMb(), Math.round(runPeakRss / 1_048_576)),
      bytes: statSync(path).size,
    };
  }
  const slices: number[] = [];
  let previous = loadedAt;
  for (let end = SLICE; end <= marks.length; end += SLICE) {
    const at = marks[end - 1] as number;
    slices.push(Math.round(at - previous));
    previous = at;
  }
  const first = slices[0] ?? Number.NaN;
  const last = slices.at(-1) ?? Number.NaN;
  emit('scale', {
    ...machine(),
    cases: report.summary.total,
    passed: report.summary.pass,
    settings: { quietMs: QUIET_MS, probeIntervalMs: PROBE_MS, stateAdapter: 'none', caseConcurrency: 4 },
    v8: v8Defaults ? 'V8 defaults (BENCH_V8_DEFAULTS=1)' : '--optimize-for-size, as `run` sets it',
    loadAndPlanMs: Math.round(loadedAt - started),
    runMs: Math.round(runMs),
    sliceMs: slices,
    msPerCase: { firstSlice: first / SLICE, lastSlice: last / SLICE },
    lastOverFirstSlice: Math.round((last / first) * 100) / 100,
    rssMbAtStart,
    peakRssMbAfterLoad: loadPeakRss,
    peakRssMbAfterRun: rssAfterRun,
    runPhasePeakRssMb: runPhasePeakMb,
    heapUsedMbAfterRun: heapAfterRun,
    afterGc: retained,
    writers,
    // Appending each result to the run's journal, summed over the run (it is inside runMs).
    journal: { ms: Math.round(journalMs), bytes: journalBytes },
    rssTargetMb: 200,
    meetsRssTarget: Math.max(rssAfterRun, ...Object.values(writers).map((w) => w.peakRssMb)) < 200,
  });
} finally {
  clearInterval(sampler);
  await device.close();
  rmSync(root, { recursive: true, force: true });
}
