import { ConformanceError } from '../errors/conformance-error.ts';
import { redactUrl } from '../results/redact.ts';
import type { Query, Row, SqlDriver } from './sql-driver.ts';

/**
 * A ledger in PostgreSQL (`--ledger postgres://…`), through node-postgres with one connection. Concurrent
 * writers are PostgreSQL's business: each record is one transaction. pg is loaded only when such a ledger is
 * opened.
 */
export async function openPostgres(url: string, options: { readOnly?: boolean } = {}): Promise<SqlDriver> {
  const location = redactUrl(url);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  // An idle connection the server drops must not end the process with an unhandled 'error' event.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const e = error as NodeJS.ErrnoException;
    throw new ConformanceError(
      'LEDGER_UNAVAILABLE',
      `PostgreSQL ledger ${location} unreachable: ${e.code ?? ''}${e.code ? ' ' : ''}${oneLine(e.message)}`,
    );
  }
  const query: Query = async <R extends Row = Row>(sql: string, params: readonly unknown[] = []) =>
    (await client.query(sql, params.map(bindable))).rows as R[];
  const inTransaction = async <T>(begin: string, work: (q: Query) => Promise<T>): Promise<T> => {
    await client.query(begin);
    try {
      const result = await work(query);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  };
  return {
    dialect: 'postgres',
    location,
    write: (work) => {
      if (options.readOnly) throw new ConformanceError('LEDGER_READ_ONLY', `${location} is open read-only`);
      return inTransaction('begin', work);
    },
    read: (work) => inTransaction('begin isolation level repeatable read read only', work),
    close: () => client.end(),
  };
}

function bindable(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value ?? null;
}

function oneLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
