import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { type LedgerStore, mergeBuild, openLedger, runEvidence, SCHEMA_VERSION } from '../../src/ledger/index.ts';
import { BACKENDS, type Throwaway, throwawayFile } from './ledger-backends.ts';
import { makeReport } from './make-report.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function fresh(make: () => Promise<Throwaway>): Promise<{ where: Throwaway; store: LedgerStore }> {
  const where = await make();
  cleanups.push(where.remove);
  const store = await openLedger(where.location);
  cleanups.push(() => store.close());
  return { where, store };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConformanceError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

const full = (firmware: string, verdict: 'pass' | 'fail' = 'pass', at = '2026-12-01T10:00:00.000Z') =>
  makeReport({
    firmware,
    startedAt: at,
    licenseKey: 'LIC-1',
    cases: [
      { id: 'http.a', verdict: 'pass' },
      { id: 'mq.b', verdict },
    ],
  });

describe.each(BACKENDS)('ledger store on $name', ({ make }) => {
  it('gives back what it recorded: the run, its verdicts merged by the rule, the full report', async () => {
    const { store } = await fresh(make);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const report = full('6.2.4');
    const outcome = await store.recordRun(report, 'reports/out/a/report.json');
    expect(outcome).toMatchObject({ created: true, firmware: '6.2.4' });
    const status = await store.status('6.2.4');
    expect(status).toEqual(
      mergeBuild('6.2.4', [
        { ...runEvidence(report, 'reports/out/a/report.json'), run: status.runs[0] ?? ({} as never) },
      ]),
    );
    expect(status.runs[0]).toMatchObject({
      id: outcome.id,
      device: { key: 'LIC-1', licenseKey: 'LIC-1', target: 'http://127.0.0.1:5555' },
      firmware: '6.2.4',
      firmwareDetail: { app_gate_version: '6.2.4' },
      specHash: 'spec-a',
      suite: 'certification',
      profile: 'strict',
      complete: true,
      origin: 'run',
    });
    expect(status.gate).toBe('certified');
    expect(await store.openRun(outcome.id)).toEqual(report);
    expect(await store.openRun(outcome.id.slice(0, 6))).toEqual(report);
  });

  it('records the same report once, however often it is given', async () => {
    const { store } = await fresh(make);
    const first = await store.recordRun(full('6.2.4'), 'a');
    const again = await store.recordRun(full('6.2.4'), 'b');
    expect(again).toEqual({ ...first, created: false });
    expect(await store.runs()).toHaveLength(1);
  });

  it('keeps each build’s evidence apart: a fixed firmware is a new build', async () => {
    const { store } = await fresh(make);
    await store.recordRun(full('6.2.3', 'fail'), 'a');
    await store.recordRun(full('6.2.4', 'pass', '2026-12-02T10:00:00.000Z'), 'b');
    expect((await store.status('6.2.3')).gate).toBe('not-certified');
    expect((await store.status('6.2.4')).gate).toBe('certified');
    // A run with no getsoftwareversion reading is the build '' of its own, not every build.
    await store.recordRun(
      makeReport({ startedAt: '2026-12-01T11:00:00.000Z', cases: [{ id: 'http.a', verdict: 'fail' }] }),
      'c',
    );
    expect((await store.status('')).runs).toHaveLength(1);
    expect((await store.status('6.2.4')).runs).toHaveLength(1);
    const diff = await store.diff('6.2.3', '6.2.4');
    expect(diff.progressions.map((p) => p.id)).toEqual(['mq.b']);
    expect((await store.builds()).map((b) => [b.firmware, b.runs, b.gate])).toEqual([
      ['6.2.3', 1, 'not-certified'],
      ['', 1, 'not-certified'],
      ['6.2.4', 1, 'certified'],
    ]);
  });

  it('sets a run aside with why, once; the status then leaves it out and shows it', async () => {
    const { store } = await fresh(make);
    const bad = await store.recordRun(full('6.2.4', 'fail'), 'a');
    await store.recordRun(full('6.2.4', 'pass', '2026-12-01T11:00:00.000Z'), 'b');
    expect((await store.status('6.2.4')).gate).toBe('not-certified');
    const set = await store.setAside(bad.id, 'broker restarted mid-run');
    expect(set.setAside?.why).toBe('broker restarted mid-run');
    const status = await store.status('6.2.4');
    expect(status.gate).toBe('certified');
    expect(status.excluded.map((e) => [e.run.id, e.why, e.run.setAside?.why])).toEqual([
      [bad.id, 'set-aside', 'broker restarted mid-run'],
    ]);
    expect(await codeOf(store.setAside(bad.id, 'again'))).toMatch(/^CONFIG_INVALID: run \w+ was already set aside/);
    expect(await codeOf(store.setAside('abcdef12', 'x'))).toMatch(/^LEDGER_NOT_FOUND/);
  });

  it('filters by device: license key, serial or target', async () => {
    const { store } = await fresh(make);
    await store.recordRun(full('6.2.4'), 'a');
    await store.recordRun(
      makeReport({ firmware: '6.2.4', target: 'http://10.0.0.9:5555', cases: [{ id: 'mq.b', verdict: 'fail' }] }),
      'b',
    );
    expect((await store.status('6.2.4', 'LIC-1')).gate).toBe('certified');
    expect((await store.status('6.2.4', 'http://10.0.0.9:5555')).gate).toBe('not-certified');
    expect((await store.status('6.2.4')).gate).toBe('not-certified');
  });

  it('refuses a foreign or damaged report with the reason, and writes nothing', async () => {
    const { store } = await fresh(make);
    const broken = { ...full('6.2.4'), results: [{ id: 'x', verdict: 'great', level: 'MUST', clauses: [] }] };
    expect(await codeOf(store.recordRun(broken as never, 'bad.json'))).toBe(
      'LEDGER_REFUSED: bad.json: results[0] (x) has an unknown verdict "great"',
    );
    expect(await codeOf(store.recordRun({ hello: 1 } as never, 'other.json'))).toBe(
      'LEDGER_REFUSED: other.json: no tool (not a sophon-conformance report)',
    );
    expect(await store.runs()).toEqual([]);
    expect(await codeOf(store.status('6.2.4'))).toMatch(
      /^LEDGER_NOT_FOUND: no run of firmware "6.2.4".*the ledger is empty/,
    );
  });

  it('carries an older ledger forward when it is opened, keeping its runs', async () => {
    const where = await make();
    cleanups.push(where.remove);
    const old = await openLedger(where.location, { upTo: 1 });
    expect(old.schemaVersion).toBe(1);
    const { id } = await old.recordRun(full('6.2.4', 'fail'), 'a');
    await old.close();
    const store = await openLedger(where.location);
    cleanups.push(() => store.close());
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect((await store.runs()).map((r) => r.id)).toEqual([id]);
    await store.setAside(id, 'migrated, then set aside');
    expect((await store.status('6.2.4')).excluded).toHaveLength(1);
  });

  it('opens a ledger written by a newer version read-only, and says so', async () => {
    const where = await make();
    cleanups.push(where.remove);
    const store = await openLedger(where.location);
    await store.recordRun(full('6.2.4'), 'a');
    await store.close();
    await bumpVersion(where.location, 99);
    const newer = await openLedger(where.location);
    cleanups.push(() => newer.close());
    expect(newer.readOnly).toBe(true);
    // The version this build knows moves with each migration step (3: the console's actions).
    expect(newer.notice).toContain(
      `written by a newer sophon-conformance (ledger schema 99; this version knows up to ${SCHEMA_VERSION}): opened read-only`,
    );
    expect((await newer.status('6.2.4')).gate).toBe('certified');
    expect(await codeOf(newer.recordRun(full('6.2.5'), 'b'))).toMatch(/^LEDGER_READ_ONLY/);
  });

  it('eight concurrent writers lose nothing', async () => {
    const where = await make();
    cleanups.push(where.remove);
    const first = await openLedger(where.location);
    cleanups.push(() => first.close());
    const writers = await Promise.all(Array.from({ length: 7 }, () => openLedger(where.location)));
    for (const w of writers) cleanups.push(() => w.close());
    const all = [first, ...writers];
    const ids = await Promise.all(
      all.map(async (store, w) => {
        const done: string[] = [];
        for (let i = 0; i < 6; i++) {
          const at = new Date(Date.UTC(2026, 0, 1, w, i)).toISOString();
          done.push((await store.recordRun(full(`6.2.${w}`, 'pass', at), `w${w}-${i}`)).id);
        }
        return done;
      }),
    );
    const recorded = (await first.runs()).map((r) => r.id).sort();
    expect(recorded).toEqual(ids.flat().sort());
    expect(recorded).toHaveLength(48);
  });
});

