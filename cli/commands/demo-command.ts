import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { brokerAnswers, DEFAULT_BROKER, deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { demoRunSettings } from '../../api/demo-settings.ts';
import { checkDeviceSwitches } from '../../api/device-switches.ts';
import { ConformanceError } from '../../api/errors.ts';
import { plannedByTransport } from '../../api/planned-transports.ts';
import { bundleFromFlags, writeRunBundle } from '../../api/policy-options.ts';
import { redactUrl } from '../../api/redact.ts';
import { startReferenceDevice } from '../../api/reference-device.ts';
import { runAndReport, runFolderName } from '../../api/run-and-report.ts';
import { KNOWN_REPORTERS } from '../../api/run-flags.ts';
import { defaultReportsDir, PROJECT_ROOT } from '../../api/tool-info.ts';

export const DEMO_USAGE = `Usage: sophon-conformance demo [options]

  --out DIR          where the reports go (default reports/out/<run>)
  --suite NAME       suite to run (default certification)
  --fault NAME       run against a broken reference device (repeatable), to see what a failure looks like;
                     sophon-conformance device --list-faults lists them
  --amqp URL         broker for the MQ cases (default $SOPHON_AMQP_URL or amqp://guest:guest@127.0.0.1:5672)
  --bundle FILE      also write a certification bundle (.tar.gz); --sign-key FILE signs it`;

/**
 * `demo`: starts the bundled reference device on free ports (with its MQ channel when a broker
 * answers), runs the certification suite against it with windows that suit its sub-second boot,
 * writes every report, and says where they are.
 */
export async function demoCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      suite: { type: 'string' },
      fault: { type: 'string', multiple: true },
      amqp: { type: 'string' },
      bundle: { type: 'string' },
      'sign-key': { type: 'string' },
    },
  });
  const bundle = bundleFromFlags(values);
  if (values.help) {
    out.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  checkDeviceSwitches(values.fault ?? []);
  const brokerUrl = values.amqp ?? process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
  const broker = (await brokerAnswers(brokerUrl)) ? brokerUrl : undefined;
  const suite = values.suite ?? 'certification';
  // Without a broker the MQ half cannot be checked at all: say what it needs, and gate the HTTP half alone
  // rather than end INCOMPLETE behind a wall of could-not-test.
  const { http } = plannedByTransport(PROJECT_ROOT, suite, {});
  if (!broker && http.length === 0) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `suite ${suite} is all MQ cases and no RabbitMQ broker answers at ${redactUrl(brokerUrl)}: start one (rabbitmq-server -detached) or point at one (--amqp URL)`,
    );
  }
  // Queues of our own, so the demo never reads or leaves behind anyone else's messages.
  const queues = privateQueues('sc-demo');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-demo-'));
  const device = await startReferenceDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 150,
    faults: values.fault ?? [],
    // The device's own diagnostics (an unreachable notify_path a case sends on purpose…) are not the demo's output.
    ...(broker ? { amqp: { url: broker, ...queues, log: () => {} } } : {}),
  }).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  out.write(
    `reference device: ${device.url} (system ${device.systemUrl})${broker ? `, MQ on ${redactUrl(broker)} (${queues.commandQueue} → ${queues.upQueue})` : ''}${values.fault?.length ? `, faults ${values.fault.join(',')}` : ''}\n`,
  );
  if (!broker) {
    out.write(
      `no RabbitMQ broker answers at ${redactUrl(brokerUrl)}: the MQ half needs one (start it: rabbitmq-server -detached, or point at one: --amqp URL); checking the HTTP half only (${http.length} cases)\n`,
    );
  }
  try {
    const outDir = values.out ?? defaultReportsDir(runFolderName());
    const settings = demoRunSettings({ device, suite, http, ...(broker ? { broker, queues } : {}) });
    // The demo's device goes with the demo: an interrupted demo is run again, not resumed.
    // runAndReport names each report written ("html report: …"), as a run does.
    const { report } = await runAndReport(settings, outDir, KNOWN_REPORTERS, out, {
      incompleteAdvice: `run it again: sophon-conformance demo${argv.length ? ` ${argv.join(' ')}` : ''}`,
    });
    if (bundle) out.write(`certification bundle: ${await writeRunBundle(bundle, report, settings)}\n`);
    return report.exitCode;
  } finally {
    await device.close();
    if (broker) await deletePrivateQueues(broker, queues);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
