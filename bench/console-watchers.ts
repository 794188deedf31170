// Does watching a run cost the run? The lab console runs the http suite against a reference device with no
// watcher, then with 20 browsers' worth of event streams (opened by another process, as browsers would be),
// alternating, and prints each run's wall time and the ratio of the medians. Target: under 5 % slower.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReportServer } from '../api/serve/start-report-server.ts';
import { consoleExtension } from '../console/start-console.ts';
import { startDevice } from '../reference-device/start-device.ts';

const WATCHERS = Number(process.env.WATCHERS ?? 20);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const work = mkdtempSync(join(tmpdir(), 'sc-bench-console-'));
const device = await startDevice({ port: 0, systemPort: 0, dataDir: join(work, 'device'), bootMs: 200 });
writeFileSync(
  join(work, 'lab.yaml'),
  `devices:\n  - name: bench\n    target: ${device.url}\n    system-port: ${device.systemPort}\n    down-within: 2000\n    up-within: 10000\n    quiet-ms: 300\n    probe-ms: 10\n`,
);
const lab = await consoleExtension({ lab: join(work, 'lab.yaml'), host: '127.0.0.1', dir: join(work, 'runs') });
const server = await startReportServer({ dir: join(work, 'runs'), host: '127.0.0.1', port: 0, extend: lab.extend });
const json = { 'content-type': 'application/json' };

// Another process holds the watchers' streams open and reads every event, as 20 browser tabs would.
const WATCHER_SCRIPT = `
const [url, n] = [process.argv[1], Number(process.argv[2])];
let events = 0;
await Promise.all(Array.from({ length: n }, async () => {
  const response = await fetch(url);
  const decoder = new TextDecoder();
  for await (const chunk of response.body) events += decoder.decode(chunk, { stream: true }).split('event: ').length - 1;
}));
console.log(events);`;

async function oneRun(watchers: number): Promise<{ wallMs: number; events: number }> {
  const started = performance.now();
  const response = await fetch(new URL('/api/runs', server.url), {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ device: 'bench', suite: 'http' }),
  });
  const { id } = (await response.json()) as { id: string };
  const streams = new URL(`/api/runs/${id}/events`, server.url).href;
  let events = 0;
  const child =
    watchers > 0
      ? new Promise<void>((resolve) => {
          const p = spawn(process.execPath, ['--input-type=module', '-e', WATCHER_SCRIPT, streams, String(watchers)]);
          p.stdout.on('data', (d) => {
            events = Number(String(d).trim());
          });
          p.on('exit', () => resolve());
        })
      : Promise.resolve();
  for (;;) {
    const run = (await (await fetch(new URL(`/api/runs/${id}`, server.url))).json()) as { state: string };
    if (run.state === 'ended' || run.state === 'interrupted') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const wallMs = performance.now() - started;
  await child;
  return { wallMs, events };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const alone: number[] = [];
const watched: number[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const a = await oneRun(0);
    const w = await oneRun(WATCHERS);
    alone.push(a.wallMs);
    watched.push(w.wallMs);
    process.stdout.write(
      `round ${round}: alone ${(a.wallMs / 1000).toFixed(2)} s, with ${WATCHERS} watchers ${(w.wallMs / 1000).toFixed(2)} s (${w.events} events delivered)\n`,
    );
  }
  const ratio = median(watched) / median(alone);
  process.stdout.write(
    `${JSON.stringify({ bench: 'console-watchers', watchers: WATCHERS, rounds: ROUNDS, aloneMs: Math.round(median(alone)), watchedMs: Math.round(median(watched)), ratio: Number(ratio.toFixed(3)), target: 1.05, met: ratio < 1.05 })}\n`,
  );
} finally {
  await server.close();
  await device.close();
  rmSync(work, { recursive: true, force: true });
}
