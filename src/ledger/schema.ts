import type { Dialect } from './sql-driver.ts';

/** One step of the ledger's schema; a ledger records in `schema_migrations` every step applied to it. */
export interface Migration {
  version: number;
  description: string;
  /** The statements, in order; `BLOB` is written `bytea` for PostgreSQL. */
  statements: string[];
}

/**
 * The ledger's schema, step by step. A step is never edited once released: a change is a new step, so an
 * older ledger is carried forward when opened. Only text, integers and bytes: the same statements serve
 * SQLite and PostgreSQL.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, their case verdicts and clause catalogues',
    statements: [
      `create table runs (
        id text primary key,
        firmware text not null,
        firmware_detail text,
        device_key text not null,
        license_key text,
        serial text,
        target text not null,
        tool text not null,
        tool_version text not null,
        spec_hash text not null,
        suite text not null,
        profile text not null,
        capabilities text,
        started_at text not null,
        finished_at text not null,
        recorded_at text not null,
        complete integer not null,
        exit_code integer not null,
        origin text not null,
        source text not null,
        report BLOB not null
      )`,
      'create index runs_by_firmware on runs (firmware, started_at)',
      'create index runs_by_device on runs (device_key)',
      `create table case_verdicts (
        run_id text not null references runs (id),
        case_id text not null,
        level text not null,
        clauses text not null,
        verdict text not null,
        message text not null,
        waived integer not null,
        primary key (run_id, case_id)
      )`,
      `create table run_clauses (
        run_id text not null references runs (id),
        clause_id text not null,
        level text not null,
        primary key (run_id, clause_id)
      )`,
    ],
  },
  {
    version: 2,
    description: 'runs set aside, with why',
    statements: [
      `create table set_asides (
        run_id text primary key references runs (id),
        why text not null,
        set_at text not null
      )`,
    ],
  },
  {
    version: 3,
    description: "the lab console's starts, stops and resumes: who, when, what",
    statements: [
      `create table console_actions (
        at text not null,
        who text not null,
        action text not null,
        console_run text not null,
        device text not null,
        request text not null
      )`,
      'create index console_actions_by_run on console_actions (console_run, at)',
    ],
  },
];

/** The schema version this tool writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** A statement in the dialect's words. */
export function inDialect(statement: string, dialect: Dialect): string {
  return dialect === 'postgres' ? statement.replace(/\bBLOB\b/g, 'bytea') : statement;
}
