import { gunzipSync, gzipSync } from 'node:zlib';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { Level, Profile, Report, VerdictKind } from '../results/types.ts';
import { diffBuilds } from './diff-builds.ts';
import { byTime, mergeBuild } from './merge-build.ts';
import { openPostgres } from './postgres-driver.ts';
import { ReportRefused, runEvidence } from './run-record.ts';
import { inDialect, MIGRATIONS, SCHEMA_VERSION } from './schema.ts';
import type { Query, Row, SqlDriver } from './sql-driver.ts';
import { openSqlite } from './sqlite-driver.ts';
import type {
  BuildDiff,
  BuildStatus,
  BuildSummary,
  ConsoleAction,
  LedgerCase,
  LedgerClause,
  LedgerRun,
  RecordOutcome,
  RunEvidence,
} from './types.ts';

/** The results ledger: every run's verdicts across firmware builds, and the queries that gate a release. */
export interface LedgerStore {
  /** Where the ledger is (a file, or a PostgreSQL URL without its password). */
  readonly location: string;
  /** True when a newer sophon-conformance wrote the ledger: it is read, never written. */
  readonly readOnly: boolean;
  /** Why the ledger was opened read-only, in one line. */
  readonly notice?: string;
  /** The schema version the ledger is at. */
  readonly schemaVersion: number;
  /** Records a run's report (idempotent: the same report twice is one run). */
  recordRun(report: Report, source: string): Promise<RecordOutcome>;
  /** Every run of a build on one spec hash merged by the ledger's rule (see mergeBuild). */
  status(firmware: string, device?: string, options?: { specHash?: string }): Promise<BuildStatus>;
  /** What changed between two builds, each merged by the rule. */
  diff(older: string, newer: string, device?: string): Promise<BuildDiff>;
  /** The builds in the ledger, oldest first, each with its gate. */
  builds(device?: string): Promise<BuildSummary[]>;
  /**
   * Every build as firmware × device × spec hash, each merged by the rule, in build order (first run), without
   * case messages: the builds page and a clause's history across builds, in three queries whatever the count.
   */
  buildStatuses(device?: string): Promise<BuildStatus[]>;
  /** The runs recorded, oldest first, of one build or all. */
  runs(firmware?: string, device?: string): Promise<LedgerRun[]>;
  /** Takes a run out of its build's evidence, with why (kept and shown, never deleted). */
  setAside(run: string, why: string): Promise<LedgerRun>;
  /** A run's full report, as it was recorded (a run id or a unique prefix of one). */
  openRun(run: string): Promise<Report>;
  /** Records a start, stop or resume of the lab console (never changed afterwards). */
  recordAction(action: ConsoleAction): Promise<void>;
  /** The console's actions, oldest first, of one console run or all. */
  actions(run?: string): Promise<ConsoleAction[]>;
  close(): Promise<void>;
}

/** How to open a ledger. `upTo` stops the migrations at a version (tests of the migration path). */
export interface OpenOptions {
  readOnly?: boolean;
  upTo?: number;
}

/** Opens (creating or migrating forward) the ledger at a path or a `postgres://` URL. */
export async function openLedger(location: string, options: OpenOptions = {}): Promise<LedgerStore> {
  const postgres = /^postgres(ql)?:\/\//i.test(location);
  const open = (readOnly: boolean) =>
    postgres ? openPostgres(location, { readOnly }) : openSqlite(location, { readOnly });
  let driver = await open(options.readOnly === true);
  try {
    const found = options.readOnly ? await readVersion(driver) : await migrate(driver, options.upTo ?? SCHEMA_VERSION);
    if (found > SCHEMA_VERSION) {
      if (!options.readOnly) {
        await driver.close();
        driver = await open(true);
      }
      const notice = `${driver.location} was written by a newer sophon-conformance (ledger schema ${found}; this version knows up to ${SCHEMA_VERSION}): opened read-only`;
      return new Store(driver, found, true, notice);
    }
    return new Store(driver, found, options.readOnly === true);
  } catch (error) {
    await driver.close().catch(() => {});
    if (error instanceof ConformanceError) throw error;
    throw new ConformanceError(
      'LEDGER_UNAVAILABLE',
      `${driver.location} cannot be used as a ledger: ${(error as Error).message}`,
    );
  }
}

