import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReports } from '../../api/write-reports.ts';
import { renderJunit } from '../../reports/render-junit.ts';
import { buildReport } from '../../src/results/build-report.ts';
import type { CaseResult } from '../../src/results/types.ts';
import { mixedReport } from '../fixtures/reports/sample-reports.ts';

function result(id: string, verdict: CaseResult['verdict'], message = 'm'): CaseResult {
  return {
    id,
    title: `title of ${id}`,
    level: 'MUST',
    clauses: ['HTTP-2'],
    transport: 'http',
    tags: [],
    source: 'specs/http/wipedata.yaml:3:5',
    verdict,
    message,
    checks: [
      {
        check: 'status',
        level: 'MUST',
        result: verdict === 'fail' ? 'fail' : 'pass',
        expected: 'status 200',
        received: 'status 500',
      },
    ],
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 12,
    evidence: {},
  };
}

describe('renderJunit', () => {
  const report = buildReport({
    tool: 'sophon-conformance',
    version: 't',
    target: 'http://127.0.0.1:5555',
    profile: 'strict',
    suite: 'http',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    complete: true,
    specHash: 'abc',
    clauses: [],
    results: [
      result('http.a.pass', 'pass'),
      result('http.a.fail', 'fail', 'status: expected status 200; received <500> & "\u0001bad"'),
      result('http.a.cnt', 'could-not-test'),
      result('http.a.na', 'not-applicable'),
      result('http.a.warn', 'warn'),
    ],
  });
  const xml = renderJunit(report);

  it('maps verdicts in one table: fail → failure, could-not-test → error, not-applicable → skipped', () => {
    expect(xml).toMatch(/tests="5" failures="1" errors="1" skipped="1"/);
    expect(xml).toMatch(
      /name="http\.a\.fail"[^>]*>\s*<failure message="status: expected status 200; received &lt;500&gt; &amp; &quot;bad&quot;"/,
    );
    expect(xml).toMatch(/name="http\.a\.cnt"[^>]*>\s*<error /);
    expect(xml).toMatch(/name="http\.a\.na"[^>]*>\s*<skipped /);
    expect(xml).toMatch(/name="http\.a\.warn"[^>]*>\s*<system-out>WARN/);
  });

  it('drops characters XML cannot carry', () => {
    expect(xml).not.toContain(String.fromCharCode(1));
  });
});

describe('junit.xml as written', () => {
  it('is streamed a testcase at a time, the same bytes as renderJunit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sophon-junit-'));
    try {
      const report = mixedReport();
      const { junit } = writeReports(report, dir, ['junit']);
      const written = readFileSync(junit as string, 'utf8');
      expect(written).toBe(renderJunit(report));
      expect(written).toMatch(/^<\?xml[\s\S]*<testsuite name="http"[\s\S]*<\/testsuites>\n$/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
