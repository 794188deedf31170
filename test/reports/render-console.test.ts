import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../reports/render-console.ts';
import type { Report, Summary } from '../../src/results/types.ts';

function reportWith(summary: Summary, exitCode: number): Report {
  return {
    target: 'http://127.0.0.1:5555',
    suite: 'certification',
    profile: 'strict',
    complete: true,
    exitCode,
    summary,
    clauses: [],
    results: [],
  } as unknown as Report;
}

// The plain last line is what a CI log shows last: it must agree with the gate and with junit.xml's counts.
describe('the summary’s last line', () => {
  it('counts could-not-test apart from skips, and a warning as a pass', () => {
    const summary = { total: 92, pass: 60, fail: 0, warn: 2, notApplicable: 5, couldNotTest: 25 };
    expect(renderSummary(reportWith(summary, 3), { color: false }).at(-1)).toBe(
      '62 passed, 0 failed, 25 could not test, 5 skipped',
    );
  });

  it('counts a waived failure as skipped, as junit.xml does, so a passing gate never reads "4 failed"', () => {
    const summary = { total: 7, pass: 3, fail: 4, warn: 0, notApplicable: 0, couldNotTest: 0, waived: 4 };
    const lines = renderSummary(reportWith(summary, 0), { color: false });
    expect(lines.at(-3)).toBe('Gate: PASS (exit 0)');
    expect(lines.at(-2)).toBe('Warnings: 0; waived failures: 4, counted as skipped below');
    expect(lines.at(-1)).toBe('3 passed, 0 failed, 0 could not test, 4 skipped');
  });
});

// The run that printed "86 pass, 3 fail, 3 warn" and then "89 passed, 3 failed": the warnings were in the
// passes with nothing saying so.
describe('the summary says what it counts', () => {
  const summary = { total: 92, pass: 86, fail: 3, warn: 3, notApplicable: 0, couldNotTest: 0 };
  const lines = renderSummary(reportWith(summary, 1), { color: false });

  it('says the warnings apart on the line above the plain last line, as counted in its passes', () => {
    expect(lines.slice(-3)).toEqual([
      'Gate: FAIL (exit 1)',
      'Warnings: 3, counted as passed below (a SHOULD not met, or a lenient deviation)',
      '89 passed, 3 failed, 0 could not test, 0 skipped',
    ]);
  });

  it('gives the verdict counts in the last line’s order, so the two lines add up', () => {
    const counts = lines.find((line) => line.startsWith('92 cases: '));
    expect(counts).toBe('92 cases: 86 pass, 3 warn, 3 fail, 0 could-not-test, 0 not-applicable');
  });

  it('says there are no warnings when there are none, so the line above the last is always the warnings', () => {
    const clean = { total: 5, pass: 5, fail: 0, warn: 0, notApplicable: 0, couldNotTest: 0 };
    expect(renderSummary(reportWith(clean, 0), { color: false }).slice(-2)).toEqual([
      'Warnings: 0',
      '5 passed, 0 failed, 0 could not test, 0 skipped',
    ]);
  });
});
