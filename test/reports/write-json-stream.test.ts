import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamJson, writeJsonFile } from '../../api/write-json-stream.ts';
import { writeReports } from '../../api/write-reports.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { baselineReport, interruptedReport, mixedReport, passingReport } from '../fixtures/reports/sample-reports.ts';

const dir = mkdtempSync(join(tmpdir(), 'sophon-json-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roundTrip(value: unknown): { streamed: string; expected: string } {
  const path = join(dir, 'out.json');
  writeJsonFile(path, value);
  return { streamed: readFileSync(path, 'utf8'), expected: `${JSON.stringify(value, null, 2)}\n` };
}

describe('writeJsonFile', () => {
  it('writes exactly what JSON.stringify(value, null, 2) gives, at every depth', () => {
    const value = {
      tool: 'sophon-conformance',
      empty: {},
      none: [],
      skipped: undefined,
      fn: () => 1,
      when: new Date(0),
      nested: { a: [1, undefined, () => 2, { b: 'line\nbreak "quoted"', c: [[], {}, [null]] }], d: Number.NaN },
      results: Array.from({ length: 50 }, (_, i) => ({
        id: `case.${i}`,
        verdict: i % 3 ? 'pass' : 'fail',
        evidence: { http: [{ request: { body: { text: 'x'.repeat(i * 400), bytes: i } } }], notes: undefined },
        checks: i % 2 ? [] : [{ check: 'status', expected: '≠ 200', received: '415' }],
      })),
      unicode: '\u2028 ünïcödé 😀',
    };
    const { streamed, expected } = roundTrip(value);
    expect(streamed).toBe(expected);
  });

  it('handles top-level arrays and primitives', () => {
    for (const value of [[1, [2, [3, [4, [5]]]]], 'text', 42, null, [], {}]) {
      const { streamed, expected } = roundTrip(value);
      expect(streamed).toBe(expected);
    }
  });

  it('matches the sample reports byte for byte', () => {
    for (const report of [mixedReport(), baselineReport(), passingReport(), interruptedReport()]) {
      const { streamed, expected } = roundTrip(report);
      expect(streamed).toBe(expected);
    }
  });
});

describe('the streamed writers', () => {
  it('streamJson in compact mode gives exactly JSON.stringify(value)', () => {
    for (const value of [mixedReport(), baselineReport(), { a: [1, undefined, { b: '</script>\u2028' }], e: {} }, []]) {
      let text = '';
      streamJson(
        (piece) => {
          text += piece;
        },
        value,
        false,
      );
      expect(text).toBe(JSON.stringify(value));
    }
  });

  it('writes report.html byte for byte as renderHtml renders it', () => {
    const report = mixedReport();
    const out = join(dir, 'html');
    writeReports(report, out, ['html']);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toBe(renderHtml(report));
  });
});
