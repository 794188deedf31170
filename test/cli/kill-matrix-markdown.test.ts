import { describe, expect, it } from 'vitest';
import { type FaultRow, type KillMatrix, renderKillMatrixMarkdown } from '../../cli/kill-matrix.ts';

function row(overrides: Partial<FaultRow>): FaultRow {
  return {
    fault: 'accepts-text-plain',
    description: 'text/plain is parsed',
    expectedCases: ['http.wipedata.content-type.text-plain'],
    caughtBy: ['http.wipedata.content-type.text-plain'],
    caughtByMust: ['http.wipedata.content-type.text-plain'],
    couldNotTest: [],
    exact: true,
    grade: 'MUST',
    mismatches: [],
    durationMs: 10,
    ...overrides,
  };
}

const matrix = (faults: FaultRow[]): KillMatrix => ({
  suite: 'http',
  variants: [],
  startedAt: '2026-12-01T00:00:00.000Z',
  durationMs: 1000,
  faults,
  notExercised: [],
  clean: { runs: 5, fails: 0, warns: 0, failedCases: [], couldNotTest: [] },
  gaps: ['HTTP-16'],
  caseClauses: { 'http.wipedata.content-type.text-plain': ['HTTP-2', 'HTTP-14'] },
});

describe('the kill matrix in Markdown', () => {
  it('marks an exact catch with the catching case, its level and clauses', () => {
    const md = renderKillMatrixMarkdown(matrix([row({})]));
    expect(md).toContain('| yes | http.wipedata.content-type.text-plain (MUST; HTTP-2, HTTP-14) |');
    expect(md).toContain('MUST clauses no fault breaks: HTTP-16');
  });

  it('says when a fault was missed, when only SHOULD cases caught a MUST fault, and when it needed a second run', () => {
    const md = renderKillMatrixMarkdown(
      matrix([
        row({ fault: 'missed', caughtBy: [], caughtByMust: [], exact: false }),
        row({ fault: 'should-only', caughtByMust: [], exact: false }),
        row({
          fault: 'unsteady',
          firstAttempt: { mismatches: [{ id: 'http.x', verdict: 'could-not-test', message: 'seed failed' }] },
        }),
      ]),
    );
    expect(md).toMatch(/`missed`: [^|]+\| \*\*NO\*\*/);
    expect(md).toMatch(/`should-only`: [^|]+\| \*\*no MUST case\*\*/);
    expect(md).toContain('- `unsteady`: http.x → could-not-test: seed failed');
  });

  it('sets each fault’s run time beside the healthy device’s and makes one over twice it stand out', () => {
    const md = renderKillMatrixMarkdown({
      ...matrix([
        row({ fault: 'quick', runMs: 30_000, overHealthy: 1 }),
        row({ fault: 'dies-on-poison', runMs: 900_000, overHealthy: 30 }),
      ]),
      healthyRunMs: 30_000,
      clean: { runs: 2, fails: 0, warns: 0, failedCases: [], couldNotTest: [], runMs: [29_000, 31_000] },
    });
    expect(md).toContain("The healthy device's run: 30.0 s (median of 2 clean runs)");
    expect(md).toContain('1 slow: `dies-on-poison`.');
    expect(md).toContain('| `quick` | 30.0 s | 1 |');
    expect(md).toContain('| `dies-on-poison` | 900.0 s | 30 **slow** |');
  });
});
