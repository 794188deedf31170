import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Database as WasmDatabase } from 'node-sqlite3-wasm';
import lockfile from 'proper-lockfile';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { Query, Row, SqlDriver } from './sql-driver.ts';

// node-sqlite3-wasm is CommonJS and instantiates its WebAssembly on require: loaded only by a ledger that opens.
const require = createRequire(import.meta.url);

/** How long a writer waits for another process's transaction before it gives up (ms). */
const LOCK_WAIT_MS = 30_000;

/**
 * The embedded ledger: one SQLite file through SQLite compiled to WebAssembly (node-sqlite3-wasm), chosen by
 * measurement (bench/RESULTS.md: the ledger's store): it installs from the npm registry alone on every Node,
 * writes through fsync'd rollback journals, and loses nothing to kill -9.
 *
 * Its file lock is a `<file>.lock` folder that a killed process leaves behind, which would lock the ledger
 * for good. So every transaction first takes our own lock (proper-lockfile: `<file>.writer`, refreshed while
 * held, stale once its holder stops refreshing it); whoever holds it may remove a `.lock` folder left over,
 * and SQLite then rolls the dead writer's hot journal back on the next read.
 */
export async function openSqlite(path: string, options: { readOnly?: boolean } = {}): Promise<SqlDriver> {
  const file = resolve(path);
  const readOnly = options.readOnly === true;
  if (readOnly && !existsSync(file)) throw new ConformanceError('LEDGER_NOT_FOUND', `no ledger at ${file}`);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw unavailable(file, error);
  }
  const { Database } = require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
  let db: WasmDatabase;
  const release = await takeLock(file);
  try {
    clearLeftoverLock(file);
    db = new Database(file, { readOnly });
    // DELETE journal + FULL sync: a commit that returned is on disk; WAL needs shared memory this build lacks.
    if (!readOnly) db.exec('pragma journal_mode = delete; pragma synchronous = full; pragma foreign_keys = on');
  } catch (error) {
    throw unavailable(file, error);
  } finally {
    await release();
  }
  const query: Query = async <R extends Row = Row>(sql: string, params: readonly unknown[] = []) =>
    db.all(numbered(sql), params.map(bindable)) as R[];
  const inTransaction = async <T>(begin: string, work: (q: Query) => Promise<T>): Promise<T> => {
    const releaseLock = await takeLock(file);
    try {
      clearLeftoverLock(file);
      db.exec(begin);
      try {
        const result = await work(query);
        db.exec('commit');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('rollback');
        throw error;
      }
    } finally {
      await releaseLock();
    }
  };
  return {
    dialect: 'sqlite',
    location: file,
    write: (work) => {
      if (readOnly) throw new ConformanceError('LEDGER_READ_ONLY', `${file} is open read-only`);
      return inTransaction('begin immediate', work);
    },
    read: (work) => inTransaction('begin', work),
    close: async () => {
      if (db.isOpen) db.close();
    },
  };
}

async function takeLock(file: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(file, {
      lockfilePath: `${file}.writer`,
      realpath: false,
      stale: 10_000,
      update: 2_000,
      retries: { retries: Math.ceil(LOCK_WAIT_MS / 100), factor: 1.3, minTimeout: 5, maxTimeout: 100 },
      // A lock found compromised (its folder removed by hand) must not throw from a timer: the next
      // transaction takes it again.
      onCompromised: () => {},
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ELOCKED') {
      throw new ConformanceError(
        'LEDGER_UNAVAILABLE',
        `${file} stayed locked by another writer for ${LOCK_WAIT_MS / 1000} s (its lock: ${file}.writer)`,
      );
    }
    throw unavailable(file, error);
  }
}

// Held under our lock, SQLite's own lock folder can only be one that a killed process left behind.
function clearLeftoverLock(file: string): void {
  const leftover = `${file}.lock`;
  if (existsSync(leftover)) rmSync(leftover, { recursive: true, force: true });
}

// Our statements are written with PostgreSQL's $1 parameters; SQLite's ?1 is the same numbered form.
function numbered(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}

function bindable(value: unknown): number | bigint | string | Uint8Array | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

function unavailable(file: string, error: unknown): ConformanceError {
  const e = error as NodeJS.ErrnoException;
  return new ConformanceError('LEDGER_UNAVAILABLE', `cannot open the ledger ${file}: ${e.code ?? e.message}`);
}
