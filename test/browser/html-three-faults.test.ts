import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderComparisonHtml } from '../../reports/render-comparison.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { compareRuns } from '../../src/results/compare-runs.ts';
import { type FailureGroups, groupFailures } from '../../src/results/group-failures.ts';
import type { Report } from '../../src/results/types.ts';
import { HAS_CHROMIUM, launchChromium, SCREENSHOTS, watchPage } from '../helpers/browser.ts';
import { runMqSuite } from '../helpers/run-against-device.ts';

const SCREENSHOT = join(SCREENSHOTS, 'html-three-faults.png');
/** The window a QA engineer reads the report in: what must be visible without scrolling. */
const VIEWPORT = { width: 1400, height: 900 };
/** Three faults that together fail most of the certification suite: error statuses, malformed JSON, permissions. */
const FAULTS = ['error-status-200', 'ok-on-malformed-json', 'users-keeps-permissions'];
const HTTP_TITLE = '清理数据/sophon/v2/face/wipedata（POST）';
const MQ_TITLE = '设备数据清理MQ消息';

describe.skipIf(!HAS_CHROMIUM)('the HTML report of a run with three faults, at 1400×900', () => {
  let folder: string;
  let report: Report;
  let groups: FailureGroups;
  let browser: Browser;

  beforeAll(async () => {
    // A real run: the certification suite (HTTP and MQ) against the reference device with three faults.
    report = await runMqSuite(FAULTS, { suite: 'certification' });
    groups = groupFailures(report);
    folder = mkdtempSync(join(tmpdir(), 'sophon-html-three-'));
    writeFileSync(join(folder, 'report.html'), renderHtml(report));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  async function open(file: string): Promise<{ page: Page; seen: ReturnType<typeof watchPage> }> {
    const context = await browser.newContext({ locale: 'en-US', viewport: VIEWPORT });
    const page = await context.newPage();
    const seen = watchPage(page);
    await page.goto(pathToFileURL(join(folder, file)).href);
    return { page, seen };
  }

  async function done(page: Page, seen: ReturnType<typeof watchPage>): Promise<void> {
    expect(seen.requests.filter((url) => !/^(file:|data:|about:)/.test(url))).toEqual([]);
    expect(seen.errors).toEqual([]);
    await page.context().close();
  }

  it('shows the failures grouped by cause above the fold, the first failure one click away', async () => {
    const problems = report.results.filter((r) => ['fail', 'could-not-test', 'warn'].includes(r.verdict));
    expect(report.summary.fail).toBeGreaterThan(40);
    // Three causes, not fifty rows: the groups are what a reader takes in at once.
    expect(groups.byCause.length * 4).toBeLessThan(problems.length);

    const { page, seen } = await open('report.html');
    const rows = page.locator('#groups-by-cause > details.group');
    expect(await rows.count()).toBe(groups.byCause.length);
    const failGroups = groups.byCause.filter((g) => g.verdict === 'fail');
    for (let i = 0; i < failGroups.length; i++) {
      const box = await rows.nth(i).locator('summary').boundingBox();
      expect(box, `group ${i + 1}`).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0), `group ${i + 1} ends above the fold`).toBeLessThanOrEqual(
        VIEWPORT.height,
      );
    }
    const first = await page.locator('.first-failure-link').boundingBox();
    expect((first?.y ?? VIEWPORT.height) + (first?.height ?? 0)).toBeLessThanOrEqual(VIEWPORT.height);

    // Each group says how many cases and its shared reason once.
    const [largest] = groups.byCause;
    const top = rows.first();
    expect(await top.locator('.group-count').textContent()).toBe(`${largest?.cases.length} cases`);
    const sharedChecks = await top.locator('.shared-check-name').allTextContents();
    expect(sharedChecks).toEqual(largest?.checks.slice(0, 3).map((c) => c.check));
    expect(await top.locator('.shared-received').first().textContent()).toBe(largest?.checks[0]?.received);

    // Opened, a group lists its cases; a case link opens that case in the case list.
    await top.locator('summary').click();
    const links = top.locator('.group-cases .case-link');
    expect(await links.allTextContents()).toEqual(largest?.cases);
    const id = largest?.cases[1] ?? '';
    await links.nth(1).click();
    await expect.poll(() => page.getAttribute(`[id="case-${id}"]`, 'open')).toBe('');
    await done(page, seen);
  });

  it('groups the same failures by clause on demand', async () => {
    const { page, seen } = await open('report.html');
    expect(await page.isVisible('#groups-by-clause')).toBe(false);
    await page.click('button.group-switch[data-view="clause"]');
    expect(await page.isVisible('#groups-by-cause')).toBe(false);
    const clauses = page.locator('#groups-by-clause > details.group');
    expect(await clauses.count()).toBe(groups.byClause.length);
    const [worst] = groups.byClause;
    expect(await clauses.first().getAttribute('data-clause')).toBe(worst?.clause);
    expect(await clauses.first().locator('.group-count').textContent()).toBe(
      `${worst?.cases.length} of ${worst?.total} cases`,
    );
    // In Chinese the same view stays, with the group that was open still open.
    await clauses.first().locator('summary').click();
    await page.click('.lang-switch');
    expect(await page.textContent('#groups-title')).toBe('问题归类');
    expect(await page.isVisible('#groups-by-clause')).toBe(true);
    expect(await page.locator('#groups-by-clause > details.group').first().getAttribute('open')).toBe('');
    expect(await page.locator('#groups-by-clause > details.group').first().locator('.group-count').textContent()).toBe(
      `${worst?.total} 个用例中 ${worst?.cases.length} 个`,
    );
    await page.click('.lang-switch');
    await done(page, seen);
  });

  it('keeps the clause coverage compact, each source named by its document title first', async () => {
    const { page, seen } = await open('report.html');
    const coverage = await page.locator('#coverage').boundingBox();
    expect(coverage?.height).toBeLessThan(600);
    expect(await page.locator('#coverage .clause-item').count()).toBe(report.clauses.length);
    // One cell per citing case, coloured by that case's verdict.
    const http14 = report.clauses.find((c) => c.id === 'HTTP-14');
    const cells = page.locator('.clause-item[data-clause="HTTP-14"] .verdict-strip .cell');
    expect(await cells.count()).toBe(http14?.cases.length);

    await page.click('.clause-item[data-clause="HTTP-2"] summary');
    expect(await page.textContent('.clause-item[data-clause="HTTP-2"] .clause-source')).toBe(
      `Source: ${HTTP_TITLE} — 000_2427abba6c145ae1.txt § 错误码`,
    );
    await page.click('.clause-item[data-clause="MQ-4"] summary');
    expect(await page.textContent('.clause-item[data-clause="MQ-4"] .clause-source')).toMatch(
      new RegExp(`^Source: ${MQ_TITLE} — 001_e656d4a67e7a6228\\.txt § `),
    );
    // What a reader sees on opening the report: the gate, then the groups.
    await page.reload();
    await page.evaluate(() => window.scrollTo(0, 0));
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    process.stdout.write(`test/browser: the three-fault report at 1400×900 is in ${SCREENSHOT}\n`);
    expect(existsSync(SCREENSHOT)).toBe(true);
    await done(page, seen);
  });

  it('says on the comparison page which of suite, target and spec hash differ, with both values', async () => {
    const other: Report = { ...report, suite: 'http', specHash: `${report.specHash.slice(0, 8)}0000` };
    writeFileSync(join(folder, 'compare.html'), renderComparisonHtml(compareRuns(report, other)));
    const { page, seen } = await open('compare.html');
    const items = await page.$$eval('.basis-differences li', (nodes) =>
      nodes.map((n) => [
        (n as HTMLElement).dataset.field,
        n.querySelector('.basis-a')?.textContent,
        n.querySelector('.basis-b')?.textContent,
      ]),
    );
    expect(items).toEqual([
      ['suite', 'certification', 'http'],
      ['specHash', report.specHash, other.specHash],
    ]);
    expect(await page.textContent('.compare-warning')).toContain('Suite: A certification · B http');
    await done(page, seen);
  });
});
