import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportServer, startReportServer } from '../../api/serve/start-report-server.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import { readArchive } from '../../src/bundle/verify-bundle.ts';
import { openLedger } from '../../src/ledger/index.ts';
import { CHROMIUM, HAS_CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/browser.ts';
import { runCli } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS } from '../helpers/run-against-device.ts';
import { MINIMAL_CASE, MINIMAL_CLAUSES, tempSpecRoot } from '../helpers/temp-specs.ts';
import { makeReport } from '../ledger/make-report.ts';

// Where the integrator collects the pictures of a session's work (absent on CI: then only SCREENSHOTS).
const SHARED_SCREENS = '/work/screens';

if (!HAS_CHROMIUM && process.env.CI) {
  throw new Error(`test/browser: ${CHROMIUM} is absent under CI; .ci/run should have installed it`);
}

// Two cases covering a two-clause catalogue: a whole run takes a few seconds.
const SPECS = tempSpecRoot({
  'specs/clauses.yaml': MINIMAL_CLAUSES,
  'specs/http/content-type.yaml': `transport: http\ncases:\n${MINIMAL_CASE}${MINIMAL_CASE.replace(
    'http.wipedata.content-type.text-plain',
    'http.wipedata.content-type.form-urlencoded',
  )
    .replace('text/plain is refused', 'a form is refused')
    .replace('content-type: text/plain', 'content-type: application/x-www-form-urlencoded')}`,
  'suites/certification.yaml': 'name: certification\ndescription: the two cases\ninclude: ["http.**"]\n',
});
const TEXT_PLAIN = 'http.wipedata.content-type.text-plain';
const SECRET = 'hunter2-s3cr3t';

