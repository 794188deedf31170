import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../api/lab/merge-shards.ts';
import type { FleetSummary } from '../../src/results/fleet-types.ts';
import { sampleLab, writeShardFolders } from '../fixtures/reports/fleet-shards.ts';
import { CHROMIUM, HAS_CHROMIUM, launchChromium, SCREENSHOTS, watchPage } from '../helpers/browser.ts';

const rows = (page: Page, selector: string) =>
  page.$$eval(selector, (nodes) => nodes.map((n) => (n as HTMLElement).dataset.device ?? ''));

describe.skipIf(!HAS_CHROMIUM)(`the fleet page in Chromium (${CHROMIUM})`, () => {
  let dir: string;
  let fleet: FleetSummary;
  let half: FleetSummary;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sophon-fleet-page-'));
    // The shard folders collected under OUT, as a CI download step leaves them.
    const shards = writeShardFolders(dir, sampleLab(), 3);
    fleet = (await mergeShards(dir, shards)).fleet;
    half = (await mergeShards(join(dir, 'half'), [shards[0] as string, shards[2] as string])).fleet;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(file: string, locale = 'en-US'): Promise<{ page: Page; seen: ReturnType<typeof watchPage> }> {
    const context = await browser.newContext({ locale, viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(pathToFileURL(file).href);
    return { page, seen };
  }

  /** Nothing but files on disk (and data:/about:) may be asked for, and no script may fail. */
  async function done(page: Page, seen: ReturnType<typeof watchPage>): Promise<void> {
    expect(seen.requests.filter((url) => !/^(file:|data:|about:)/.test(url))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.context().close();
  }

  it('shows the fleet gate and the devices by gate as fleet-summary.json counts them', async () => {
    const { page, seen } = await open(join(dir, 'fleet.html'));
    expect(await page.textContent('.fleet-gate .gate-label')).toBe('NOT RUN');
    expect(await page.textContent('.fleet-gate .gate-meaning')).toContain('Exit 2');
    const counts = await page.$$eval('.fleet-gate .count', (nodes) =>
      nodes.map((n) => Number(n.querySelector('.count-n')?.textContent)),
    );
    const s = fleet.summary;
    expect(counts).toEqual([s.pass, s.fail, s.incomplete, s.notRun, s.missing]);
    expect(await page.isVisible('.fleet-missing')).toBe(false);
    await done(page, seen);
  });

  it('groups the devices by firmware version, each with its gate and counts, linked to its report', async () => {
    const { page, seen } = await open(join(dir, 'fleet.html'));
    const groups = await page.$$eval('section.firmware-group', (nodes) =>
      nodes.map((n) => ({
        version: (n as HTMLElement).dataset.version,
        devices: Array.from(n.querySelectorAll('tr.device-row'), (r) => (r as HTMLElement).dataset.device),
      })),
    );
    expect(groups).toEqual(fleet.firmware.map((g) => ({ version: g.version ?? '', devices: g.devices })));
    const b = page.locator('section.firmware-group tr[data-device="bench-b"]');
    expect(await b.locator('.gate-badge').textContent()).toContain('FAIL');
    expect(await b.locator('.run-count[data-verdict="fail"]').textContent()).toContain('2');
    expect(await b.locator('a.device-link').getAttribute('href')).toBe('shard-2/bench-b/report.html');
    const e = page.locator('section.firmware-group tr[data-device="bench-e"]');
    expect(await e.textContent()).toContain('TARGET_UNREACHABLE');
    await done(page, seen);
  });

  it('draws which device fails which clause at what level, and a cell opens the case in the device report', async () => {
    const { page, seen } = await open(join(dir, 'fleet.html'));
    const failing = await page.$$eval('.fleet-matrix td.cell[data-verdict="fail"]', (cells) =>
      cells
        .map((c) => `${(c.closest('tr') as HTMLElement).dataset.device} ${(c as HTMLElement).dataset.clause}`)
        .sort(),
    );
    expect(failing).toEqual(fleet.clauses.flatMap((c) => c.fail.map((d) => `${d} ${c.id}`)).sort());
    const cell = page.locator('tr[data-device="bench-b"] td.cell[data-clause="HTTP-6"]');
    expect(await cell.getAttribute('data-level')).toBe('MUST');
    expect(await cell.getAttribute('title')).toContain('bench-b · HTTP-6 (MUST): Fail');
    expect(await cell.getAttribute('title')).toContain('http.wipedata.flags.users [MUST] Fail');
    // The relative link works from disk: the device's own report opens at the failing case.
    await cell.locator('a').click();
    await page.waitForURL(/shard-2\/bench-b\/report\.html#case=http\.wipedata\.flags\.users$/);
    await expect.poll(() => page.getAttribute('[id="case-http.wipedata.flags.users"]', 'open')).toBe('');
    expect(await page.textContent('.gate-label')).toBe('FAIL');
    await done(page, seen);
  });

  it('narrows the matrix to the clauses and devices that did not pass', async () => {
    const { page, seen } = await open(join(dir, 'fleet.html'));
    const columns = () =>
      page.$$eval('.fleet-matrix th.clause-col', (c) => c.map((n) => (n as HTMLElement).dataset.clause));
    const covered = fleet.clauses.filter((c) => fleet.devices.some((d) => d.clauses[c.id])).map((c) => c.id);
    expect(await columns()).toEqual(covered);
    await page.check('#toggle-onlyProblemClauses');
    const troubled = fleet.clauses
      .filter((c) => c.fail.length + c.warn.length + c.couldNotTest.length)
      .map((c) => c.id);
    expect(await columns()).toEqual(troubled);
    expect(troubled.length).toBeLessThan(covered.length);
    expect(await rows(page, '.fleet-matrix tr.matrix-row')).toHaveLength(6);
    await page.check('#toggle-onlyProblemDevices');
    expect(await rows(page, '.fleet-matrix tr.matrix-row')).toEqual(['bench-b', 'bench-d', 'bench-e']);
    await done(page, seen);
  });

  it('names the missing shard and its devices above everything else', async () => {
    const { page, seen } = await open(join(dir, 'half', 'fleet.html'));
    expect(await page.textContent('.fleet-gate .gate-label')).toBe('NOT RUN');
    expect(await page.textContent('.fleet-missing')).toContain('Shard 2/3: bench-b, bench-e');
    expect(half.missingShards).toEqual([{ index: 2, devices: ['bench-b', 'bench-e'] }]);
    expect(await page.textContent('tr.matrix-row[data-device="bench-b"]')).toContain('MISSING');
    // Its links reach the shard folders one level up, where they are.
    expect(await page.getAttribute('tr.matrix-row[data-device="bench-a"] a.device-link', 'href')).toBe(
      '../shard-1/bench-a/report.html',
    );
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-report-missing-shard.png'), fullPage: true });
    await done(page, seen);
  });

  it('switches to Chinese and back, and starts in Chinese for a Chinese browser', async () => {
    const { page, seen } = await open(join(dir, 'fleet.html'));
    expect(await page.textContent('#gate-title')).toBe('Fleet gate');
    await page.click('.lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('#gate-title')).toBe('设备群门禁结论');
    expect(await page.textContent('#matrix-title')).toBe('条款 × 设备');
    await page.click('.lang-switch');
    expect(await page.textContent('#matrix-title')).toBe('Clauses × devices');
    await done(page, seen);
    const zh = await open(join(dir, 'fleet.html'), 'zh-CN');
    expect(await zh.page.textContent('#firmware-title')).toBe('按固件版本分组的设备');
    await done(zh.page, zh.seen);
  });

  it('takes a screenshot for people to look at (reports/out/screenshots/fleet-report.png)', async () => {
    const { page, seen } = await open(join(dir, 'fleet.html'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-report.png'), fullPage: true });
    expect(existsSync(join(SCREENSHOTS, 'fleet-report.png'))).toBe(true);
    await done(page, seen);
  });
});
