import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStrips, clauseStrip, type LedgerBuild } from '../../api/serve/ledger-pages-data.ts';
import { startReportServer } from '../../api/serve/start-report-server.ts';
import { serveCommand } from '../../cli/commands/serve-command.ts';
import { buildHref, certificateHref, clauseHref } from '../../reports/html/ledger-links.ts';
import { type BuildStatus, type MergedVerdict, openLedger } from '../../src/ledger/index.ts';
import { BACKENDS } from '../ledger/ledger-backends.ts';
import { makeReport } from '../ledger/make-report.ts';

const work = mkdtempSync(join(tmpdir(), 'ledger-routes-'));
const out = join(work, 'out');
mkdirSync(out);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(new URL(path, base));
  return { status: res.status, body: await res.text() };
}

describe('serve with a ledger that is not there or cannot be read', () => {
  it('says there is no ledger yet, and never creates one', async () => {
    const ledger = join(work, 'none', 'ledger.sqlite');
    const server = await startReportServer({ dir: out, ledger });
    try {
      const builds = await get(server.url, '/builds');
      expect(builds.status).toBe(200);
      expect(builds.body).toContain('No results ledger');
      expect(builds.body).toContain(`no ledger at ${ledger}`);
      expect((await get(server.url, '/')).body).toContain('"ledgerHref":"/builds"');
      expect((await get(server.url, '/builds/6.2.3')).status).toBe(503);
      expect(existsSync(ledger)).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('names an unreachable PostgreSQL ledger without its password, on the page and in the line it prints', async () => {
    const url = 'postgres://postgres:pw-s3cret@127.0.0.1:1/ledger';
    const server = await startReportServer({ dir: out, ledger: url });
    try {
      const builds = await get(server.url, '/builds');
      expect(builds.status).toBe(503);
      expect(builds.body).toContain('postgres://postgres:***@127.0.0.1:1/ledger');
      expect(builds.body).not.toContain('pw-s3cret');
    } finally {
      await server.close();
    }
    const printed = new PassThrough();
    let text = '';
    printed.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const stop = new AbortController();
    const done = serveCommand([out, '--port', '0', '--ledger', url], printed, stop.signal);
    await expect.poll(() => text).toContain('read-only');
    stop.abort();
    expect(await done).toBe(0);
    expect(text).toMatch(/^the ledger's builds at http:\/\/127\.0\.0\.1:\d+\/builds \(postgres:\/\/postgres:\*\*\*@/m);
    expect(text).not.toContain('pw-s3cret');
  });

  it('--no-ledger serves the run folders only', async () => {
    const printed = new PassThrough();
    let text = '';
    printed.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const stop = new AbortController();
    const done = serveCommand([out, '--port', '0', '--no-ledger'], printed, stop.signal);
    await expect.poll(() => text).toContain('serving reports at');
    const url = text.match(/http:\/\/\S+\//)?.[0] ?? '';
    expect((await get(url, '/builds')).status).toBe(404);
    expect((await get(url, '/')).body).not.toContain('"ledgerHref"');
    stop.abort();
    expect(await done).toBe(0);
    expect(text).not.toContain('ledger');
  });
});

/** A build of device `d` whose one clause C-1 has `verdict` (or no such clause). */
function build(firmware: string, verdict: MergedVerdict | 'uncovered' | undefined, device = 'd'): LedgerBuild {
  const status = {
    clauses: verdict === undefined ? [] : [{ id: 'C-1', level: 'MUST', verdict, cases: [] }],
  } as unknown as BuildStatus;
  return { ref: { firmware, device, specHash: 'h' }, status, runs: [] };
}

describe("a clause's strip across builds", () => {
  const strip = (builds: LedgerBuild[]) =>
    clauseStrip('C-1', 'd', builds).cells.map((c) => `${c.ref.firmware}:${c.verdict}${c.regression ? '!' : ''}`);

  it('marks a failure or flaky case after a pass as a regression, not a failure that stays', () => {
    expect(
      strip([build('1', 'pass'), build('2', 'fail'), build('3', 'fail'), build('4', 'warn'), build('5', 'flaky')]),
    ).toEqual(['1:pass', '2:fail!', '3:fail', '4:warn', '5:flaky!']);
  });

  it('reads past builds with no evidence for the clause, and keeps to its device', () => {
    expect(
      strip([
        build('1', 'pass'),
        build('2', 'could-not-test'),
        build('2b', 'fail', 'other-device'),
        build('3', undefined),
        build('4', 'fail'),
      ]),
    ).toEqual(['1:pass', '2:could-not-test', '3:absent', '4:fail!']);
    expect(strip([build('1', 'not-applicable'), build('2', 'fail')])).toEqual(['1:not-applicable', '2:fail']);
  });
});

describe("a build page's strips", () => {
  it('show the builds around this one, and how many more the clause page has', () => {
    const builds = Array.from({ length: 20 }, (_, i) => build(String(i), i === 14 ? 'fail' : 'pass'));
    const current = {
      ...(builds[14]?.status as BuildStatus),
      firmware: '14',
      specHash: 'h',
      runs: [{ device: { key: 'd' } }],
      excluded: [],
    } as unknown as BuildStatus;
    const strip = buildStrips(current, builds)['C-1'];
    expect(strip?.cells.map((c) => c.ref.firmware)).toEqual(Array.from({ length: 13 }, (_, i) => String(i + 5)));
    expect(strip?.hidden).toBe(7);
    expect(strip?.cells.find((c) => c.regression)?.ref.firmware).toBe('14');
  });
});

describe.each(BACKENDS)('buildStatuses on $name: every build as firmware × device × spec hash', ({ make }) => {
  it('merges each by the same rule as status, in build order; the pages draw it', async () => {
    const where = await make();
    const store = await openLedger(where.location);
    try {
      const at = (day: number) => `2026-12-0${day}T10:00:00.000Z`;
      const cases = (v: 'pass' | 'fail') => [{ id: 'http.a', verdict: v }];
      await store.recordRun(
        makeReport({ firmware: '1.0', licenseKey: 'A', cases: cases('pass'), startedAt: at(1) }),
        'a',
      );
      await store.recordRun(
        makeReport({ firmware: '1.0', licenseKey: 'B', cases: cases('fail'), startedAt: at(2) }),
        'b',
      );
      const flaky = makeReport({ firmware: '1.0', licenseKey: 'A', cases: cases('fail'), startedAt: at(3) });
      await store.recordRun(flaky, 'c');
      await store.recordRun(
        makeReport({ firmware: '1.0', licenseKey: 'A', specHash: 'spec-b', cases: cases('pass'), startedAt: at(4) }),
        'd',
      );
      await store.recordRun(
        makeReport({ firmware: '2.0', licenseKey: 'A', cases: cases('pass'), startedAt: at(5) }),
        'e',
      );
      const all = await store.buildStatuses();
      expect(all.map((s) => [s.firmware, s.device, s.specHash, s.gate, s.counts.flaky])).toEqual([
        ['1.0', 'A', 'spec-a', 'not-certified', 1],
        ['1.0', 'B', 'spec-a', 'not-certified', 0],
        ['1.0', 'A', 'spec-b', 'certified', 0],
        ['2.0', 'A', 'spec-a', 'certified', 0],
      ]);
      const one = await store.status('1.0', 'A', { specHash: 'spec-a' });
      expect(all[0]?.cases.map((c) => [c.id, c.verdict, c.decidedBy])).toEqual(
        one.cases.map((c) => [c.id, c.verdict, c.decidedBy]),
      );
      expect((await store.buildStatuses('B')).map((s) => s.firmware)).toEqual(['1.0']);
      const server = await startReportServer({ dir: out, ledger: where.location });
      try {
        const page = await get(server.url, '/builds');
        expect(page.status).toBe(200);
        expect(page.body.match(/<tr class="build-row"/g)).toHaveLength(4);
        expect((await get(server.url, buildHref({ firmware: '1.0', device: 'A', specHash: 'spec-a' }))).body).toContain(
          'data-state="flaky"',
        );
        // Firmware 1.0 merged over devices A and B (as `ledger status --firmware 1.0`): no per-device strip.
        const merged = await get(server.url, buildHref({ firmware: '1.0' }));
        expect(merged.body).toContain('Firmware 1.0</h2>');
        expect(merged.body).not.toContain('Across builds');
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
      await where.remove();
    }
  });
});

describe('build addresses', () => {
  it('reach a firmware with a slash, spaces and a middle dot, and the build with no firmware reading', async () => {
    const ledger = join(work, 'addresses.sqlite');
    const store = await openLedger(ledger);
    const odd = 'V6R2C01/b 3 · 2.1';
    try {
      await store.recordRun(
        makeReport({ firmware: odd, licenseKey: 'A', cases: [{ id: 'http.a', verdict: 'pass' }] }),
        'a',
      );
      await store.recordRun(makeReport({ licenseKey: 'A', cases: [{ id: 'http.a', verdict: 'pass' }] }), 'b');
    } finally {
      await store.close();
    }
    const server = await startReportServer({ dir: out, ledger });
    try {
      const builds = await get(server.url, '/builds');
      expect(builds.body).toContain(
        buildHref({ firmware: odd, device: 'A', specHash: 'spec-a' }).replace(/&/g, '&amp;'),
      );
      for (const firmware of [odd, '']) {
        const page = await get(server.url, buildHref({ firmware, device: 'A', specHash: 'spec-a' }));
        expect(page.status, page.body).toBe(200);
        expect(page.body).toContain(`Firmware ${firmware || '(unknown)'} on A`);
        const certificate = await get(server.url, certificateHref({ firmware, device: 'A' }));
        expect(certificate.body).toContain('Certificate of conformance');
      }
      expect((await get(server.url, clauseHref('HTTP.A', 'A'))).status).toBe(200);
      expect((await get(server.url, clauseHref('NO-SUCH'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
