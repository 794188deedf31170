import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ReportServer, startReportServer } from '../../api/serve/start-report-server.ts';
import { renderHtml } from '../../reports/render-html.ts';
import type { Report } from '../../src/results/types.ts';
import { makeRunFolders, NEWER_RUN, OLDER_RUN } from '../fixtures/reports/run-folders.ts';
import { HOSTILE_VALUE, mixedReport } from '../fixtures/reports/sample-reports.ts';
import { CHROMIUM, HAS_CHROMIUM, launchChromium, SCREENSHOTS, watchPage } from '../helpers/browser.ts';
import { runSuiteAgainst, withDevice } from '../helpers/run-against-device.ts';

const FAILING = 'http.wipedata.flags.users';
const FAIL_IDS = [FAILING, 'http.wipedata.content-type.text-plain'];

if (!HAS_CHROMIUM) {
  process.stderr.write(
    `test/browser: skipped, ${CHROMIUM} is absent (apt-get install chromium); the HTML report is not checked in a browser\n`,
  );
}

const visibleCaseIds = (page: Page) =>
  page.$$eval('details.case:not([hidden])', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.id ?? ''));

describe.skipIf(!HAS_CHROMIUM)(`the HTML report in Chromium (${CHROMIUM})`, () => {
  const report: Report = mixedReport();
  let folder: string;
  let fileUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watchPage>;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'sophon-html-'));
    const file = join(folder, 'report.html');
    writeFileSync(file, renderHtml(report));
    fileUrl = pathToFileURL(file).href;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    seen = watchPage(page);
  });

  afterEach(async () => {
    // Nothing but the file itself (and data:/about: URLs) may be requested: the report works offline.
    const elsewhere = seen.requests.filter((url) => !/^(file:|data:|about:)/.test(url));
    expect(elsewhere).toEqual([]);
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('shows the gate and counts equal to report.summary', async () => {
    await page.goto(fileUrl);
    await expect.poll(() => page.textContent('.gate-label')).toBe('FAIL');
    expect(await page.textContent('.gate-meaning')).toContain('Exit 1');
    const counts = await page.$$eval('.count[data-verdict]', (nodes) =>
      Object.fromEntries(
        nodes.map((n) => [(n as HTMLElement).dataset.verdict, Number(n.querySelector('.count-n')?.textContent)]),
      ),
    );
    const s = report.summary;
    expect(counts).toEqual({
      pass: s.pass,
      fail: s.fail,
      warn: s.warn,
      'not-applicable': s.notApplicable,
      'could-not-test': s.couldNotTest,
      '': s.total,
    });
    expect(await page.textContent('.meta')).toContain('3.2.1-rc4');
    expect(await page.$$eval('.coverage .clause-item', (rows) => rows.length)).toBe(report.clauses.length);
    const uncovered = await page.$$eval('.coverage .uncovered-must .clause-id', (cells) =>
      cells.map((c) => c.textContent),
    );
    expect(uncovered).toEqual(report.clauses.filter((c) => c.verdict === 'uncovered').map((c) => c.id));
    expect(await page.textContent('.showing')).toBe('10 of 10 cases shown');
  });

  it('filters by verdict from the counts, and by level, tag and text', async () => {
    await page.goto(fileUrl);
    await page.click('.count[data-verdict="fail"]');
    expect(await visibleCaseIds(page)).toEqual([FAIL_IDS[0], FAIL_IDS[1]]);
    expect(await page.getAttribute('.count[data-verdict="fail"]', 'aria-pressed')).toBe('true');
    expect(new URL(page.url()).hash).toBe('#verdict=fail');
    await page.click('.count[data-verdict="fail"]');
    expect(await visibleCaseIds(page)).toHaveLength(report.results.length);

    await page.click('.count[data-verdict="could-not-test"]');
    expect(await visibleCaseIds(page)).toEqual(['http.wipedata.flags.all']);
    await page.click('.count[data-verdict=""]');

    await page.selectOption('#filter-level', 'SHOULD');
    expect(await visibleCaseIds(page)).toEqual(['http.wipedata.json.duplicate-keys', 'amqp.wipedata.redelivery.once']);
    await page.selectOption('#filter-transport', 'amqp');
    expect(await visibleCaseIds(page)).toEqual(['amqp.wipedata.redelivery.once']);
    await page.click('text=Clear filters');
    await page.selectOption('#filter-tag', 'reboot');
    expect(await visibleCaseIds(page)).toEqual([
      'http.wipedata.flags.users',
      'http.wipedata.flags.events',
      'http.wipedata.flags.all',
    ]);
    await page.click('text=Clear filters');
    await page.fill('#filter-q', 'UTF-16');
    expect(await visibleCaseIds(page)).toEqual(['http.wipedata.json.utf16']);
    await page.fill('#filter-q', 'zzz-nothing');
    expect(await visibleCaseIds(page)).toEqual([]);
    expect(await page.isVisible('.no-match')).toBe(true);
  });

  it('opens the first failure in one click from the top, showing expected vs received and the evidence', async () => {
    await page.goto(fileUrl);
    expect(await page.getAttribute(`[id="case-${FAILING}"]`, 'open')).toBeNull();
    await page.click('.first-failure-link');
    const failing = page.locator(`[id="case-${FAILING}"]`);
    await expect.poll(() => failing.getAttribute('open')).toBe('');
    await expect
      .poll(() => failing.locator('summary.case-row').evaluate((s) => s.getBoundingClientRect().top))
      .toBeLessThan(200);
    expect(new URL(page.url()).hash).toBe(`#case=${FAILING}`);
    const evr = failing.locator('.evr').first();
    expect(await evr.locator('.evr-check').textContent()).toBe('state.permissions');
    expect(await evr.locator('.evr-expected .evr-value').textContent()).toBe('permission groups emptied (2 before)');
    expect(await evr.locator('.evr-received .evr-value').textContent()).toBe('2 left');
    expect(await evr.isVisible()).toBe(true);
    // The HTTP exchange, the reboot timeline drawn as SVG, the state table and the curl line.
    expect(await failing.locator('.exchange-head').textContent()).toContain('POST');
    expect(await failing.locator('.exchange .json').first().textContent()).toBe('{\n  "users": true\n}');
    expect(await failing.locator('svg.timeline').getAttribute('aria-label')).toContain('down +212 ms');
    expect(await failing.locator('svg.timeline .mark-dot').count()).toBe(4);
    expect(await failing.locator('.state tr.r-row-fail').textContent()).toContain('Permission groups');
    expect(await failing.locator('.reproduce-cmd').textContent()).toMatch(/^curl -sS -i -X POST/);
  });

  it('opens and scrolls to a case from a link, and restores filters from the hash', async () => {
    await page.goto(`${fileUrl}#case=http.wipedata.json.duplicate-keys`);
    const dup = page.locator('[id="case-http.wipedata.json.duplicate-keys"]');
    await expect.poll(() => dup.getAttribute('open')).toBe('');
    await expect.poll(() => dup.evaluate((d) => d.getBoundingClientRect().top)).toBeLessThan(200);
    // Duplicate keys: the exact text is shown, not a pretty-print that would hide one of them.
    expect(await dup.locator('.note-warn').first().textContent()).toContain('Duplicate keys');
    expect(await dup.locator('.exchange pre').first().textContent()).toBe('{"users":false,"users":true}');

    await page.goto(`${fileUrl}#verdict=warn&level=SHOULD`);
    await page.reload();
    expect(await page.inputValue('#filter-verdict')).toBe('warn');
    expect(await visibleCaseIds(page)).toEqual(['http.wipedata.json.duplicate-keys']);
  });

  it('shows hostile evidence as text, binary bodies as hex, and unknown evidence as JSON', async () => {
    await page.goto(`${fileUrl}#case=http.wipedata.flags.string-value`);
    const hostile = page.locator('[id="case-http.wipedata.flags.string-value"]');
    await expect.poll(() => hostile.getAttribute('open')).toBe('');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await hostile.locator('.exchange .json').first().textContent()).toContain(HOSTILE_VALUE);
    expect(await hostile.textContent()).toContain('Other evidence: callbackTrace');

    const binary = page.locator('[id="case-http.wipedata.json.utf16"]');
    await binary.locator('summary.case-row').click();
    expect(await binary.locator('.hex').textContent()).toMatch(/^00000000 {2}ff fe 7b 00 22 00 75 00/);

    const mq = page.locator('[id="case-amqp.wipedata.reply.up-queue"]');
    await mq.locator('summary.case-row').click();
    expect(await mq.textContent()).toContain('Reply 1 on up_queue');
  });

  it('switches the labels to Chinese and back, and remembers the choice', async () => {
    await page.goto(fileUrl);
    expect(await page.textContent('#gate-title')).toBe('Gate verdict');
    await page.click('.lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('#gate-title')).toBe('门禁结论');
    expect(await page.textContent('.count[data-verdict="fail"] .count-label')).toContain('失败');
    expect(await page.textContent('#cases-title')).toBe('测试用例');
    await page.reload();
    // The page draws itself from its data once loaded; the remembered language is the one it draws in.
    await page.waitForFunction(() => document.querySelector('#gate-title')?.textContent === '门禁结论', undefined, {
      timeout: 5_000,
    });
    expect(await page.textContent('#gate-title')).toBe('门禁结论');
    await page.click('.lang-switch');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#gate-title')).toBe('Gate verdict');
    expect(await page.textContent('.count[data-verdict="fail"] .count-label')).toContain('Fail');
  });

  it('starts in Chinese for a Chinese browser', async () => {
    const zh = await browser.newContext({ locale: 'zh-CN' });
    const zhPage = await zh.newPage();
    const zhSeen = watchPage(zhPage);
    await zhPage.goto(fileUrl);
    expect(await zhPage.textContent('#gate-title')).toBe('门禁结论');
    expect(zhSeen.requests.filter((url) => !/^(file:|data:|about:)/.test(url))).toEqual([]);
    await zh.close();
    await page.goto(fileUrl);
  });

  it('prints every case expanded and no controls', async () => {
    await page.goto(`${fileUrl}#verdict=fail`);
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    expect(await page.isVisible('.toolbar')).toBe(false);
    expect(await page.isVisible('.lang-switch')).toBe(false);
    const cases = await page.$$eval('details.case', (nodes) =>
      nodes.map((n) => ({ open: (n as HTMLDetailsElement).open, shown: getComputedStyle(n).display !== 'none' })),
    );
    expect(cases).toHaveLength(report.results.length);
    expect(cases.every((c) => c.open && c.shown)).toBe(true);
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    await page.emulateMedia({ media: 'screen' });
    expect(await page.$$eval('details.case[open]', (nodes) => nodes.length)).toBe(0);
  });

  it('takes a screenshot for people to look at (reports/out/screenshots/html-report.png)', async () => {
    await page.goto(fileUrl);
    await page.click('.first-failure-link');
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'html-report.png'), fullPage: true });
    await page
      .locator(`[id="case-${FAILING}"]`)
      .screenshot({ path: join(SCREENSHOTS, 'html-report-failing-case.png') });
    expect(existsSync(join(SCREENSHOTS, 'html-report.png'))).toBe(true);
  });
});

