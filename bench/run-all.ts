// `npm run bench`: every benchmark, one after another, each in its own process (tsx), each printing its
// figures as JSON lines on stdout. Exits non-zero if any benchmark failed. `npm run bench -- NAME…` runs some.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// The issue-8 figures first (RESULTS.md), then every other script in bench/; the helpers are not benchmarks.
const FIRST = ['http-overhead', 'reboot-latency', 'suite-wall-time', 'scale', 'lab-mode', 'fleet'];
const HELPERS = new Set(['bench-kit', 'lifecycle-device', 'run-all']);
const others = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .filter((name) => !HELPERS.has(name) && !FIRST.includes(name))
  .sort();
const BENCHES = [...FIRST, ...others];
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !BENCHES.includes(name));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen.length ? chosen : BENCHES) {
  process.stderr.write(`bench ${name} …\n`);
  // --expose-gc: for a benchmark that reports what a process holds after a collection.
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    failed++;
    process.stderr.write(`bench ${name} failed (exit ${run.status ?? run.signal})\n`);
  }
}
process.exitCode = failed ? 1 : 0;
