import { describe, expect, it } from 'vitest';
import { renderComparisonHtml } from '../../reports/render-comparison.ts';
import { compareRuns, evidenceDifferences } from '../../src/results/compare-runs.ts';
import type { CaseResult } from '../../src/results/types.ts';
import { baselineReport, eventsWipePassing, mixedReport } from '../fixtures/reports/sample-reports.ts';

const ids = (list: { id: string }[]) => list.map((c) => c.id);

describe('compareRuns', () => {
  const before = baselineReport();
  const after = mixedReport();
  const comparison = compareRuns(before, after);

  it('sorts verdict movements into newly failing, newly passing and still failing', () => {
    expect(ids(comparison.newlyFailing)).toEqual(['http.wipedata.flags.users']);
    expect(comparison.newlyFailing[0]).toMatchObject({ a: 'pass', b: 'fail', level: 'MUST' });
    expect(comparison.newlyFailing[0]?.messageB).toContain('state.permissions');
    expect(ids(comparison.newlyPassing)).toEqual(['http.wipedata.json.truncated']);
    expect(ids(comparison.stillFailing)).toEqual(['http.wipedata.content-type.text-plain']);
  });

  it('lists every verdict change, including pass → could-not-test', () => {
    expect(comparison.verdictChanges.map((c) => `${c.id} ${c.a}→${c.b}`)).toEqual([
      'http.wipedata.flags.users pass→fail',
      'http.wipedata.flags.all pass→could-not-test',
      'http.wipedata.json.truncated fail→pass',
    ]);
  });

  it('lists cases only one run holds', () => {
    expect(ids(comparison.added)).toEqual(['http.wipedata.flags.string-value']);
    expect(ids(comparison.removed)).toEqual(['http.wipedata.method.get']);
  });

  it('finds changed evidence even when the verdict stayed the same', () => {
    const events = comparison.changedEvidence.find((c) => c.id === 'http.wipedata.flags.events');
    expect(events).toMatchObject({ a: 'pass', b: 'pass' });
    expect(events?.differences).toEqual([
      { what: 'http.response.body', a: '{"code":"SUCCESS","result":true}', b: '{"result":true}' },
    ]);
    const users = comparison.changedEvidence.find((c) => c.id === 'http.wipedata.flags.users');
    expect(users?.differences).toContainEqual({ what: 'check state.permissions', a: 'pass', b: 'fail' });
    const truncated = comparison.changedEvidence.find((c) => c.id === 'http.wipedata.json.truncated');
    expect(truncated?.differences).toContainEqual({ what: 'http.response.status', a: '500', b: '400' });
    // A case that stopped before its checks is one difference, not one per check that did not run.
    const all = comparison.changedEvidence.find((c) => c.id === 'http.wipedata.flags.all');
    expect(all?.differences).toContainEqual({ what: 'checks', a: '2 ran', b: '0 ran' });
    expect(all?.differences.filter((d) => d.what.startsWith('check '))).toEqual([]);
    expect(comparison.unchanged).toBe(5);
  });

  it('records the two runs and whether they are comparable', () => {
    expect(comparison.a.startedAt).toBe(before.startedAt);
    expect(comparison.b.summary).toEqual(after.summary);
    expect(comparison.sameBasis).toBe(true);
    expect(compareRuns(before, { ...after, specHash: 'other' }).sameBasis).toBe(false);
  });

  it('says which of suite, target and spec hash differ, with both values', () => {
    expect(comparison.basisDifferences).toEqual([]);
    const other = compareRuns(before, { ...after, suite: 'http', specHash: 'f00d' });
    expect(other.basisDifferences).toEqual([
      { field: 'suite', a: before.suite, b: 'http' },
      { field: 'specHash', a: before.specHash, b: 'f00d' },
    ]);
    expect(compareRuns(before, { ...after, target: 'http://10.0.0.9:5555' }).basisDifferences).toEqual([
      { field: 'target', a: before.target, b: 'http://10.0.0.9:5555' },
    ]);
  });

  it('finds nothing between a run and itself', () => {
    const same = compareRuns(after, mixedReport());
    expect(same.verdictChanges).toEqual([]);
    expect(same.changedEvidence).toEqual([]);
    expect(same.added).toEqual([]);
    expect(same.removed).toEqual([]);
    expect(same.unchanged).toBe(after.results.length);
    expect(ids(same.stillFailing)).toEqual(['http.wipedata.flags.users', 'http.wipedata.content-type.text-plain']);
  });

  it('does not change its inputs', () => {
    const a = baselineReport();
    const b = mixedReport();
    compareRuns(a, b);
    expect(a).toEqual(baselineReport());
    expect(b).toEqual(mixedReport());
  });
});

describe('evidenceDifferences', () => {
  const base = eventsWipePassing();
  const withBody = (text: string): CaseResult => {
    const copy = structuredClone(base);
    const response = copy.evidence.http?.[0]?.response;
    if (response) response.body = { text, bytes: text.length };
    return copy;
  };

  it('compares JSON bodies by value, not by key order or spacing', () => {
    expect(evidenceDifferences(withBody('{"a":1,"b":[1,2]}'), withBody('{ "b": [1, 2], "a": 1 }'))).toEqual([]);
    expect(evidenceDifferences(withBody('{"a":1}'), withBody('{"a":2}'))).toEqual([
      { what: 'http.response.body', a: '{"a":1}', b: '{"a":2}' },
    ]);
  });

  it('compares non-JSON bodies by their text', () => {
    expect(evidenceDifferences(withBody('ok'), withBody('ok '))).toHaveLength(1);
  });

  it('reports a different reboot outcome and state afterwards', () => {
    const other = structuredClone(base);
    if (other.evidence.reboot) other.evidence.reboot.outcome = 'not-back';
    if (other.evidence.state?.after) other.evidence.state.after.events.count = 12;
    expect(evidenceDifferences(base, other)).toEqual([
      { what: 'reboot.outcome', a: 'rebooted', b: 'not-back' },
      { what: 'state.after.events', a: '0', b: '12' },
    ]);
  });

  it('ignores timings, which differ on every run', () => {
    const other = structuredClone(base);
    const x = other.evidence.http?.[0];
    if (x) x.completeAtMs = 999;
    if (other.evidence.reboot) other.evidence.reboot.readyAtMs = 4321;
    other.durationMs = 1;
    expect(evidenceDifferences(base, other)).toEqual([]);
  });

  it('cuts long texts', () => {
    const long = `"${'x'.repeat(1000)}"`;
    const [d] = evidenceDifferences(withBody('"short"'), withBody(long));
    expect(d?.b.length).toBeLessThan(500);
    expect(d?.b).toContain('(1002 chars)');
  });
});

describe('renderComparisonHtml', () => {
  const comparison = compareRuns(baselineReport(), mixedReport());
  const html = renderComparisonHtml(comparison, {
    a: { name: 'run-a', href: '/runs/run-a/' },
    b: { name: 'run-b', href: '/runs/run-b/' },
    indexHref: '/',
  });

  it('embeds the comparison and the run links', () => {
    const json = html.match(/<script type="application\/json" id="comparison-data">([\s\S]*?)<\/script>/)?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual({
      comparison,
      a: { name: 'run-a', href: '/runs/run-a/' },
      b: { name: 'run-b', href: '/runs/run-b/' },
      indexHref: '/',
    });
  });

  it('is self-contained and names the newly failing case without scripts', () => {
    expect(html).not.toMatch(/\b(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).toContain('Newly failing: http.wipedata.flags.users');
  });
});
