// The results ledger at scale (issue 23): 1,000 builds × 92 cases × 3 runs each (two whole runs and a rerun of
// two cases), recorded one by one through recordRun, then `status` and `diff` on builds picked at random.
// Targets: status and diff under 200 ms, recording a run under 100 ms, on both backends.
// LEDGER_BENCH_BUILDS (default 1000) scales it down; LEDGER_BENCH_BACKENDS=sqlite,postgres picks backends.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openLedger } from '../src/ledger/index.ts';
import type { CaseResult, Level, Report, VerdictKind } from '../src/results/types.ts';
import { BIN, emit, machine, median, passingClauses, quantile } from './bench-kit.ts';

const BUILDS = Number(process.env.LEDGER_BENCH_BUILDS ?? 1000);
const BACKENDS = (process.env.LEDGER_BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const CASES = 92;
const CLAUSES = 40;
const ADMIN = process.env.SOPHON_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGETS = { statusMs: 200, diffMs: 200, recordMs: 100 };

// A deterministic sequence, so every backend records the same ledger.
let seed = 42;
function random(): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
}

function report(build: number, run: number): Report {
  const firmware = `6.${Math.floor(build / 100)}.${build % 100}`;
  const startedAt = new Date(Date.UTC(2026, 0, 1) + (build * 3 + run) * 60_000).toISOString();
  const rerun = run === 2;
  const results: CaseResult[] = [];
  for (let c = 0; c < (rerun ? 2 : CASES); c++) {
    const level: Level = c % 11 === 0 ? 'SHOULD' : 'MUST';
    // A build in ten has a flaky case; one in twenty-five a real failure; a few cases could not be tested.
    let verdict: VerdictKind = 'pass';
    if (c === 7 && build % 10 === 3 && run === 1) verdict = 'fail';
    if (c === 9 && build % 25 === 0) verdict = 'fail';
    if (!rerun && random() < 0.01) verdict = 'could-not-test';
    results.push({
      id: `${c < 46 ? 'http' : 'amqp'}.wipedata.case-${String(c).padStart(2, '0')}`,
      title: `case ${c}`,
      level,
      clauses: [`${c < 46 ? 'HTTP' : 'MQ'}-${c % CLAUSES}`],
      transport: c < 46 ? 'http' : 'amqp',
      tags: [],
      source: `specs/http/wipedata.yaml:${c + 1}:5`,
      verdict,
      message: verdict === 'pass' ? 'every check passed' : `status: expected 400, received 200 (case ${c})`,
      checks: [
        { check: 'status', level, result: verdict === 'fail' ? 'fail' : 'pass', expected: '400', received: '400' },
      ],
      startedAt,
      durationMs: 40,
      evidence: { reproduce: `curl -X POST http://127.0.0.1:5555/sophon/v2/face/wipedata -d '{"users":true}'` },
    });
  }
  return {
    tool: 'sophon-conformance',
    version: '0.1.0',
    target: `http://10.0.${build % 4}.20:5555`,
    profile: 'strict',
    suite: 'certification',
    startedAt,
    finishedAt: startedAt,
    complete: true,
    specHash: 'bench-spec',
    device: { firmware: { app_gate_version: firmware, nnsdk_version: firmware } },
    exitCode: 0,
    summary: { total: results.length, pass: 0, fail: 0, warn: 0, notApplicable: 0, couldNotTest: 0 },
    clauses: passingClauses(CLAUSES),
    results,
    ...(rerun ? { origin: { rerunOf: { report: 'x', startedAt, target: 'x', cases: 2 } } } : {}),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  await client.query(sql);
  await client.end();
}

async function bench(backend: string): Promise<void> {
  let location: string;
  let cleanup: () => Promise<void>;
  let size: () => Promise<number>;
  if (backend === 'postgres') {
    const name = `ledger_bench_${process.pid}`;
    await admin(`create database ${name}`);
    const url = new URL(ADMIN);
    url.pathname = `/${name}`;
    location = url.toString();
    cleanup = () => admin(`drop database if exists ${name} with (force)`);
    size = async () => {
      const client = new pg.Client({ connectionString: location });
      await client.connect();
      const { rows } = await client.query('select pg_database_size(current_database())::float8 as n');
      await client.end();
      return Number(rows[0]?.n);
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
    location = join(dir, 'ledger.sqlite');
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    size = async () => statSync(location).size;
  }
  try {
    const store = await openLedger(location);
    const recordMs: number[] = [];
    const started = performance.now();
    for (let b = 0; b < BUILDS; b++) {
      for (let r = 0; r < 3; r++) {
        const one = report(b, r);
        const t = performance.now();
        await store.recordRun(one, `bench/${b}/${r}`);
        recordMs.push(performance.now() - t);
      }
    }
    const populateS = (performance.now() - started) / 1000;
    const firmwareOf = (b: number) => `6.${Math.floor(b / 100)}.${b % 100}`;
    const pick = () => Math.floor(random() * BUILDS);
    const statusMs: number[] = [];
    const diffMs: number[] = [];
    for (let i = 0; i < 21; i++) {
      let t = performance.now();
      await store.status(firmwareOf(pick()));
      statusMs.push(performance.now() - t);
      const b = Math.max(1, pick());
      t = performance.now();
      await store.diff(firmwareOf(b - 1), firmwareOf(b));
      diffMs.push(performance.now() - t);
    }
    let t = performance.now();
    const builds = await store.builds();
    const buildsMs = performance.now() - t;
    await store.close();
    // The command as a user types it: a process that starts, opens the ledger, merges and prints.
    const cli = existsSync(join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'))
      ? (() => {
          t = performance.now();
          const run = spawnSync(process.execPath, [
            BIN,
            'ledger',
            'status',
            '--firmware',
            firmwareOf(500 % BUILDS),
            '--ledger',
            location,
          ]);
          return { cliStatusWallMs: Math.round(performance.now() - t), cliStatusExit: run.status };
        })()
      : {};
    const figures = {
      backend,
      builds: BUILDS,
      runs: BUILDS * 3,
      populateS: Number(populateS.toFixed(1)),
      recordMedianMs: Number(median(recordMs).toFixed(1)),
      recordP95Ms: Number(quantile(recordMs, 0.95).toFixed(1)),
      statusMedianMs: Number(median(statusMs).toFixed(1)),
      statusMaxMs: Number(Math.max(...statusMs).toFixed(1)),
      diffMedianMs: Number(median(diffMs).toFixed(1)),
      diffMaxMs: Number(Math.max(...diffMs).toFixed(1)),
      buildsAllMs: Math.round(buildsMs),
      buildsListed: builds.length,
      sizeMb: Number(((await size()) / 2 ** 20).toFixed(1)),
      ...cli,
    };
    const met =
      figures.recordMedianMs < TARGETS.recordMs &&
      figures.statusMedianMs < TARGETS.statusMs &&
      figures.diffMedianMs < TARGETS.diffMs;
    emit('ledger', { ...figures, targets: TARGETS, met, machine: machine() });
  } finally {
    await cleanup();
  }
}

for (const backend of BACKENDS) await bench(backend);
