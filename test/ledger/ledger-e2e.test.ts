import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeCommand } from '../../cli/commands/merge-command.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import { sampleLab, writeShardFolders } from '../fixtures/reports/fleet-shards.ts';
import { runCli } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS } from '../helpers/run-against-device.ts';
import { MINIMAL_CASE, MINIMAL_CLAUSES, tempSpecRoot } from '../helpers/temp-specs.ts';
import { BACKENDS } from './ledger-backends.ts';
import { makeReport } from './make-report.ts';

// Two cases that cover every clause of a two-clause catalogue: a build can be certified in a few seconds.
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
const work = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
afterAll(() => {
  rmSync(SPECS, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
// One bench device: every run of a test reaches it at the same address (an HTTP-only run knows a device by it).
let benchPort = 0;
/** One `run` against a reference device that reports `firmware`; returns its exit code and folder. */
async function runOn(firmware: string, faults: string[], ledger: string, extra: string[] = []) {
  const dataDir = mkdtempSync(join(work, 'device-'));
  const device = await startDevice({ port: benchPort, systemPort: 0, dataDir, bootMs: 40, faults, firmware });
  benchPort = device.port;
  const out = join(work, `run-${++runs}`);
  try {
    const run = await runCli(
      [
        'run',
        ...(extra.includes('--rerun-failed') ? [] : ['--specs', SPECS]),
        '--target',
        device.url,
        '--system-port',
        String(device.systemPort),
        ...FAST_WINDOW_FLAGS,
        '--reporter',
        'console,json',
        '--out',
        out,
        '--ledger',
        ledger,
        ...extra,
      ],
      { killAfterMs: 90_000 },
    );
    return { code: run.code, out, stdout: run.stdout };
  } finally {
    await device.close();
  }
}

const ledgerCli = async (ledger: string, ...args: string[]) => {
  const run = await runCli(['ledger', ...args, '--ledger', ledger], { killAfterMs: 60_000 });
  return { code: run.code, stdout: run.stdout, stderr: run.stderr };
};

describe.each(BACKENDS)('ledger end to end on $name', ({ make }) => {
  it('a build, a regression, a fix rerun then run in full, a flaky case set aside', { timeout: 300_000 }, async () => {
    const where = await make();
    benchPort = 0;
    try {
      const L = where.location;
      // 6.2.3: healthy, certified.
      const first = await runOn('6.2.3', [], L);
      expect(first.code, first.stdout).toBe(0);
      expect(first.stdout).toMatch(/^ledger: recorded run [0-9a-f]{16} \(firmware 6\.2\.3\) in /m);
      // The ledger's line comes before the summary, whose counts line stays where it was.
      expect(first.stdout.search(/^ledger: /m)).toBeLessThan(first.stdout.search(/^\d+ passed, \d+ failed/m));
      expect((await ledgerCli(L, 'status', '--firmware', '6.2.3')).code).toBe(0);

      // 6.2.4 accepts text/plain: not certified, and a MUST regression from 6.2.3.
      const broken = await runOn('6.2.4', ['accepts-text-plain'], L);
      expect(broken.code).toBe(1);
      const status = await ledgerCli(L, 'status', '--firmware', '6.2.4');
      expect(status.code, status.stdout).toBe(1);
      expect(status.stdout).toMatch(/FAIL +http\.wipedata\.content-type\.text-plain +MUST/);
      const diff = await ledgerCli(L, 'diff', '6.2.3', '6.2.4');
      expect(diff.code, diff.stdout).toBe(1);
      expect(diff.stdout).toMatch(
        /regressions \(1\):\n {2}http\.wipedata\.content-type\.text-plain {2}MUST {2}pass -> fail/,
      );

      // The fix is 6.2.5: a rerun of the failed case alone passes, but a new build needs its own whole run.
      const rerun = await runOn('6.2.5', [], L, ['--rerun-failed', broken.out]);
      expect(rerun.code, rerun.stdout).toBe(0);
      const partial = await ledgerCli(L, 'status', '--firmware', '6.2.5');
      expect(partial.code, partial.stdout).toBe(3);
      expect(partial.stdout).toMatch(/Gate: INCOMPLETE: .*no run of this build finished its whole plan/);
      expect((await runOn('6.2.5', [], L)).code).toBe(0);
      expect((await ledgerCli(L, 'status', '--firmware', '6.2.5')).code).toBe(0);
      const fixed = await ledgerCli(L, 'diff', '6.2.4', '6.2.5', '--json');
      expect(fixed.code).toBe(0);
      expect(JSON.parse(fixed.stdout).progressions.map((p: { id: string }) => p.id)).toEqual([
        'http.wipedata.content-type.text-plain',
      ]);

      // 6.2.3 again, failing this time: the earlier pass does not hide it, the case is flaky.
      const flakyRun = await runOn('6.2.3', ['accepts-text-plain'], L);
      expect(flakyRun.code).toBe(1);
      const flaky = await ledgerCli(L, 'status', '--firmware', '6.2.3', '--json');
      expect(flaky.code).toBe(1);
      const parsed = JSON.parse(flaky.stdout);
      expect(parsed.gate).toBe('not-certified');
      const text = parsed.cases.find((c: { id: string }) => c.id === 'http.wipedata.content-type.text-plain');
      expect(text.verdict).toBe('flaky');
      const flakyDiff = JSON.parse((await ledgerCli(L, 'diff', '6.2.3', '6.2.5', '--json')).stdout);
      expect(flakyDiff.flaky).toEqual([
        { build: '6.2.3', id: 'http.wipedata.content-type.text-plain', verdicts: { pass: 1, fail: 1 } },
      ]);
      // Set aside with a reason, the build is certified again, and status says what was left out.
      const aside = await ledgerCli(L, 'set-aside', text.decidedBy, '--why', 'bench PSU brown-out (INC-7)');
      expect(aside.code, aside.stderr).toBe(0);
      const again = await ledgerCli(L, 'status', '--firmware', '6.2.3');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`left out ${text.decidedBy}: set aside`);
      expect(again.stdout).toContain('bench PSU brown-out (INC-7)');
      const builds = await ledgerCli(L, 'builds', '--json');
      expect(
        JSON.parse(builds.stdout).builds.map((b: { firmware: string; gate: string }) => [b.firmware, b.gate]),
      ).toEqual([
        ['6.2.3', 'certified'],
        ['6.2.4', 'not-certified'],
        ['6.2.5', 'certified'],
      ]);
    } finally {
      await where.remove();
    }
  });
});

describe('a ledger that cannot be written, and bad input', () => {
  it('leaves the run’s verdict and exit code alone; ledger import records it later', { timeout: 120_000 }, async () => {
    const file = join(work, 'later.sqlite');
    const run = await runOn('7.0.0', [], 'postgres://postgres@127.0.0.1:1/nowhere');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(
      /^ledger: run NOT recorded \(LEDGER_UNAVAILABLE: PostgreSQL ledger .* unreachable: ECONNREFUSED.*\); record it later: sophon-conformance ledger import .*report\.json$/m,
    );
    const imported = await ledgerCli(file, 'import', run.out);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^recorded [0-9a-f]{16} {2}firmware 7\.0\.0 /m);
    expect((await ledgerCli(file, 'import', run.out)).stdout).toMatch(/^already /m);
    expect((await ledgerCli(file, 'status', '--firmware', '7.0.0')).code).toBe(0);
  });

  it('refuses a corrupted or foreign report.json with the reason, recording the others', async () => {
    const file = join(work, 'refuse.sqlite');
    const good = join(work, 'good.json');
    const bad = join(work, 'bad-report');
    const foreign = join(work, 'foreign.json');
    const text = JSON.stringify(makeReport({ firmware: '8.0.0', cases: [{ id: 'http.a', verdict: 'pass' }] }));
    writeFileSync(good, text);
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'report.json'), text.slice(0, text.length / 2));
    writeFileSync(foreign, JSON.stringify({ results: [], summary: {}, exitCode: 0 }));
    const run = await ledgerCli(file, 'import', bad, foreign, good);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^refused {2}.*bad-report.*: CONFIG_INVALID: import .*report\.json: is not JSON/m);
    expect(run.stdout).toMatch(
      /^refused {2}.*foreign\.json: CONFIG_INVALID: import .*foreign\.json: is not a sophon-conformance report/m,
    );
    expect(run.stdout).toMatch(/^recorded [0-9a-f]{16} {2}firmware 8\.0\.0 /m);
    const unknown = await ledgerCli(file, 'status', '--firmware', '9.9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/LEDGER_NOT_FOUND: no run of firmware "9\.9" in .* \(builds: 8\.0\.0\)/);
  });

  it('says in one line when the ledger is missing, unreachable or the build unknown', async () => {
    const none = await ledgerCli(join(work, 'no-such.sqlite'), 'status', '--firmware', '1.0');
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/LEDGER_NOT_FOUND: no ledger at /);
    const down = await ledgerCli('postgres://postgres:pw@127.0.0.1:1/x', 'builds');
    expect(down.code).toBe(2);
    expect(down.stderr.trim()).toMatch(
      /^sophon-conformance: LEDGER_UNAVAILABLE: PostgreSQL ledger postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/x unreachable: ECONNREFUSED/,
    );
  });
});

