import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderComparisonHtml } from '../../reports/render-comparison.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { renderJunit } from '../../reports/render-junit.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import { compareRuns } from '../../src/results/compare-runs.ts';
import type { Report } from '../../src/results/types.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';
import { makeRunFolders, NEWER_RUN, OLDER_RUN } from '../fixtures/reports/run-folders.ts';
import { mixedReport } from '../fixtures/reports/sample-reports.ts';
import { runCli } from '../helpers/cli-process.ts';
import { PROJECT_ROOT } from '../helpers/run-against-device.ts';

// compare BASE NEW, the regression gate, through the command line: the run folders serve lists, report.json
// files and certification bundles; exit 1 exactly when a MUST case newly fails.

const { parent, dir } = makeRunFolders();
const older = join(dir, OLDER_RUN);
const newer = join(dir, NEWER_RUN);
afterAll(() => rmSync(parent, { recursive: true, force: true }));

async function bundleOf(report: Report): Promise<string> {
  const catalogue = loadSpecs(PROJECT_ROOT);
  const path = join(mkdtempSync(join(tmpdir(), 'sophon-compare-')), 'cert.tar.gz');
  const withHash = { ...report, specHash: catalogue.hash };
  await writeBundle(path, {
    report: withHash,
    html: renderHtml(withHash),
    junit: renderJunit(withHash),
    specRoot: PROJECT_ROOT,
    specFiles: catalogue.files,
    tool: { name: 'sophon-conformance', version: report.version },
    config: { target: report.target },
  });
  return path;
}

describe('compare BASE NEW', () => {
  it('lists newly failing, newly passing and changed verdicts, and exits 1 when a MUST case newly fails', async () => {
    const run = await runCli(['compare', older, newer]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^newly failing: \d+$/m);
    expect(run.stdout).toMatch(/^ {2}http\.wipedata\.flags\.users {2}\[MUST\] {2}pass → fail {2}\S/m);
    expect(run.stdout).toMatch(/^newly passing: [1-9]\d*$/m);
    expect(run.stdout).toMatch(/^ {2}http\.wipedata\.flags\.all {2}\[MUST\] {2}pass → could-not-test/m);
    expect(run.stdout).toMatch(
      /^Gate: FAIL \(exit 1\): \d+ MUST case\(s\) newly fail: .*http\.wipedata\.flags\.users/m,
    );
  });

  it('exits 0 when nothing newly fails, and reads report.json files and bundles alike', async () => {
    const same = await runCli(['compare', join(newer, 'report.json'), newer]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^newly failing: 0$/m);
    expect(same.stdout).toMatch(/^Gate: PASS \(exit 0\): no MUST case newly fails$/m);
    const bundle = await bundleOf(mixedReport());
    const json = await runCli(['compare', join(older, 'report.json'), bundle, '--json']);
    expect(json.code, json.stderr).toBe(1);
    const parsed = JSON.parse(json.stdout) as {
      gate: { exitCode: number; mustNewlyFailing: string[] };
      comparison: { newlyFailing: { id: string }[]; newlyPassing: { id: string }[] };
    };
    expect(parsed.gate.exitCode).toBe(1);
    expect(parsed.gate.mustNewlyFailing).toContain('http.wipedata.flags.users');
    expect(parsed.comparison.newlyFailing.map((c) => c.id)).toContain('http.wipedata.flags.users');
  });

  it('lets a failure through that a waiver in force covers in NEW, and says so', async () => {
    const report = JSON.parse(readFileSync(join(newer, 'report.json'), 'utf8')) as Report;
    const base = JSON.parse(readFileSync(join(older, 'report.json'), 'utf8')) as Report;
    const failingNow = new Set(report.results.filter((r) => r.verdict === 'fail').map((r) => r.id));
    const failingThen = new Set(base.results.filter((r) => r.verdict === 'fail').map((r) => r.id));
    for (const r of report.results) {
      if (failingNow.has(r.id) && !failingThen.has(r.id)) {
        r.waived = { reason: 'SE-123', expires: '2099-12-31', case: r.id, status: 'waived' };
      }
    }
    const waived = join(parent, 'waived.json');
    writeFileSync(waived, JSON.stringify(report));
    const run = await runCli(['compare', older, waived]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^waived in new \(not counted\): .*http\.wipedata\.flags\.users/m);
  });

  it('says how many cases it compared: a 2-case rerun against the whole run is 2 of N, in console, JSON and HTML', async () => {
    const base = JSON.parse(readFileSync(join(older, 'report.json'), 'utf8')) as Report;
    const passing = base.results.filter((r) => r.verdict === 'pass').slice(0, 2);
    const rerun = join(parent, 'rerun.json');
    const summary = { total: 2, pass: 2, fail: 0, warn: 0, notApplicable: 0, couldNotTest: 0 };
    writeFileSync(rerun, JSON.stringify({ ...base, summary, results: passing }));
    const total = base.results.length;
    const text = await runCli(['compare', older, rerun]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines.slice(-2)).toEqual([
      `compared 2 of ${total} cases; ${total - 2} only in base`,
      'Gate: PASS (exit 0): no MUST case newly fails',
    ]);
    const json = await runCli(['compare', older, rerun, '--json']);
    const parsed = JSON.parse(json.stdout) as { compared: string; comparison: { compared: number; cases: number } };
    expect(parsed.compared).toBe(`compared 2 of ${total} cases; ${total - 2} only in base`);
    expect(parsed.comparison).toMatchObject({ compared: 2, cases: total });
    const whole = await runCli(['compare', older, join(older, 'report.json')]);
    expect(whole.stdout).toContain(`\ncompared all ${total} cases\nGate: PASS`);
    const page = renderComparisonHtml(compareRuns(base, { ...base, results: passing }));
    expect(page).toContain(`compared 2 of ${total} cases; ${total - 2} only in A`);
    expect(page).toContain('"compared":2');
  });

  it('answers what it cannot read with exit 2 and one line', async () => {
    const missing = await runCli(['compare', join(parent, 'nope'), newer]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^sophon-conformance: CONFIG_INVALID: BASE \S+nope: no such file or folder/m);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const one = await runCli(['compare', newer]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/compare takes two runs: compare BASE NEW/);
    const notReport = await runCli(['compare', join(dir, 'broken'), newer]);
    expect(notReport.code).toBe(2);
    expect(notReport.stderr).toMatch(/BASE \S+broken\/report\.json: is not JSON/);
    const tampered = join(parent, 'tampered.tar.gz');
    writeFileSync(tampered, 'not gzip');
    const bad = await runCli(['compare', older, tampered]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/NEW \S+tampered\.tar\.gz: not an intact certification bundle .*see verify/);
  });
});
