import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The PostgreSQL server the tests use (.ci/run starts it); SOPHON_TEST_POSTGRES overrides it. */
export const POSTGRES_ADMIN = process.env.SOPHON_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A ledger location for one test, and how to remove it. */
export interface Throwaway {
  location: string;
  remove(): Promise<void>;
}

/** A ledger file in a folder of its own. */
export function throwawayFile(): Throwaway {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  return { location: join(dir, 'ledger.sqlite'), remove: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A database of its own on the test server, dropped by remove(). */
export async function throwawayDatabase(): Promise<Throwaway> {
  const name = `ledger_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(POSTGRES_ADMIN);
  url.pathname = `/${name}`;
  return { location: url.toString(), remove: () => admin(`drop database if exists ${name} with (force)`) };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Both backends, for describe.each. */
export const BACKENDS = [
  { name: 'sqlite', make: async () => throwawayFile() },
  { name: 'postgres', make: throwawayDatabase },
] as const;