describe('merge records the devices of a lab’s shards', () => {
  it('every device report the fleet links to, once', async () => {
    const dir = mkdtempSync(join(work, 'merge-'));
    const shards = writeShardFolders(dir, sampleLab(), 3);
    const ledger = join(dir, 'fleet.sqlite');
    const merge = async (into: string) => {
      let text = '';
      const out = {
        isTTY: false,
        write: (chunk: string) => {
          text += chunk;
          return true;
        },
      } as unknown as NodeJS.WriteStream;
      await mergeCommand([join(dir, into), ...shards, '--ledger', ledger], out);
      return text;
    };
    const first = await merge('fleet');
    const linked = JSON.parse(readFileSync(join(dir, 'fleet', 'fleet-summary.json'), 'utf8')).devices.filter(
      (d: { json?: string }) => d.json,
    ).length;
    expect(first.match(/: ledger: (recorded|already had) run /g)).toHaveLength(linked);
    const recorded = first.match(/: ledger: recorded run /g)?.length ?? 0;
    // The fixture's two passing devices hold the same report: one run.
    expect(recorded).toBe(linked - 1);
    const second = await merge('again');
    expect(second).not.toMatch(/: ledger: recorded run /);
    expect(JSON.parse((await ledgerCli(ledger, 'runs', '--json')).stdout).runs).toHaveLength(recorded);
  });
});
