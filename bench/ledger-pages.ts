// The ledger's pages in `serve` (issue 23 item 4) on a large embedded ledger: builds × 2 whole runs of 92 cases
// (80 catalogue clauses; one build in ten flaky, one in twenty-five failing), then each page fetched over HTTP
// from a running report browser, several times. Every page opens the ledger read-only for its request, so each
// figure includes opening it. LEDGER_PAGES_BUILDS (default 300) scales it.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReportServer } from '../api/serve/start-report-server.ts';
import { openLedger } from '../src/ledger/index.ts';
import type { CaseResult, Report, VerdictKind } from '../src/results/types.ts';
import { emit, machine, median, passingClauses } from './bench-kit.ts';

const BUILDS = Number(process.env.LEDGER_PAGES_BUILDS ?? 300);
const CASES = 92;
const CLAUSES = 40;
const ROUNDS = 5;

function report(build: number, run: number): Report {
  const firmware = `6.${Math.floor(build / 100)}.${build % 100}`;
  const startedAt = new Date(Date.UTC(2026, 0, 1) + (build * 2 + run) * 60_000).toISOString();
  const results: CaseResult[] = Array.from({ length: CASES }, (_, c) => {
    let verdict: VerdictKind = 'pass';
    if (c === 7 && build % 10 === 3 && run === 1) verdict = 'fail';
    if (c === 9 && build % 25 === 0) verdict = 'fail';
    const http = c < 46;
    return {
      id: `${http ? 'http' : 'amqp'}.wipedata.case-${String(c).padStart(2, '0')}`,
      title: `case ${c}`,
      level: 'MUST',
      clauses: [`${http ? 'HTTP' : 'MQ'}-${c % CLAUSES}`],
      transport: http ? 'http' : 'amqp',
      tags: [],
      source: `specs/http/wipedata.yaml:${c + 1}:5`,
      verdict,
      message: verdict === 'pass' ? 'every check passed' : `status: expected 400, received 200 (case ${c})`,
      checks: [],
      startedAt,
      durationMs: 40,
      evidence: {},
    };
  });
  return {
    tool: 'sophon-conformance',
    version: '0.1.0',
    target: 'http://10.0.0.20:5555',
    profile: 'strict',
    suite: 'certification',
    startedAt,
    finishedAt: startedAt,
    complete: true,
    specHash: 'bench-spec',
    device: { firmware: { app_gate_version: firmware }, licenseKey: 'LK-BENCH' },
    exitCode: 0,
    summary: { total: CASES, pass: 0, fail: 0, warn: 0, notApplicable: 0, couldNotTest: 0 },
    clauses: passingClauses(CLAUSES),
    results,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ledger-pages-'));
try {
  mkdirSync(join(dir, 'out'));
  const ledger = join(dir, 'ledger.sqlite');
  const store = await openLedger(ledger);
  const filling = performance.now();
  let firstRun = '';
  for (let b = 0; b < BUILDS; b++) {
    for (let r = 0; r < 2; r++) {
      const { id } = await store.recordRun(report(b, r), `bench/${b}/${r}`);
      if (!firstRun) firstRun = id;
    }
  }
  const fillMs = performance.now() - filling;
  await store.close();

  const server = await startReportServer({ dir: join(dir, 'out'), ledger });
  const last = `6.${Math.floor((BUILDS - 1) / 100)}.${(BUILDS - 1) % 100}`;
  const pages: Record<string, string> = {
    builds: '/builds',
    build: `/builds/${last}`,
    certificate: `/builds/${last}/certificate`,
    clause: '/clauses/HTTP-7',
    runReport: `/ledger/runs/${firstRun}/`,
  };
  const figures: Record<string, { medianMs: number; maxMs: number; kb: number }> = {};
  try {
    for (const [name, path] of Object.entries(pages)) {
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < ROUNDS; i++) {
        const started = performance.now();
        const res = await fetch(new URL(path, server.url));
        const body = await res.text();
        times.push(performance.now() - started);
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
        size = body.length;
      }
      figures[name] = {
        medianMs: Math.round(median(times)),
        maxMs: Math.round(Math.max(...times)),
        kb: Math.round(size / 1024),
      };
    }
  } finally {
    await server.close();
  }
  emit('ledger-pages', {
    builds: BUILDS,
    runs: BUILDS * 2,
    verdicts: BUILDS * 2 * CASES,
    fillMs: Math.round(fillMs),
    pages: figures,
    rss: Math.round(process.memoryUsage().rss / 2 ** 20),
    machine: machine(),
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