// Any two statements that create the same table race in PostgreSQL: openers queue on this lock.
const MIGRATION_LOCK = 7_343_021;

async function migrate(driver: SqlDriver, upTo: number): Promise<number> {
  return driver.write(async (query) => {
    if (driver.dialect === 'postgres') await query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const tables = await tableNames(driver, query);
    if (!tables.includes('schema_migrations')) {
      if (tables.length)
        throw new ConformanceError(
          'LEDGER_REFUSED',
          `${driver.location} holds tables but is not a ledger (no schema_migrations): not touched`,
        );
      await query(
        'create table schema_migrations (version integer primary key, description text not null, applied_at text not null)',
      );
    }
    const version = await currentVersion(query);
    for (const step of MIGRATIONS) {
      if (step.version <= version || step.version > upTo) continue;
      for (const statement of step.statements) await query(inDialect(statement, driver.dialect));
      await query('insert into schema_migrations (version, description, applied_at) values ($1, $2, $3)', [
        step.version,
        step.description,
        new Date().toISOString(),
      ]);
    }
    return Math.max(version, Math.min(upTo, SCHEMA_VERSION));
  });
}

async function readVersion(driver: SqlDriver): Promise<number> {
  return driver.read(async (query) => {
    const tables = await tableNames(driver, query);
    if (!tables.includes('schema_migrations')) {
      throw new ConformanceError('LEDGER_REFUSED', `${driver.location} is not a ledger (no schema_migrations)`);
    }
    return currentVersion(query);
  });
}

async function tableNames(driver: SqlDriver, query: Query): Promise<string[]> {
  const rows =
    driver.dialect === 'sqlite'
      ? await query<{ name: string }>("select name from sqlite_master where type = 'table'")
      : await query<{ name: string }>(
          'select table_name as name from information_schema.tables where table_schema = current_schema()',
        );
  return rows.map((r) => r.name);
}

async function currentVersion(query: Query): Promise<number> {
  const [row] = await query<{ v: number | null }>('select max(version) as v from schema_migrations');
  return Number(row?.v ?? 0);
}

const RUN_COLUMNS = `r.id, r.firmware, r.firmware_detail, r.device_key, r.license_key, r.serial, r.target, r.tool,
  r.tool_version, r.spec_hash, r.suite, r.profile, r.capabilities, r.started_at, r.finished_at, r.recorded_at,
  r.complete, r.exit_code, r.origin, r.source, s.why as set_aside_why, s.set_at as set_aside_at`;

// $1: the firmware (null = every build; '' is the build of runs with no firmware reading), $2: the device
// (null = every device): by key, license key, serial or target.
const RUN_FILTER = `(cast($1 as text) is null or r.firmware = $1)
  and (cast($2 as text) is null or r.device_key = $2 or r.license_key = $2 or r.serial = $2 or r.target = $2)`;

class Store implements LedgerStore {
  readonly location: string;
  readonly notice?: string;

  constructor(
    private readonly driver: SqlDriver,
    readonly schemaVersion: number,
    readonly readOnly: boolean,
    notice?: string,
  ) {
    this.location = driver.location;
    if (notice !== undefined) this.notice = notice;
  }

