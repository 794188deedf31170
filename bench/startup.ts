// Start-up cost, side by side in one run: a bare Node, the CLI's light and its spec-reading commands as users
// run them (the compiled bin, no tsx), and newman's --version for scale. Each contender runs BENCH_REPS times
// (default 9), interleaved so that a burst of load on the machine falls on all of them alike; the figures are
// the median (and the best) wall time from spawn to exit, and the median peak RSS (getrusage maxRSS).
// Targets (issue 15): --help <= 250 ms and <= 60 MB, run --list <= 600 ms.
import { createRequire } from 'node:module';
import { BIN, emit, machine, measureNode, median, requireBuild } from './bench-kit.ts';

requireBuild();
const REPS = Number(process.env.BENCH_REPS ?? 9);
const newmanBin = createRequire(import.meta.url).resolve('newman/bin/newman.js');

const CONTENDERS: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  '--help': [BIN, '--help'],
  'run --list': [BIN, 'run', '--list'],
  validate: [BIN, 'validate'],
  'newman --version': [newmanBin, '--version'],
};
const TARGETS: Record<string, { wallMs: number; peakRssMb?: number }> = {
  '--help': { wallMs: 250, peakRssMb: 60 },
  'run --list': { wallMs: 600 },
};

const runs: Record<string, { wallMs: number[]; peakRssMb: number[] }> = {};
for (const name of Object.keys(CONTENDERS)) runs[name] = { wallMs: [], peakRssMb: [] };
// One warm-up round fills the file cache, then the measured rounds.
for (let round = -1; round < REPS; round++) {
  for (const [name, args] of Object.entries(CONTENDERS)) {
    const run = measureNode(args);
    if (run.status !== 0) throw new Error(`${name} exited ${run.status}: ${run.stderr || run.stdout}`);
    if (round < 0) continue;
    runs[name]?.wallMs.push(run.wallMs);
    runs[name]?.peakRssMb.push(run.peakRssMb);
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const figures = Object.fromEntries(
  Object.entries(runs).map(([name, r]) => {
    const wallMs = Math.round(median(r.wallMs));
    const peakRssMb = round1(median(r.peakRssMb));
    const target = TARGETS[name];
    const meets = target
      ? wallMs <= target.wallMs && (target.peakRssMb === undefined || peakRssMb <= target.peakRssMb)
      : undefined;
    return [
      name,
      { wallMs, bestWallMs: Math.round(Math.min(...r.wallMs)), peakRssMb, ...(target ? { target, meets } : {}) },
    ];
  }),
);

// Side by side for a person; the JSON line on stdout is the figure of record.
for (const [name, f] of Object.entries(figures)) {
  const target = f.target
    ? `  target ${f.target.wallMs} ms${f.target.peakRssMb ? `, ${f.target.peakRssMb} MB` : ''}: ${f.meets ? 'met' : 'MISSED'}`
    : '';
  process.stderr.write(
    `${name.padEnd(18)} ${String(f.wallMs).padStart(6)} ms (best ${f.bestWallMs})  ${String(f.peakRssMb).padStart(6)} MB${target}\n`,
  );
}
emit('startup', { ...machine(), repetitions: REPS, figures });
