// The results ledger: what a later reader (serve's builds page, a certificate) imports; plain typed data only.
export { diffBuilds } from './diff-builds.ts';
export { type LedgerStore, type OpenOptions, openLedger } from './ledger-store.ts';
export { byTime, type MergeOptions, mergeBuild, verdictCounts } from './merge-build.ts';
export { ReportRefused, runEvidence, runId } from './run-record.ts';
export { MIGRATIONS, SCHEMA_VERSION } from './schema.ts';
export type * from './types.ts';
