import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER, deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { type ReportServer, startReportServer } from '../../api/serve/start-report-server.ts';
import { consoleExtension } from '../../console/start-console.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { HAS_CHROMIUM, launchChromium, SCREENSHOTS } from '../helpers/browser.ts';

// The lab console as a tester uses it in Chromium: log in with the token, start a certification run on the
// reference device, watch the live line change, stop it, resume it, and open its report.

const work = mkdtempSync(join(tmpdir(), 'sc-console-browser-'));
const TOKEN = 'browser-console-token-0123456789';
let device: RunningDevice;
let server: ReportServer;
let browser: Browser;
const BROKER = process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
const queues = privateQueues('sc-console');

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  // The whole certification suite, both transports: the device consumes its own queues on the machine's broker.
  device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir: join(work, 'device'),
    bootMs: 300,
    amqp: { url: BROKER, ...queues, log: () => {} },
  });
  writeFileSync(
    join(work, 'lab.yaml'),
    [
      'devices:',
      '  - name: bench-1',
      `    target: ${device.url}`,
      `    system-port: ${device.systemPort}`,
      `    amqp: ${BROKER}`,
      `    command-queue: ${queues.commandQueue}`,
      `    up-queue: ${queues.upQueue}`,
      '    reply-within: 3000',
      '    down-within: 2000',
      '    up-within: 10000',
      '    quiet-ms: 300',
      '    probe-ms: 10',
      '',
    ].join('\n'),
  );
  writeFileSync(join(work, 'token'), TOKEN, { mode: 0o600 });
  const lab = await consoleExtension({
    lab: join(work, 'lab.yaml'),
    tokenFile: join(work, 'token'),
    host: '127.0.0.1',
    dir: join(work, 'runs'),
  });
  server = await startReportServer({ dir: join(work, 'runs'), host: '127.0.0.1', port: 0, extend: lab.extend });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await device?.close();
  if (HAS_CHROMIUM) await deletePrivateQueues(BROKER, queues);
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)('the lab console in Chromium', () => {
  it('logs in, starts a certification run, watches it, stops it, resumes it and opens its report', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) outside.push(r.url());
    });

    await page.goto(new URL('/console', server.url).href);
    expect(page.url()).toMatch(/\/login$/);
    await page.fill('input[name=token]', TOKEN);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console$/);
    await page.waitForSelector('#devices tr[data-device="bench-1"]');
    expect(await page.textContent('#devices tr[data-device="bench-1"]')).toContain('reachable');
    // The broker's password never reaches the page.
    expect(await page.content()).not.toContain('guest:guest');

    // The certification suite wipes the device: the page asks first.
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await page.selectOption('#suite', 'certification');
    await page.click('#run-button');
    await page.waitForSelector('#live:not([hidden])');
    expect(asked).toMatch(/WIPES bench-1/);
    await page.waitForFunction(() => Number(document.querySelector('#status')?.getAttribute('data-updates')) >= 5);
    expect(await page.textContent('#status')).toMatch(/^\[\d+\/\d+\] \d+:\d\d · /);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-running.png') });

    await page.click('#runs tr button[data-action=stop]');
    await page.waitForSelector('#live-gate.gate-INCOMPLETE', { timeout: 60_000 });
    await page.waitForSelector('#runs tr button[data-action=resume]', { timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'console-stopped.png') });

    await page.click('#runs tr button[data-action=resume]');
    await page.waitForSelector('#live-gate.gate-PASS', { timeout: 120_000 });
    expect(await page.textContent('#live-gate')).toBe('Gate: PASS');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-passed.png') });

    // From the ended run: its report, and the builds' status and history in the ledger.
    expect(await page.getAttribute('#live-links a[href="/builds"]', 'href')).toBe('/builds');
    await page.click('#runs tr a.report-link');
    await page.waitForSelector('h1');
    expect(await page.title()).toMatch(/^Conformance report: certification/);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
  }, 240_000);
});
