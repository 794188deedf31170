import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { escapeForScript, pageParts } from '../reports/html/page-shell.ts';
import { reportPage } from '../reports/render-html.ts';
import { emitJunit } from '../reports/render-junit.ts';
import type { Report } from '../src/results/types.ts';
import { streamJson, writeJsonFile, writeStreamed } from './write-json-stream.ts';

/** The report formats written to the output folder (console is printed, not written). */
export const FILE_REPORTERS = ['json', 'junit', 'html'] as const;
export type FileReporter = (typeof FILE_REPORTERS)[number];

/** Writes the chosen reports into `dir`; returns the paths written, by reporter. */
export function writeReports(report: Report, dir: string, reporters: readonly string[]): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const written: Record<string, string> = {};
  if (reporters.includes('json')) {
    written.json = join(dir, 'report.json');
    // Streamed: byte-identical to JSON.stringify(report, null, 2), without the whole text in memory.
    writeJsonFile(written.json, report);
  }
  if (reporters.includes('junit')) {
    written.junit = join(dir, 'junit.xml');
    // Streamed a testcase at a time, the same bytes as renderJunit.
    writeStreamed(written.junit, (emit) => emitJunit(report, emit));
  }
  if (reporters.includes('html')) {
    written.html = join(dir, 'report.html');
    // Streamed too: the page around the data, the data escaped piece by piece (the same bytes as renderHtml).
    const { head, tail } = pageParts(reportPage(report));
    writeStreamed(written.html, (emit) => {
      emit(head);
      streamJson((piece) => emit(escapeForScript(piece)), report, false);
      emit(tail);
    });
  }
  return written;
}
