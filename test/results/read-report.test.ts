import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asReport, parseReport, readReport } from '../../src/results/read-report.ts';
import { interruptedReport, mixedReport } from '../fixtures/reports/sample-reports.ts';

const dir = mkdtempSync(join(tmpdir(), 'sc-read-report-'));

describe('readReport: the one reader of report.json', () => {
  it('takes a complete and an interrupted report back as written', () => {
    for (const report of [mixedReport(), interruptedReport()]) {
      const file = join(dir, `${report.startedAt.replace(/\W/g, '')}-${report.complete}.json`);
      writeFileSync(file, JSON.stringify(report, null, 2));
      expect(readReport(file)).toEqual(report);
    }
  });

  it('refuses what is not a report of ours, saying why', () => {
    expect(() => readReport(join(dir, 'missing.json'))).toThrow(/cannot be read \(ENOENT\)/);
    expect(() => parseReport('{"results": [')).toThrow(/is not JSON/);
    expect(() => parseReport('[1,2]')).toThrow(/is not a JSON object/);
    expect(() => asReport({ tool: 'newman', results: [] })).toThrow(
      /not a sophon-conformance report \(tool: "newman"\)/,
    );
    const noVerdict = mixedReport() as unknown as { results: { verdict: string }[] };
    (noVerdict.results[1] as { verdict: string }).verdict = 'passed';
    expect(() => asReport(noVerdict)).toThrow(/results\/1\/verdict must be equal to one of the allowed values/);
  });

  it('refuses a damaged report whose summary does not count its results', () => {
    const cut = mixedReport();
    cut.results.pop();
    expect(() => asReport(cut)).toThrow(/is damaged: its summary counts \d+ cases .* but it holds \d+ results/);
  });
});