async function bumpVersion(location: string, version: number): Promise<void> {
  const sql = 'insert into schema_migrations (version, description, applied_at) values ($1, $2, $3)';
  const params = [version, 'from the future', new Date().toISOString()];
  if (location.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    await client.query(sql, params);
    await client.end();
    return;
  }
  const { Database } = (await import('node-sqlite3-wasm')).default;
  const db = new Database(location);
  db.run(sql.replace(/\$/g, '?'), params);
  db.close();
}

describe('embedded ledger: bad places and crashes', () => {
  it('refuses a file that is not a ledger with one line', async () => {
    const where = throwawayFile();
    cleanups.push(where.remove);
    writeFileSync(where.location, 'these are not the pages you are looking for'.repeat(200));
    expect(await codeOf(openLedger(where.location))).toMatch(
      /^LEDGER_UNAVAILABLE: cannot open the ledger .*ledger\.sqlite: file is not a database$/,
    );
  });

  it('says in one line that a PostgreSQL ledger is unreachable', async () => {
    expect(await codeOf(openLedger('postgres://postgres:secret@127.0.0.1:1/ledger'))).toMatch(
      /^LEDGER_UNAVAILABLE: PostgreSQL ledger postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/ledger unreachable: ECONNREFUSED/,
    );
  });

  it('kill -9 in the middle of a record loop loses no run whose record returned', { timeout: 120_000 }, async () => {
    const where = throwawayFile();
    cleanups.push(where.remove);
    const confirmed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/ledger/record-loop.ts', where.location], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buffer = '';
      const before = confirmed.length;
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        confirmed.push(...lines);
      });
      // Kill it a random while after its first few records: mid-transaction as often as not.
      const deadline = Date.now() + 60_000;
      while (confirmed.length < before + 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const store = await openLedger(where.location);
    cleanups.push(() => store.close());
    const kept = new Set((await store.runs()).map((r) => r.id));
    expect(confirmed.length).toBeGreaterThanOrEqual(9);
    expect(confirmed.filter((id) => !kept.has(id))).toEqual([]);
    // …and it still takes new runs: the killed writer's lock does not lock the ledger for good.
    expect((await store.recordRun(full('9.9.9'), 'after')).created).toBe(true);
  });
});
