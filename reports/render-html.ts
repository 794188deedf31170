import { groupFailures } from '../src/results/group-failures.ts';
import type { Report } from '../src/results/types.ts';
import { type PageInput, renderPage } from './html/page-shell.ts';
import { policySummaryLines } from './render-policy.ts';

const GATE_WORD: Record<number, string> = { 0: 'PASS', 1: 'FAIL', 2: 'NOT RUN', 3: 'INCOMPLETE' };

/**
 * The HTML report: one self-contained file (inline CSS, script and SVG; nothing is fetched) that opens
 * from disk. The report is embedded as `<script type="application/json" id="report-data">` and drawn in
 * the browser by `html/report.js`; the page is a pure function of the report.
 */
export function renderHtml(report: Report): string {
  return renderPage({ ...reportPage(report), data: report });
}

/** The report page without its data, for a writer that streams the data into it (write-reports.ts). */
export function reportPage(report: Report): Omit<PageInput, 'data'> {
  const s = report.summary;
  const gate = GATE_WORD[report.exitCode] ?? `exit ${report.exitCode}`;
  const failing = report.results.filter((r) => r.verdict === 'fail' || r.verdict === 'could-not-test');
  const groups = groupFailures(report);
  return {
    title: `Conformance report: ${report.suite} · ${report.target} · ${gate}`,
    dataId: 'report-data',
    script: 'report.js',
    // The failure groups are computed here, from the one model (src/results), not again in the browser.
    extraData: [{ id: 'report-groups', data: groups }],
    fallback: [
      `${report.tool} ${report.version}: suite ${report.suite} against ${report.target}, profile ${report.profile}`,
      `Gate: ${gate} (exit ${report.exitCode})${report.complete ? '' : ', interrupted: partial results'}`,
      `${s.total} cases: ${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.notApplicable} not-applicable, ${s.couldNotTest} could-not-test`,
      ...policySummaryLines(report),
      ...groups.byCause.map(
        (g) => `${g.cases.length} × ${g.verdict.toUpperCase()}${g.waived ? ' (waived)' : ''}: ${g.reason}`,
      ),
      ...failing.map((r) => `${r.verdict.toUpperCase()} ${r.id}: ${r.message}`),
      'Turn on JavaScript to see every case with its evidence; report.json holds the same data.',
    ],
  };
}
