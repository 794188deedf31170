import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../api/lab/merge-shards.ts';
import { renderFleetConsole } from '../../reports/render-fleet-console.ts';
import { renderFleetHtml } from '../../reports/render-fleet-html.ts';
import type { FleetSummary } from '../../src/results/fleet-types.ts';
import { sampleLab, writeShardFolders } from '../fixtures/reports/fleet-shards.ts';
import { HOSTILE_VALUE } from '../fixtures/reports/sample-reports.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sophon-fleet-html-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sha256 = (text: string) => `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;

describe('renderFleetHtml', async () => {
  const { fleet } = await mergeShards(scratch, writeShardFolders(scratch, sampleLab(), 3));
  // A device name and an error holding markup must stay text.
  const hostile: FleetSummary = {
    ...fleet,
    devices: fleet.devices.map((d) => (d.name === 'bench-e' ? { ...d, error: HOSTILE_VALUE } : d)),
  };
  const html = renderFleetHtml(hostile);

  it('is one self-contained page: the shared shell and CSP, its own script and styles inline', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link[^>]*rel=["']?stylesheet|@import/i);
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/)?.[1] ?? '';
    const script = html.match(/<script>([\s\S]*?)<\/script>/)?.[1] ?? '';
    const style = html.match(/<style>([\s\S]*?)<\/style>/)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('connect-src');
    expect(csp).toContain(`script-src '${sha256(script)}'`);
    expect(csp).toContain(`style-src '${sha256(style)}'`);
    // The shared dictionary and builders, then the fleet's own code; report.css, then fleet.css.
    expect(script).toContain('globalThis.SophonPage');
    expect(script).toContain("readData('fleet-data')");
    expect(style).toContain('.fleet-matrix');
    expect(style.indexOf('--pass:')).toBeLessThan(style.indexOf('.fleet-matrix'));
  });

  it('embeds the fleet, which parses back unchanged, and keeps markup in it as text', () => {
    const json = html.match(/<script type="application\/json" id="fleet-data">([\s\S]*?)<\/script>/)?.[1] ?? '';
    expect(JSON.parse(json)).toEqual(hostile);
    expect(html).not.toContain(HOSTILE_VALUE);
    expect(html.match(/<\/script>/gi)).toHaveLength(2);
    expect(html).toContain('<title>Fleet report: certification · 6 devices · NOT RUN</title>');
  });

  it('asks only for labels the dictionary has, in both languages', () => {
    const common = readFileSync(new URL('../../reports/html/common.js', import.meta.url), 'utf8');
    const page = readFileSync(new URL('../../reports/html/fleet.js', import.meta.url), 'utf8');
    const context: Record<string, unknown> = {
      window: { localStorage: { getItem: () => null, setItem: () => undefined } },
      navigator: { language: 'en-US' },
      document: { documentElement: {} },
    };
    runInNewContext(common, context);
    const labels = (context.SophonPage as { LABELS: Record<string, { en: string; zh: string }> }).LABELS;
    // Every quoted key the page names (t('…'), tables of keys), fleet's own and the shared ones it reuses.
    const used = new Set(
      [...page.matchAll(/'((?:fleet|gate|meta|index|verdict|evidence|app|profile)\.[A-Za-z0-9-]+)'/g)].map(
        (m) => m[1] ?? '',
      ),
    );
    for (const code of [0, 1, 2, 3]) used.add(`fleet.exit${code}`);
    expect([...used].filter((key) => !(key in labels))).toEqual([]);
    // And no fleet label is left unused.
    const fleetLabels = Object.keys(labels).filter((k) => k.startsWith('fleet.'));
    expect(fleetLabels.filter((k) => !used.has(k))).toEqual([]);
  });

  it('is what merge prints on the console, one line a device', () => {
    const lines = renderFleetConsole(fleet);
    expect(lines[0]).toBe('fleet: 6 devices in 3 shards (3 given), suite certification, spec hash 3f1c9a0b7d2e');
    expect(lines.filter((l) => /^bench-[a-f] /.test(l))).toHaveLength(6);
    expect(lines.at(-1)).toBe("fleet: 3 pass, 1 fail, 1 incomplete, 1 not run, 0 missing; exit 2 (the worst device's)");
  });
});
