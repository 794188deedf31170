import type { Profile, Summary } from '../../src/results/types.ts';
import { renderPage } from './page-shell.ts';

/** One run folder as the report browser lists it. */
export interface RunListing {
  /** The folder name: also the run's id in URLs. */
  name: string;
  /** The run's HTML report. */
  href: string;
  /** Set when report.json could not be read; the other fields are then absent. */
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  target?: string;
  suite?: string;
  profile?: Profile;
  tool?: string;
  version?: string;
  exitCode?: number;
  complete?: boolean;
  summary?: Summary;
  /** Other files of the run (report.json, junit.xml …) with their links. */
  files: { name: string; href: string }[];
}

export interface RunIndex {
  /** The folder being browsed, as the person gave it. */
  dir: string;
  /** Newest first. */
  runs: RunListing[];
  /** Where the comparison form is sent (GET with `a` and `b`). */
  compareHref: string;
  /** The results ledger's builds page, when serve shows a ledger. */
  ledgerHref?: string;
}

/** The report browser's front page: every run, newest first, and a form to compare two of them. */
export function renderRunIndexHtml(index: RunIndex): string {
  return renderPage({
    title: `Conformance runs in ${index.dir}`,
    data: index,
    dataId: 'index-data',
    script: 'run-index.js',
    fallback: [
      `Conformance runs in ${index.dir}`,
      ...index.runs.map((r) => `${r.name}: ${r.error ?? `exit ${r.exitCode}, ${r.suite} against ${r.target}`}`),
    ],
  });
}