describe.skipIf(!HAS_CHROMIUM)('the report browser (serve) in Chromium', () => {
  let folders: ReturnType<typeof makeRunFolders>;
  let server: ReportServer;
  let browser: Browser;

  beforeAll(async () => {
    folders = makeRunFolders();
    server = await startReportServer({ dir: folders.dir, port: 0 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(folders.parent, { recursive: true, force: true });
  });

  it('lists the runs, opens one, and compares two, showing the newly failing case', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    const seen = watchPage(page);
    const origin = new URL(server.url).origin;

    await page.goto(server.url);
    const rows = await page.$$eval('tr.run-row', (nodes) => nodes.map((n) => n.querySelector('th')?.textContent ?? ''));
    expect(rows[0]).toContain(NEWER_RUN);
    expect(rows.at(-1)).toContain(OLDER_RUN);
    expect(await page.textContent(`tr[data-run="${NEWER_RUN}"] .gate-badge`)).toContain('FAIL');

    await page.click(`a.run-name[href="runs/${NEWER_RUN}/"]`);
    await expect.poll(() => page.textContent('.gate-label')).toBe('FAIL');
    expect(page.url()).toBe(`${origin}/runs/${NEWER_RUN}/`);

    // The older run has no report.html: the browser renders report.json.
    await page.goto(`${origin}/runs/${OLDER_RUN}/`);
    expect(await page.textContent('.gate-label')).toBe('FAIL');

    await page.goto(server.url);
    expect(await page.inputValue('#compare-a')).toBe(OLDER_RUN);
    expect(await page.inputValue('#compare-b')).toBe(NEWER_RUN);
    await page.click('form.compare-form button[type="submit"]');
    await page.waitForURL(/\/compare\?/);
    const newlyFailing = page.locator('#newlyFailing');
    expect(await newlyFailing.textContent()).toContain(FAILING);
    expect(await newlyFailing.locator('.verdict-change').textContent()).toMatch(/Pass.*Fail/);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-runs.png'), fullPage: true });

    // From the comparison straight to the failing case in the newer run.
    await newlyFailing.locator(`a[href$="#case=${encodeURIComponent(FAILING)}"]`).click();
    await page.waitForURL(`${origin}/runs/${NEWER_RUN}/#case=${encodeURIComponent(FAILING)}`);
    await expect.poll(() => page.getAttribute(`[id="case-${FAILING}"]`, 'open')).toBe('');

    const notFound = await page.goto(`${origin}/runs/..%2F..%2Fsecret.txt/`);
    expect(notFound?.status()).toBe(404);
    expect(await page.textContent('body')).not.toContain(folders.secret);

    expect(seen.requests.filter((url) => !url.startsWith(origin) && !/^(data:|about:)/.test(url))).toEqual([]);
    // The 404 above is logged by Chromium as a failed load; any other error is a bug.
    expect(seen.errors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!HAS_CHROMIUM)('the HTML report of a real run (reference device with a fault)', () => {
  it('draws every case of an engine report without a script error', async () => {
    // The fixtures follow the types; this follows the engine: a run against the bundled device, with the
    // fault that keeps permission groups, so there is a failure with real evidence to draw.
    const report = await withDevice(['users-keeps-permissions'], (device) =>
      runSuiteAgainst(device, {
        selection: {
          only: ['http.wipedata.flags.users', 'http.wipedata.flags.events', 'http.wipedata.content-type.*'],
        },
      }),
    );
    expect(report.summary.fail).toBeGreaterThan(0);
    const folder = mkdtempSync(join(tmpdir(), 'sophon-html-real-'));
    const browser = await launchChromium();
    try {
      const file = join(folder, 'report.html');
      writeFileSync(file, renderHtml(report));
      const page = await browser.newPage({ locale: 'en-US' });
      const seen = watchPage(page);
      await page.goto(pathToFileURL(file).href);
      await page.click('.first-failure-link');
      const first = report.results.find((r) => r.verdict === 'fail');
      const node = page.locator(`[id="case-${first?.id}"]`);
      await expect.poll(() => node.getAttribute('open')).toBe('');
      expect(await node.locator('.evr').count()).toBeGreaterThan(0);
      await page.click('text=Expand all');
      expect(await page.$$eval('details.case[open]', (nodes) => nodes.length)).toBe(report.results.length);
      expect(await page.locator('svg.timeline').count()).toBeGreaterThan(0);
      expect(seen.errors).toEqual([]);
      expect(seen.requests.filter((url) => !/^(file:|data:|about:)/.test(url))).toEqual([]);
    } finally {
      await browser.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