describe.skipIf(!HAS_CHROMIUM)(`the ledger's pages in serve, in Chromium (${CHROMIUM})`, () => {
  let work: string;
  let ledger: string;
  let server: ReportServer;
  let browser: Browser;
  let benchPort = 0;
  let runs = 0;
  const ids: Record<string, string> = {};
  let bundle = '';

  /** One real `run` against the reference device playing `firmware`; returns its folder. */
  async function runOn(firmware: string, faults: string[], extra: string[] = [], record = true): Promise<string> {
    const device = await startDevice({
      port: benchPort,
      systemPort: 0,
      dataDir: mkdtempSync(join(work, 'device-')),
      bootMs: 40,
      faults,
      firmware,
    });
    benchPort = device.port;
    const out = join(work, 'out', `run-${++runs}`);
    try {
      const run = await runCli(
        [
          'run',
          ...(extra.includes('--rerun-failed') ? [] : ['--specs', SPECS]),
          ...['--target', device.url, '--system-port', String(device.systemPort), ...FAST_WINDOW_FLAGS],
          ...['--reporter', 'json', '--out', out, ...(record ? ['--ledger', ledger] : ['--no-ledger']), ...extra],
        ],
        { killAfterMs: 90_000 },
      );
      if (!record) {
        if (run.code !== 0) throw new Error(`run on ${firmware} failed:\n${run.stdout}\n${run.stderr}`);
        return out;
      }
      const recorded = /^ledger: recorded run ([0-9a-f]{16})/m.exec(`${run.stdout}\n${run.stderr}`);
      if (!recorded) throw new Error(`run on ${firmware} was not recorded:\n${run.stdout}\n${run.stderr}`);
      ids[`${firmware}#${runs}`] = recorded[1] as string;
      return out;
    } finally {
      await device.close();
    }
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sophon-ledger-pages-'));
    ledger = join(work, 'ledger.sqlite');
    mkdirSync(join(work, 'out'));
    // 6.2.3 certified; 6.2.4 accepts text/plain (a MUST regression); 6.2.5 failed once on a lab fault that
    // was set aside, then passed; 6.2.6 failed and passed: flaky; 6.2.7 only a rerun of the failed case.
    await runOn('6.2.3', []);
    const broken = await runOn('6.2.4', ['accepts-text-plain']);
    await runOn('6.2.5', ['accepts-text-plain']);
    await runOn('6.2.5', []);
    await runOn('6.2.6', ['accepts-text-plain']);
    await runOn('6.2.6', []);
    await runOn('6.2.7', [], ['--rerun-failed', broken]);
    // 6.2.8 comes into the ledger from a signed certification bundle, as a lab hands one over.
    const { privateKey } = generateKeyPairSync('ed25519');
    const key = join(work, 'sign.pem');
    writeFileSync(key, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    bundle = join(work, 'cert-6.2.8.tar.gz');
    await runOn('6.2.8', [], ['--bundle', bundle, '--sign-key', key], false);
    const imported = await runCli(['ledger', 'import', bundle, '--ledger', ledger], { killAfterMs: 60_000 });
    expect(imported.stdout, imported.stderr).toMatch(/^recorded [0-9a-f]{16} {2}firmware 6\.2\.8 /m);
    const store = await openLedger(ledger);
    try {
      await store.setAside(ids['6.2.5#3'] as string, 'bench PSU brown-out (INC-7)');
      // An imported report that a run of ours did not write: its secrets must not reach a page.
      const foreign = makeReport({
        firmware: '9.0.0',
        target: `http://admin:${SECRET}@127.0.0.1:5555`,
        cases: [{ id: 'http.x', verdict: 'fail', clauses: ['HTTP-2'] }],
        startedAt: '2027-01-01T00:00:00.000Z',
      });
      const first = foreign.results[0];
      if (first) first.message = `broker amqp://guest:${SECRET}@127.0.0.1:5672/ refused the publish`;
      ids.foreign = (await store.recordRun(foreign, 'elsewhere/report.json')).id;
    } finally {
      await store.close();
    }
    server = await startReportServer({ dir: join(work, 'out'), ledger });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(SPECS, { recursive: true, force: true });
  });

  /** Every request a page makes, and every script error it meets. */
  async function open(path: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL(path, server.url).href);
    return { page, requests, errors };
  }

  /** Only the server itself (and data:) is asked for, no script fails, no secret shows; then a screenshot. */
  async function done(opened: Awaited<ReturnType<typeof open>>, screenshot?: string): Promise<void> {
    const { page, requests, errors } = opened;
    const origin = new URL(server.url).origin;
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.content()).not.toContain(SECRET);
    if (screenshot) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = join(SCREENSHOTS, `ledger-${screenshot}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (existsSync(SHARED_SCREENS)) copyFileSync(file, join(SHARED_SCREENS, `ledger-${screenshot}.png`));
    }
    await page.context().close();
  }

  const rowState = (page: Page, firmware: string) =>
    page.getAttribute(`tr.build-row[data-firmware="${firmware}"]`, 'data-state');

  it('the run index links to the builds, which show each build with its status, counts and last run', async () => {
    const opened = await open('/');
    const { page } = opened;
    await page.click('a.ledger-link');
    await page.waitForURL(/\/builds$/);
    const firmware = await page.$$eval('tr.build-row', (rows) => rows.map((r) => (r as HTMLElement).dataset.firmware));
    expect(firmware).toEqual(['6.2.3', '6.2.4', '6.2.5', '6.2.6', '6.2.7', '6.2.8', '9.0.0']);
    expect(await rowState(page, '6.2.3')).toBe('certified');
    expect(await rowState(page, '6.2.4')).toBe('fails');
    expect(await rowState(page, '6.2.5')).toBe('certified');
    expect(await rowState(page, '6.2.6')).toBe('flaky');
    expect(await rowState(page, '6.2.7')).toBe('incomplete');
    const fails = page.locator('tr.build-row[data-firmware="6.2.4"]');
    expect(await fails.locator('.build-state').textContent()).toBe('FAILS');
    expect(await fails.locator('.ledger-count[data-verdict="fail"] b').textContent()).toBe('1');
    expect(await fails.locator('.ledger-count[data-verdict="pass"] b').textContent()).toBe('1');
    expect(await page.textContent('tr.build-row[data-firmware="6.2.5"] .run-total')).toBe('2 (1 set aside)');
    expect(await page.textContent('tr.build-row[data-firmware="6.2.3"]')).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    // Only a certified build offers a certificate.
    expect(await page.locator('tr.build-row .cert-link').count()).toBe(3);
    await done(opened, 'builds');
  });

  it("a failing build's clause matrix: each clause's verdict and run, one click to that run's evidence", async () => {
    const opened = await open('/builds');
    const { page } = opened;
    await page.click('tr.build-row[data-firmware="6.2.4"] a.build-link');
    const row = page.locator('tr.ledger-clause[data-clause="HTTP-2"]');
    expect(await row.getAttribute('data-verdict')).toBe('fail');
    expect(await row.locator('.decided-by').textContent()).toBe((ids['6.2.4#2'] as string).slice(0, 8));
    expect(await page.textContent('.blocking')).toContain(TEXT_PLAIN);
    // The strip across the device's builds marks 6.2.4 as the regression, 6.2.3 having passed.
    const cells = row.locator('.strip-cell');
    expect(await cells.evaluateAll((c) => c.map((n) => (n as HTMLElement).dataset.verdict))).toEqual([
      'pass',
      'fail',
      'pass',
      'flaky',
      'pass',
    ]);
    // Three builds after this one; the clause's own page holds the rest.
    expect(await row.locator('.strip-more').textContent()).toBe('1 more build(s): the whole history');
    // A regression is a pass on the device's previous build, then a failure or a flaky case (as ledger diff reads it).
    expect(
      await row.locator('.strip-cell.regression').evaluateAll((c) => c.map((n) => (n as HTMLElement).dataset.firmware)),
    ).toEqual(['6.2.4', '6.2.6']);
    expect(await row.locator('.strip-cell.current').getAttribute('data-firmware')).toBe('6.2.4');
    await done(opened, 'build-fails');

    // The run's own report, from the ledger alone, open at the case.
    const evidence = await open('/builds/6.2.4');
    await evidence.page.click('tr.ledger-clause[data-clause="HTTP-2"] .decided-by a');
    await evidence.page.waitForURL(
      new RegExp(`/ledger/runs/${ids['6.2.4#2']}/#case=${TEXT_PLAIN.replace(/\./g, '\\.')}$`),
    );
    expect(await evidence.page.textContent('.gate-label')).toBe('FAIL');
    await expect.poll(() => evidence.page.getAttribute(`[id="case-${TEXT_PLAIN}"]`, 'open')).toBe('');
    expect(await evidence.page.textContent(`[id="case-${TEXT_PLAIN}"]`)).toContain('UNSUPPORT_CONTENT_TYPE');
    await done(evidence, 'run-evidence');
  });

  it('a certified build shows the run set aside with its recorded reason', async () => {
    const opened = await open('/builds/6.2.5');
    const { page } = opened;
    expect(await page.textContent('.build-gate .build-state')).toBe('CERTIFIED');
    const aside = page.locator(`tr.run-row[data-run="${ids['6.2.5#3']}"]`);
    expect(await aside.locator('.set-aside').textContent()).toContain('bench PSU brown-out (INC-7)');
    expect(await page.locator('a.button.cert-link').count()).toBe(1);
    await done(opened, 'build-set-aside');
  });

  it('a flaky build lists its flaky cases with each run’s verdict', async () => {
    const opened = await open('/builds/6.2.6');
    const { page } = opened;
    expect(await page.textContent('.build-gate .build-state')).toBe('FLAKY');
    const flaky = page.locator(`.flaky-case[data-case="${TEXT_PLAIN}"]`);
    const verdicts = await flaky
      .locator('tr.flaky-run')
      .evaluateAll((rows) =>
        rows.map((r) => [(r as HTMLElement).dataset.run, r.querySelector('.verdict')?.getAttribute('data-verdict')]),
      );
    expect(verdicts).toEqual([
      [ids['6.2.6#5'], 'fail'],
      [ids['6.2.6#6'], 'pass'],
    ]);
    expect(await page.locator('.flaky-case').count()).toBe(1);
    await done(opened, 'build-flaky');
  });

  it('an incomplete build says what is missing', async () => {
    const opened = await open('/builds/6.2.7');
    const { page } = opened;
    expect(await page.textContent('.build-gate .build-state')).toBe('INCOMPLETE');
    expect(await page.textContent('.missing')).toContain('No run of this build finished its whole plan');
    await done(opened);
  });

  it("a clause's history across builds marks the regression", async () => {
    const opened = await open('/clauses/HTTP-14');
    const { page } = opened;
    expect(await page.textContent('.regressions')).toContain('6.2.4 on');
    const firmware = await page.$$eval('.clause-history .strip-cell', (c) =>
      c.map((n) => `${(n as HTMLElement).dataset.firmware}:${(n as HTMLElement).dataset.verdict}`),
    );
    expect(firmware).toEqual(['6.2.3:pass', '6.2.4:fail', '6.2.5:pass', '6.2.6:flaky', '6.2.7:pass', '6.2.8:pass']);
    await done(opened, 'clause-history');
  });

  it('prints a certificate of the certified build to an A4 PDF, without navigation or dark background', async () => {
    const opened = await open('/builds/6.2.3');
    const { page } = opened;
    await page.click('a.cert-link');
    await page.waitForURL(/\/builds\/6\.2\.3\/certificate/);
    expect(await page.textContent('.cert-firmware td')).toBe('6.2.3');
    expect(await page.textContent('.cert-spec td')).toMatch(/^\S{8,}$/);
    expect(await page.textContent('.cert-suite td')).toBe('certification');
    expect(await page.textContent('.cert-profile td')).toBe('strict');
    expect(await page.textContent('.cert-tool td')).toMatch(/^sophon-conformance \d+\.\d+\.\d+/);
    expect(await page.textContent('.cert-target td')).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(await page.textContent('.cert-runs')).toContain(ids['6.2.3#1']);
    expect(await page.textContent('.cert-bundles')).toContain('not from a signed bundle');
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('.topbar')).toBe(false);
    expect(await page.isVisible('.page-footer')).toBe(false);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
    const pdf = join(SCREENSHOTS, 'ledger-certificate.pdf');
    mkdirSync(SCREENSHOTS, { recursive: true });
    // What the print looks like, for a person (the PDF itself is checked below).
    const printView = join(SCREENSHOTS, 'ledger-certificate-print.png');
    await page.screenshot({ path: printView, fullPage: true });
    if (existsSync(SHARED_SCREENS)) copyFileSync(printView, join(SHARED_SCREENS, 'ledger-certificate-print.png'));
    await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    const bytes = readFileSync(pdf);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    // One A4 page: the facts, the runs and the signature section fit without a stray break.
    expect(bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length).toBe(1);
    await page.emulateMedia({ media: 'screen' });
    await done(opened, 'certificate');
  });

  it('states the signature of the bundle a certified build was recorded from', async () => {
    const opened = await open('/builds/6.2.8/certificate');
    const files = await readArchive(bundle);
    const signature = files.get('MANIFEST.sha256.sig')?.toString('utf8').trim() ?? '';
    expect(signature).toMatch(/^[A-Za-z0-9+/]{80,}={0,2}$/);
    expect(await opened.page.textContent('.cert-bundles .signature')).toBe(signature);
    expect(await opened.page.textContent('.cert-bundles')).toContain(bundle);
    await done(opened, 'certificate-signed');
  });

  it('refuses a certificate for a failing or incomplete build, saying why', async () => {
    const fails = await open('/builds/6.2.4/certificate');
    expect(await fails.page.textContent('.no-certificate')).toContain(
      `fails: MUST cases that fail or are flaky: ${TEXT_PLAIN}`,
    );
    expect(await fails.page.locator('.certificate').count()).toBe(0);
    await done(fails, 'no-certificate');
    const incomplete = await open('/builds/6.2.7/certificate');
    expect(await incomplete.page.textContent('.why-not')).toContain('No run of this build finished its whole plan');
    await done(incomplete);
  });

  it('never shows a password a recorded report held, nor writes anything', async () => {
    const before = readFileSync(ledger);
    for (const path of ['/builds', '/builds/9.0.0', `/ledger/runs/${ids.foreign}/`, '/clauses/HTTP-2']) {
      const opened = await open(path);
      expect(await opened.page.textContent('body')).not.toMatch(/Not found|Ledger error/);
      await done(opened);
    }
    expect(readFileSync(ledger).equals(before)).toBe(true);
    const missing = await open('/builds/1.0.0');
    expect(await missing.page.textContent('body')).toContain('no run of firmware "1.0.0"');
    await done(missing);
  });
});
