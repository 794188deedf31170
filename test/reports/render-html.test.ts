import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { embedJson } from '../../reports/html/page-shell.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { groupFailures } from '../../src/results/group-failures.ts';
import type { CheckResult, RebootTimeline, StateCategory, VerdictKind } from '../../src/results/types.ts';
import { HOSTILE_VALUE, interruptedReport, mixedReport, passingReport } from '../fixtures/reports/sample-reports.ts';

/** The text of every `<tag ...>…</tag>` element whose opening tag matches `open`. */
function elements(html: string, open: RegExp, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`${open.source}([\\s\\S]*?)</${tag}>`, 'g');
  for (const m of html.matchAll(re)) out.push(m[1] ?? '');
  return out;
}

function dataOf(html: string): unknown {
  const [json] = elements(html, /<script type="application\/json" id="report-data">/, 'script');
  return JSON.parse(json ?? 'null');
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

describe('renderHtml', () => {
  const report = mixedReport();
  const html = renderHtml(report);

  it('is one HTML document', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('embeds the report, which parses back to the same report', () => {
    expect(dataOf(html)).toEqual(report);
  });

  it('is self-contained: no reference to any host, no external script, style or font', () => {
    expect(html).not.toMatch(/\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link[^>]*rel=["']?stylesheet/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    // The only <link> is the empty data: icon that stops a browser asking for /favicon.ico.
    expect(html.match(/<link[^>]*>/g)).toEqual(['<link rel="icon" href="data:,">']);
  });

  it('locks the page down with a Content-Security-Policy naming its own script and style by hash', () => {
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    const [script] = elements(html, /<script>/, 'script');
    const [style] = elements(html, /<style>/, 'style');
    expect(csp).toContain(`script-src '${sha256(script ?? '')}'`);
    expect(csp).toContain(`style-src '${sha256(style ?? '')}'`);
  });

  it('escapes </script> and <!-- inside evidence so the data element cannot be closed early', () => {
    const body = report.results.find((r) => r.id === 'http.wipedata.flags.string-value')?.evidence.http?.[0]?.response
      ?.body.text;
    expect(body).toContain(HOSTILE_VALUE);
    expect(html).not.toContain(HOSTILE_VALUE);
    expect(html).not.toContain('<script>window.pwned');
    expect(html).toContain('\\u003c/script>\\u003cscript>window.pwned=1\\u003c/script>\\u003c!--');
    // Exactly three elements close: the failure groups, the data and the page script.
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(embedJson({ x: '</SCRIPT>' })).toBe('{"x":"\\u003c/SCRIPT>"}');
  });

  it('escapes report text that reaches the markup itself (title and fallback)', () => {
    const odd = { ...passingReport(), target: 'http://dev<b>"x"</b>:5555', suite: 'a&b' };
    const page = renderHtml(odd);
    expect(page).toContain(
      '<title>Conformance report: a&amp;b · http://dev&lt;b&gt;&quot;x&quot;&lt;/b&gt;:5555 · PASS</title>',
    );
    expect(page).not.toContain('<b>"x"</b>');
    expect(dataOf(page)).toEqual(odd);
  });

  it('says the gate and the counts without scripts (noscript)', () => {
    const noscript = elements(html, /<noscript>/, 'noscript')[0] ?? '';
    expect(noscript).toContain('Gate: FAIL (exit 1)');
    expect(noscript).toContain('10 cases: 5 pass, 2 fail, 1 warn, 1 not-applicable, 1 could-not-test');
    expect(noscript).toContain('FAIL http.wipedata.flags.users');
    expect(renderHtml(passingReport())).toContain('Gate: PASS (exit 0)');
    expect(renderHtml(interruptedReport())).toContain('Gate: INCOMPLETE (exit 3), interrupted: partial results');
  });

  it('embeds the failure groups of the report beside it, and lists them without scripts', () => {
    const [json] = elements(html, /<script type="application\/json" id="report-groups">/, 'script');
    const groups = groupFailures(report);
    expect(JSON.parse(json ?? 'null')).toEqual(groups);
    expect(groups.byCause.length).toBeGreaterThan(0);
    const noscript = elements(html, /<noscript>/, 'noscript')[0] ?? '';
    for (const g of groups.byCause) expect(noscript).toContain(`${g.cases.length} × ${g.verdict.toUpperCase()}`);
  });

  it('is a pure function of the report', () => {
    expect(renderHtml(mixedReport())).toBe(html);
  });
});

describe('the label dictionary', () => {
  const common = readFileSync(new URL('../../reports/html/common.js', import.meta.url), 'utf8');
  const context: Record<string, unknown> = {
    window: { localStorage: { getItem: () => null, setItem: () => undefined } },
    navigator: { language: 'en-US' },
    document: { documentElement: {} },
  };
  runInNewContext(common, context);
  const page = context.SophonPage as { LABELS: Record<string, { en?: string; zh?: string }> };
  const labels = page.LABELS;

  it('has every label in English and Chinese', () => {
    for (const [key, entry] of Object.entries(labels)) {
      expect(entry.en, key).toBeTruthy();
      expect(entry.zh, key).toBeTruthy();
      // Placeholders must be the same in both languages.
      const names = (text = '') => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(entry.zh), key).toEqual(names(entry.en));
    }
  });

  it('has every key the page scripts ask for', () => {
    const used = new Set<string>();
    for (const file of ['report.js', 'compare.js', 'run-index.js', 'fleet.js', 'common.js']) {
      const source = readFileSync(new URL(`../../reports/html/${file}`, import.meta.url), 'utf8');
      for (const m of source.matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1] ?? '');
      for (const m of source.matchAll(/(?:label|labelKey|key|titleKey):\s*'([a-z]+\.[A-Za-z0-9-]+)'/g))
        used.add(m[1] ?? '');
    }
    const verdicts: (VerdictKind | 'uncovered')[] = [
      'pass',
      'fail',
      'warn',
      'not-applicable',
      'could-not-test',
      'uncovered',
    ];
    const results: CheckResult[] = ['pass', 'fail', 'lenient', 'unobservable'];
    const outcomes: RebootTimeline['outcome'][] = ['stayed-up', 'rebooted', 'not-back', 'not-ready', 'rebooted-unseen'];
    const categories: StateCategory[] = ['identities', 'permissions', 'mediaDevices', 'events', 'settings'];
    for (const v of verdicts) used.add(`verdict.${v}`);
    for (const r of results) used.add(`result.${r}`);
    for (const o of outcomes) used.add(`reboot.${o}`);
    for (const c of categories) used.add(`state.${c}`);
    for (const p of ['strict', 'lenient']) used.add(`profile.${p}`);
    for (const code of [0, 1, 2, 3]) used.add(`gate.exit${code}`);
    const missing = [...used].filter((key) => !(key in labels));
    expect(missing).toEqual([]);
  });
});
