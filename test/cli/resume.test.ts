import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { recordSettings, restoreResumedSettings } from '../../api/resume-run.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { freePort } from '../../src/transports/free-port.ts';
import { oneErrorLine, runCli } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS, TEST_BROKER } from '../helpers/run-against-device.ts';

// A run cut short (kill -9, as a power cut does: nothing is written at the end) is continued with
// --resume: the cases that ended keep their results, the rest run, and one complete report comes out with
// the same verdicts as a run that was never cut. --rerun-failed runs an earlier run's failures again.

const CASES = [
  'http.wipedata.flags.users',
  'http.wipedata.content-type.text-plain',
  'http.wipedata.body.empty',
  'http.wipedata.arguments.missing-empty-object',
  'http.wipedata.flags-false.users',
  'http.wipedata.flags.all',
];
let device: RunningDevice;
const dir = mkdtempSync(join(tmpdir(), 'sophon-resume-'));

beforeAll(async () => {
  device = await startDevice({ port: 0, systemPort: 0, dataDir: join(dir, 'device'), bootMs: 40 });
});

afterAll(async () => {
  await device.close();
  rmSync(dir, { recursive: true, force: true });
});

function args(...more: string[]): string[] {
  return [
    ...['--system-port', String(device.systemPort), ...FAST_WINDOW_FLAGS, '--concurrency', '1'],
    ...CASES.flatMap((id) => ['--only', id]),
    ...['--reporter', 'console,json'],
    ...more,
  ];
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report;
const verdicts = (report: Report) => report.results.map((r) => `${r.id} ${r.verdict}`);

describe('run --resume', () => {
  it('continues a run killed after its third case into one complete report, as if it had never stopped', async () => {
    const whole = await runCli(['run', '--target', device.url, ...args('--out', join(dir, 'whole'))]);
    expect(whole.code, whole.stdout + whole.stderr).toBe(0);

    const out = join(dir, 'cut');
    let finished = 0;
    // Killed the moment the third result is printed: no report.json, only the journal.
    const first = runCli(['run', '--target', device.url, ...args('--out', out)], {
      onStdout: (text) => {
        finished += (text.match(/^(PASS|FAIL|WARN|N\/A |CNT ) /gm) ?? []).length;
        if (finished >= 3) first.child.kill('SIGKILL');
      },
    });
    const cutRun = await first;
    expect(cutRun.code).toBeNull();
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    const journal = readFileSync(join(out, 'journal.ndjson'), 'utf8').trim().split('\n');
    expect(journal.length - 1).toBeGreaterThanOrEqual(3);
    const keptIds = journal.slice(1).map((line) => (JSON.parse(line) as { result: { id: string } }).result.id);

    // Nothing but --resume: target, suite and selection come from the journal.
    const resumed = await runCli([
      'run',
      '--resume',
      out,
      ...FAST_WINDOW_FLAGS,
      '--system-port',
      String(device.systemPort),
    ]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(
      `kept ${keptIds.length} results of the interrupted run; running the other ${CASES.length - keptIds.length}`,
    );
    for (const id of keptIds)
      expect(resumed.stdout).not.toMatch(new RegExp(`^PASS ${id.replaceAll('.', '\\.')} `, 'm'));
    const report = readReport(join(out, 'report.json'));
    expect(report.complete).toBe(true);
    expect(verdicts(report)).toEqual(verdicts(readReport(join(dir, 'whole', 'report.json'))));
    expect(report.origin?.resumed?.kept).toBe(keptIds.length);
    expect(report.startedAt).toBe((JSON.parse(journal[0] as string) as { startedAt: string }).startedAt);
    // The record of a complete run is its report.json.
    expect(existsSync(join(out, 'journal.ndjson'))).toBe(false);

    // A complete run has nothing to resume.
    const again = await runCli(['run', '--resume', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /RESUME_MISMATCH: --resume \S+: the run there is complete \(exit 0\): nothing to resume/,
    );
  });

  it('refuses another target or other spec files with exit 2 and the reason', async () => {
    const out = join(dir, 'mismatch');
    const started = await runCli(['run', '--target', device.url, ...args('--out', out, '--only', CASES[1] as string)]);
    expect(started.code).toBe(0);
    // A journal as a cut run leaves it: the header and one result.
    const whole = readReport(join(out, 'report.json'));
    const header = {
      journal: 'sophon-conformance',
      tool: 'sophon-conformance',
      version: whole.version,
      target: whole.target,
      suite: whole.suite,
      profile: 'strict',
      selection: { only: CASES, tags: [] },
      specHash: whole.specHash,
      startedAt: whole.startedAt,
      total: CASES.length,
    };
    const write = (h: object) =>
      writeFileSync(
        join(out, 'journal.ndjson'),
        `${JSON.stringify(h)}\n${JSON.stringify({ result: whole.results[0] })}\n{"resu`,
      );
    write(header);
    const other = await runCli(['run', '--resume', out, '--target', 'http://127.0.0.1:9']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      new RegExp(
        `RESUME_MISMATCH: the run in \\S+ checked ${whole.target.replaceAll('.', '\\.')}, not http://127\\.0\\.0\\.1:9: resume it against the same target`,
      ),
    );
    write({ ...header, specHash: 'f'.repeat(64) });
    const specs = await runCli(['run', '--resume', out]);
    expect(specs.code).toBe(2);
    expect(specs.stderr).toMatch(
      /RESUME_MISMATCH: the run in \S+ was run against other spec files \(spec hash ffffffffffff…, now [0-9a-f]{12}…\)/,
    );
    const missing = await runCli(['run', '--resume', join(dir, 'no-such-run')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--resume \S+: no such folder/);
  });
});

describe('run --resume restores every setting of the interrupted run', () => {
  it('resumed with --resume DIR alone, the rest runs on the same system port, windows, profile, queues and callback port', async () => {
    const queues = privateQueues('sc-resume');
    // No password in the URL (amqplib logs in as guest): the journal keeps none, so this one can come back whole.
    const broker = `amqp://${new URL(TEST_BROKER).host}`;
    const mqDevice = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir: join(dir, 'mq-device'),
      bootMs: 40,
      amqp: { url: TEST_BROKER, ...queues, log: () => {} },
    });
    const out = join(dir, 'settings');
    const callbackPort = String(await freePort());
    const ids = [
      'http.wipedata.flags.users',
      'amqp.wipedata.reply.notify-path-only',
      'http.wipedata.content-type.text-plain',
      'amqp.wipedata.flags.users',
      'http.wipedata.flags.all',
    ];
    try {
      const cut = runCli(
        [
          'run',
          ...['--target', mqDevice.url, '--system-port', String(mqDevice.systemPort), '--profile', 'lenient'],
          ...['--down-within', '1700', '--up-within', '7000', '--quiet-ms', '120', '--probe-ms', '15'],
          ...['--timeout', '4000', '--concurrency', '1', '--reply-within', '3000'],
          ...['--amqp', broker, '--command-queue', queues.commandQueue, '--up-queue', queues.upQueue],
          ...['--callback-port', callbackPort, '--reporter', 'json', '--out', out],
          ...ids.flatMap((id) => ['--only', id]),
        ],
        {
          onStdout: () => {},
        },
      );
      // Cut (as a power cut does) once the journal holds a first result.
      const journalFile = join(out, 'journal.ndjson');
      while (cut.child.exitCode === null) {
        if (existsSync(journalFile) && readFileSync(journalFile, 'utf8').trim().split('\n').length >= 2) {
          cut.child.kill('SIGKILL');
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await cut).code).toBeNull();
      const keptIds = readFileSync(journalFile, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => (JSON.parse(l) as { result: { id: string } }).result.id);
      expect(keptIds.length).toBeLessThan(ids.length);

      // A setting given again that differs is refused before anything runs, naming the flag and both values.
      const line = await oneErrorLine(['run', '--resume', out, '--system-port', '8888']);
      expect(line).toContain(`--system-port ${mqDevice.systemPort}, not 8888`);
      expect(await oneErrorLine(['run', '--resume', out, '--profile', 'strict'])).toContain(
        'the interrupted run had --profile lenient, not strict',
      );

      const resumed = await runCli(['run', '--resume', out], { killAfterMs: 90_000 });
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      // Said before anything runs: what came back from the journal.
      expect(resumed.stdout).toMatch(
        new RegExp(
          `^settings of the interrupted run: .*--system-port ${mqDevice.systemPort} .*--profile lenient .*--down-within 1700 `,
          'm',
        ),
      );
      const report = readReport(join(out, 'report.json'));
      expect(report.profile).toBe('lenient');
      expect(report.results.map((r) => r.id).sort()).toEqual([...ids].sort());
      const ran = report.results.filter((r) => !keptIds.includes(r.id));
      expect(ran.length).toBe(ids.length - keptIds.length);
      for (const result of ran) {
        const timeline = result.evidence.reboot;
        if (result.id.endsWith('flags.users') || result.id.endsWith('flags.all')) {
          // The boot identity: uptime read on the interrupted run's system port (also before the request, on HTTP).
          expect(timeline?.outcome, result.id).toBe('rebooted');
          expect(timeline?.uptimeAfter, result.id).toBeDefined();
          if (result.id.startsWith('http.')) expect(timeline?.uptimeBefore, result.id).toBeDefined();
        }
        if (timeline)
          expect([timeline.downWithinMs, timeline.upWithinMs, timeline.probeIntervalMs]).toEqual([1700, 7000, 15]);
        for (const sent of result.evidence.amqp?.published ?? []) expect(sent.queue).toBe(queues.commandQueue);
        if (result.id === 'amqp.wipedata.reply.notify-path-only') {
          expect(JSON.stringify(result.evidence.amqp)).toContain(`:${callbackPort}/`);
        }
      }
      expect(ran.some((r) => r.evidence.reboot?.uptimeBefore !== undefined)).toBe(true);
      expect(report.results.every((r) => r.verdict === 'pass')).toBe(true);
    } finally {
      await mqDevice.close();
      await deletePrivateQueues(TEST_BROKER, queues);
    }
  });

  it('keeps no password: a broker URL with one must be given again, and then is used as given', () => {
    const recorded = recordSettings(
      { amqp: 'amqp://qa:s3cret@broker:5672/lab', 'system-port': '08899', only: ['a.*,b.*'], quiet: true },
      '/work',
    );
    expect(recorded).toEqual({ amqp: 'amqp://qa:***@broker:5672/lab', 'system-port': '8899', only: ['a.*', 'b.*'] });
    const point = { dir: '/work/out', suite: 'certification', profile: 'strict' as const, settings: recorded };
    const earlier = { source: 'x', startedAt: '', target: '', specHash: '', results: [] };
    expect(() => restoreResumedSettings({ ...point, earlier }, {}, {}, '/work')).toThrow(
      /had --amqp amqp:\/\/qa:\*\*\*@broker:5672\/lab, whose password the journal does not keep: give --amqp again/,
    );
    const values: Record<string, string | string[] | undefined> = { amqp: 'amqp://qa:s3cret@broker:5672/lab' };
    restoreResumedSettings({ ...point, earlier }, values, { amqp: 'flag' }, '/work');
    expect(values).toEqual({ amqp: 'amqp://qa:s3cret@broker:5672/lab', 'system-port': '8899', only: ['a.*', 'b.*'] });
    expect(() =>
      restoreResumedSettings(
        { ...point, earlier },
        { ...values, 'system-port': '8888' },
        { 'system-port': 'env' },
        '/work',
      ),
    ).toThrow('the interrupted run had --system-port 8899, not 8888 (from the environment)');
  });
});

describe('run --rerun-failed', () => {
  it('runs only the fail and could-not-test cases of an earlier report, against its target', async () => {
    const out = join(dir, 'base');
    const base = await runCli(['run', '--target', device.url, ...args('--out', out)]);
    expect(base.code).toBe(0);
    // The earlier run as if two of its cases had gone wrong.
    const report = readReport(join(out, 'report.json'));
    const failed = report.results.map((r, i) =>
      i === 1 ? { ...r, verdict: 'fail' as const } : i === 4 ? { ...r, verdict: 'could-not-test' as const } : r,
    );
    const earlier = join(dir, 'earlier.json');
    writeFileSync(earlier, JSON.stringify({ ...report, results: failed }));
    const rerun = await runCli([
      'run',
      '--rerun-failed',
      earlier,
      ...FAST_WINDOW_FLAGS,
      '--system-port',
      String(device.systemPort),
      '--out',
      join(dir, 'rerun'),
    ]);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`running again the 2 fail and could-not-test cases of ${earlier}`);
    const again = readReport(join(dir, 'rerun', 'report.json'));
    expect(again.results.map((r) => r.id)).toEqual([report.results[1]?.id, report.results[4]?.id]);
    expect(again.origin?.rerunOf).toMatchObject({ report: earlier, startedAt: report.startedAt, cases: 2 });

    const nothing = await runCli(['run', '--rerun-failed', out]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/nothing to rerun: \S+report\.json has no fail or could-not-test case/);
    const bad = await runCli(['run', '--rerun-failed', join(dir, 'earlier-missing.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CONFIG_INVALID: --rerun-failed \S+: no such file or folder/);
  });
});
