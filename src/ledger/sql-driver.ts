/** A row as a driver returns it: column name to value (bytes as Uint8Array). */
export type Row = Record<string, unknown>;

/** One statement with `$1`-style parameters; the rows it returns. */
export type Query = <R extends Row = Row>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

/** The two SQL dialects the ledger speaks: the DDL differs, the queries do not. */
export type Dialect = 'sqlite' | 'postgres';

/** What the ledger store needs of a database: transactions, nothing more. */
export interface SqlDriver {
  readonly dialect: Dialect;
  /** Where the ledger is, for messages (a PostgreSQL URL without its password). */
  readonly location: string;
  /** Runs `work` in one transaction, serialised against every other writer; rolled back if it throws. */
  write<T>(work: (query: Query) => Promise<T>): Promise<T>;
  /** Runs `work` on one consistent snapshot. */
  read<T>(work: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
