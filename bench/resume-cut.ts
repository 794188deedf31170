// Resume: the certification suite against the reference device (booting in BENCH_BOOT_MS, default 1500 ms, with
// its MQ channel when a broker answers) three times through the command line: whole; cut by kill -9 (a power
// cut: nothing is written at the end) when the CUT_AT-th case has ended; then `run --resume` of the cut run.
// Prints the wall times, what resuming saved against starting again, and whether the resumed report has the
// same verdicts as the whole run.
//
//   npm run bench -- resume-cut        (BENCH_CUT_AT=60, BENCH_BOOT_MS=1500)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerAnswers, DEFAULT_BROKER, deletePrivateQueues, privateQueues } from '../api/broker.ts';
import { startDevice } from '../reference-device/start-device.ts';
import type { Report } from '../src/results/types.ts';
import { runCli } from '../test/helpers/cli-process.ts';
import { emit, machine } from './bench-kit.ts';

const CUT_AT = Number(process.env.BENCH_CUT_AT ?? 60);
const BOOT_MS = Number(process.env.BENCH_BOOT_MS ?? 1_500);
const broker = process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
const hasBroker = await brokerAnswers(broker);
const queues = privateQueues('sc-bench-resume');
const dir = mkdtempSync(join(tmpdir(), 'sophon-bench-resume-'));
const device = await startDevice({
  port: 0,
  systemPort: 0,
  dataDir: join(dir, 'device'),
  bootMs: BOOT_MS,
  ...(hasBroker ? { amqp: { url: broker, ...queues, log: () => {} } } : {}),
});
const flags = [
  ...['--system-port', String(device.systemPort), '--suite', 'certification'],
  ...['--down-within', '3000', '--up-within', '15000', '--quiet-ms', '300', '--probe-ms', '10'],
  ...(hasBroker
    ? ['--amqp', broker, '--command-queue', queues.commandQueue, '--up-queue', queues.upQueue, '--reply-within', '3000']
    : []),
  ...['--reporter', 'console,json'],
];
const verdicts = (path: string) =>
  (JSON.parse(readFileSync(path, 'utf8')) as Report).results.map((r) => `${r.id} ${r.verdict}`);
try {
  const whole = await runCli(['run', '--target', device.url, ...flags, '--out', join(dir, 'whole')], {
    killAfterMs: 1_800_000,
  });
  let ended = 0;
  const cut = runCli(['run', '--target', device.url, ...flags, '--out', join(dir, 'cut')], {
    killAfterMs: 1_800_000,
    onStdout: (text) => {
      ended += (text.match(/^(PASS|FAIL|WARN|N\/A |CNT ) /gm) ?? []).length;
      if (ended >= CUT_AT) cut.child.kill('SIGKILL');
    },
  });
  const cutRun = await cut;
  const resumed = await runCli(['run', '--resume', join(dir, 'cut'), ...flags], { killAfterMs: 1_800_000 });
  const wholeVerdicts = verdicts(join(dir, 'whole', 'report.json'));
  const resumedReport = JSON.parse(readFileSync(join(dir, 'cut', 'report.json'), 'utf8')) as Report;
  const resumedVerdicts = resumedReport.results.map((r) => `${r.id} ${r.verdict}`);
  emit('resume-cut', {
    ...machine(),
    cases: wholeVerdicts.length,
    bootMs: BOOT_MS,
    mq: hasBroker,
    cutAt: CUT_AT,
    kept: resumedReport.origin?.resumed?.kept,
    exitCodes: { whole: whole.code, cut: cutRun.code, resumed: resumed.code },
    wholeMs: whole.wallMs,
    cutMs: cutRun.wallMs,
    resumeMs: resumed.wallMs,
    // Starting again from case 1 would cost the whole run; resuming costs this much less.
    savedMs: whole.wallMs - resumed.wallMs,
    savedShare: Math.round(((whole.wallMs - resumed.wallMs) / whole.wallMs) * 100) / 100,
    sameVerdicts: JSON.stringify(wholeVerdicts) === JSON.stringify(resumedVerdicts),
    differing: resumedVerdicts.filter((v, i) => v !== wholeVerdicts[i]),
  });
} finally {
  await device.close();
  if (hasBroker) await deletePrivateQueues(broker, queues);
  rmSync(dir, { recursive: true, force: true });
}