  async recordRun(report: Report, source: string): Promise<RecordOutcome> {
    this.writable();
    let evidence: RunEvidence;
    try {
      evidence = runEvidence(report, source);
    } catch (error) {
      if (error instanceof ReportRefused) throw new ConformanceError('LEDGER_REFUSED', `${source}: ${error.message}`);
      throw error;
    }
    const { run, cases, clauses } = evidence;
    const body = gzipSync(JSON.stringify(report));
    return this.driver.write(async (query) => {
      const [known] = await query('select id from runs where id = $1', [run.id]);
      if (known) return { id: run.id, created: false, firmware: run.firmware };
      await query(
        `insert into runs (id, firmware, firmware_detail, device_key, license_key, serial, target, tool, tool_version,
          spec_hash, suite, profile, capabilities, started_at, finished_at, recorded_at, complete, exit_code, origin,
          source, report)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
        [
          run.id,
          run.firmware,
          run.firmwareDetail ? JSON.stringify(run.firmwareDetail) : null,
          run.device.key,
          run.device.licenseKey ?? null,
          run.device.serial ?? null,
          run.device.target,
          run.tool,
          run.toolVersion,
          run.specHash,
          run.suite,
          run.profile,
          run.capabilities ? JSON.stringify(run.capabilities) : null,
          run.startedAt,
          run.finishedAt,
          run.recordedAt,
          run.complete ? 1 : 0,
          run.exitCode,
          run.origin,
          run.source,
          body,
        ],
      );
      await insertRows(
        query,
        'case_verdicts (run_id, case_id, level, clauses, verdict, message, waived)',
        cases.map((c) => [run.id, c.caseId, c.level, c.clauses.join(' '), c.verdict, c.message, c.waived ? 1 : 0]),
      );
      await insertRows(
        query,
        'run_clauses (run_id, clause_id, level)',
        clauses.map((c) => [run.id, c.id, c.level]),
      );
      return { id: run.id, created: true, firmware: run.firmware };
    });
  }

  async status(firmware: string, device?: string, options: { specHash?: string } = {}): Promise<BuildStatus> {
    const evidence = await this.evidence(firmware, device ?? null);
    if (!evidence.length) {
      const known = (await this.builds(device)).map((b) => b.firmware || '(unknown)');
      throw new ConformanceError(
        'LEDGER_NOT_FOUND',
        `no run of firmware "${firmware}"${device ? ` on device ${device}` : ''} in ${this.location}` +
          (known.length ? ` (builds: ${known.slice(-8).join(', ')})` : ' (the ledger is empty)'),
      );
    }
    return mergeBuild(firmware, evidence, { ...(device ? { device } : {}), ...options });
  }

  async diff(older: string, newer: string, device?: string): Promise<BuildDiff> {
    return diffBuilds(await this.status(older, device), await this.status(newer, device));
  }

  async builds(device?: string): Promise<BuildSummary[]> {
    const all = await this.evidence(null, device ?? null, true);
    const byBuild = new Map<string, RunEvidence[]>();
    for (const e of all) byBuild.set(e.run.firmware, [...(byBuild.get(e.run.firmware) ?? []), e]);
    return (
      [...byBuild.entries()]
        .map(([firmware, evidence]) => {
          const status = mergeBuild(firmware, evidence, device ? { device } : {});
          const times = evidence.map((e) => e.run.startedAt).sort();
          return {
            firmware,
            devices: [...new Set(evidence.map((e) => e.run.device.key))].sort(),
            runs: evidence.length,
            setAside: evidence.filter((e) => e.run.setAside).length,
            firstRun: times[0] ?? '',
            lastRun: times[times.length - 1] ?? '',
            gate: status.gate,
          };
        })
        // Ties (runs started in the same millisecond) keep one order on both backends: by firmware.
        .sort((a, b) => a.firstRun.localeCompare(b.firstRun) || a.firmware.localeCompare(b.firmware))
    );
  }

  async buildStatuses(device?: string): Promise<BuildStatus[]> {
    const all = (await this.evidence(null, device ?? null, true)).sort((a, b) => byTime(a.run, b.run));
    const groups = new Map<string, RunEvidence[]>();
    for (const e of all) {
      const key = JSON.stringify([e.run.firmware, e.run.device.key, e.run.specHash]);
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    return [...groups.values()].map((evidence) => {
      const { firmware, device: d, specHash } = (evidence[0] as RunEvidence).run;
      return mergeBuild(firmware, evidence, { device: d.key, specHash });
    });
  }

  async runs(firmware?: string, device?: string): Promise<LedgerRun[]> {
    return this.driver.read(async (query) => {
      const rows = await query(
        `select ${RUN_COLUMNS} from runs r left join set_asides s on s.run_id = r.id where ${RUN_FILTER}
         order by r.started_at, r.id`,
        [firmware ?? null, device ?? null],
      );
      return rows.map(toRun);
    });
  }

  async setAside(run: string, why: string): Promise<LedgerRun> {
    this.writable();
    if (!why.trim()) throw new ConformanceError('CONFIG_INVALID', 'set-aside needs a reason: --why "…"');
    return this.driver.write(async (query) => {
      const id = await resolveRun(query, run, this.location);
      const [already] = await query<{ why: string; set_at: string }>(
        'select why, set_at from set_asides where run_id = $1',
        [id],
      );
      if (already) {
        throw new ConformanceError(
          'CONFIG_INVALID',
          `run ${id} was already set aside on ${already.set_at}: ${already.why}`,
        );
      }
      await query('insert into set_asides (run_id, why, set_at) values ($1, $2, $3)', [
        id,
        why.trim(),
        new Date().toISOString(),
      ]);
      const [row] = await query(
        `select ${RUN_COLUMNS} from runs r left join set_asides s on s.run_id = r.id where r.id = $1`,
        [id],
      );
      return toRun(row ?? {});
    });
  }

  async recordAction(action: ConsoleAction): Promise<void> {
    this.writable();
    await this.driver.write(async (query) => {
      await query(
        'insert into console_actions (at, who, action, console_run, device, request) values ($1, $2, $3, $4, $5, $6)',
        [action.at, action.who, action.action, action.run, action.device, JSON.stringify(action.request)],
      );
    });
  }

  async actions(run?: string): Promise<ConsoleAction[]> {
    return this.driver.read(async (query) => {
      const rows = await query<Record<string, string>>(
        `select at, who, action, console_run, device, request from console_actions${run === undefined ? '' : ' where console_run = $1'} order by at`,
        run === undefined ? [] : [run],
      );
      return rows.map((r) => ({
        at: String(r.at),
        who: String(r.who),
        action: r.action as ConsoleAction['action'],
        run: String(r.console_run),
        device: String(r.device),
        request: JSON.parse(String(r.request)) as Record<string, unknown>,
      }));
    });
  }

  async openRun(run: string): Promise<Report> {
    return this.driver.read(async (query) => {
      const id = await resolveRun(query, run, this.location);
      const [row] = await query<{ report: Uint8Array }>('select report from runs where id = $1', [id]);
      if (!row) throw new ConformanceError('LEDGER_NOT_FOUND', `no run ${run} in ${this.location}`);
      return JSON.parse(gunzipSync(row.report).toString('utf8')) as Report;
    });
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  private writable(): void {
    if (this.readOnly) {
      throw new ConformanceError('LEDGER_READ_ONLY', this.notice ?? `${this.location} is open read-only`);
    }
  }

  // Every run of a build (null = all) with its verdicts and clauses, in three queries whatever the count.
  // `light` (the gates of every build): no messages, and each build's clause catalogue read once per spec hash.
  private evidence(firmware: string | null, device: string | null, light = false): Promise<RunEvidence[]> {
    return this.driver.read(async (query) => {
      const params = [firmware, device];
      const runs = (
        await query(
          `select ${RUN_COLUMNS} from runs r left join set_asides s on s.run_id = r.id where ${RUN_FILTER}`,
          params,
        )
      ).map(toRun);
      const inRuns = `run_id in (select r.id from runs r where ${RUN_FILTER})`;
      const caseRows = await query(
        `select run_id, case_id, level, clauses, verdict, ${light ? "'' as message" : 'message'}, waived
         from case_verdicts where ${inRuns}`,
        params,
      );
      const byRun = new Map<string, RunEvidence>(runs.map((run) => [run.id, { run, cases: [], clauses: [] }]));
      for (const row of caseRows) byRun.get(String(row.run_id))?.cases.push(toCase(row));
      if (light) {
        // The catalogue is the spec's: every run of a build on one spec hash lists the same clauses.
        const rows = await query(
          `select distinct r.firmware, r.spec_hash, c.clause_id, c.level from run_clauses c
           join runs r on r.id = c.run_id where ${RUN_FILTER}`,
          params,
        );
        const catalogues = new Map<string, LedgerClause[]>();
        for (const row of rows) {
          const key = `${row.firmware}\u0000${row.spec_hash}`;
          const list = catalogues.get(key) ?? [];
          list.push({ id: String(row.clause_id), level: row.level as Level });
          catalogues.set(key, list);
        }
        for (const e of byRun.values()) e.clauses = catalogues.get(`${e.run.firmware}\u0000${e.run.specHash}`) ?? [];
        return [...byRun.values()];
      }
      const clauseRows = await query(`select run_id, clause_id, level from run_clauses where ${inRuns}`, params);
      for (const row of clauseRows) {
        const clause: LedgerClause = { id: String(row.clause_id), level: row.level as Level };
        byRun.get(String(row.run_id))?.clauses.push(clause);
      }
      return [...byRun.values()];
    });
  }
}

// Multi-row inserts in slices: one statement per 100 rows keeps a 92-case run to one round trip.
async function insertRows(query: Query, into: string, rows: unknown[][]): Promise<void> {
  for (let at = 0; at < rows.length; at += 100) {
    const slice = rows.slice(at, at + 100);
    const width = slice[0]?.length ?? 0;
    const values = slice.map(
      (_, i) => `(${Array.from({ length: width }, (_, j) => `$${i * width + j + 1}`).join(', ')})`,
    );
    await query(`insert into ${into} values ${values.join(', ')}`, slice.flat());
  }
}

async function resolveRun(query: Query, run: string, location: string): Promise<string> {
  if (!/^[0-9a-f]{4,}$/.test(run)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `"${run}" is not a run id (at least 4 hex digits, as ledger status shows)`,
    );
  }
  const rows = await query<{ id: string }>('select id from runs where id like $1 order by id limit 2', [`${run}%`]);
  if (!rows.length) throw new ConformanceError('LEDGER_NOT_FOUND', `no run ${run} in ${location}`);
  if (rows.length > 1) throw new ConformanceError('CONFIG_INVALID', `run id ${run} is ambiguous: give more digits`);
  return String(rows[0]?.id);
}

function toRun(row: Row): LedgerRun {
  const text = (key: string) => (row[key] === null || row[key] === undefined ? undefined : String(row[key]));
  const licenseKey = text('license_key');
  const serial = text('serial');
  const detail = text('firmware_detail');
  const capabilities = text('capabilities');
  const why = text('set_aside_why');
  return {
    id: String(row.id),
    device: {
      key: String(row.device_key),
      ...(licenseKey ? { licenseKey } : {}),
      ...(serial ? { serial } : {}),
      target: String(row.target),
    },
    firmware: String(row.firmware),
    ...(detail ? { firmwareDetail: JSON.parse(detail) as Record<string, unknown> } : {}),
    tool: String(row.tool),
    toolVersion: String(row.tool_version),
    specHash: String(row.spec_hash),
    suite: String(row.suite),
    profile: row.profile as Profile,
    ...(capabilities ? { capabilities: JSON.parse(capabilities) as LedgerRun['capabilities'] & object } : {}),
    startedAt: String(row.started_at),
    finishedAt: String(row.finished_at),
    recordedAt: String(row.recorded_at),
    complete: Number(row.complete) === 1,
    exitCode: Number(row.exit_code),
    origin: row.origin as LedgerRun['origin'],
    source: String(row.source),
    ...(why !== undefined ? { setAside: { why, at: text('set_aside_at') ?? '' } } : {}),
  };
}

function toCase(row: Row): LedgerCase {
  const clauses = String(row.clauses);
  return {
    runId: String(row.run_id),
    caseId: String(row.case_id),
    level: row.level as Level,
    clauses: clauses ? clauses.split(' ') : [],
    verdict: row.verdict as VerdictKind,
    message: String(row.message),
    waived: Number(row.waived) === 1,
  };
}
