import { parseArgs } from 'node:util';
import picocolors from 'picocolors';
import { doctorSettings, runDoctor, writeCapabilityManifest } from '../../api/doctor.ts';
import { ConformanceError } from '../../api/errors.ts';
import { redactUrl } from '../../api/redact.ts';
import { colorWanted } from '../../api/run-console.ts';
import { RUN_FLAGS, resolveRunValues } from '../../api/run-flags.ts';

export const DOCTOR_USAGE = `Usage: sophon-conformance doctor --target http://HOST:PORT [options]

Checks, before a certification run, that one can be carried out: the API and system port answer, getuptime
is understood and the firmware read, each state category can be read and seeded, the broker answers, the
command queue has a consumer, the device answers on the up queue with its license key, and the callback
address is this machine's. It changes nothing it does not put back (smart settings are set and restored;
nothing is created, wiped or purged). Each line is ✓ or ✗ with what to do.

  --target URL            the device's API
  --system-port N         its system API port (default 8888; 0 = none)
  --amqp URL / --command-queue Q / --up-queue Q / --license KEY / --reply-within MS
                          as for run: the command queue is --command-queue, or queue-dev-KEY with --license KEY;
                          without --license the key is learnt from a harmless probe on that queue
  --callback-host HOST / --callback-listen HOST / --callback-port N
  --record-source URL     the face video a run plays to make recognition records
  --suite NAME|FILE       the suite the run will use (default certification): MQ checks only when it has MQ cases
  --capabilities FILE     the manifest the run will use (undeclared features need no check)
  --state-adapter NAME|PATH, --timeout MS, --specs DIR, --config FILE   as for run
  --write-capabilities FILE   write the capability manifest that follows from what doctor found

Exit codes: 0 every check held (a certification run can be carried out), 1 some did not, 2 bad flags.`;

const DOCTOR_FLAG_NAMES = [
  'target',
  'system-port',
  'amqp',
  'command-queue',
  'up-queue',
  'license',
  'reply-within',
  'callback-host',
  'callback-listen',
  'callback-port',
  'record-source',
  'suite',
  'capabilities',
  'state-adapter',
  'timeout',
  'specs',
  'config',
  'help',
] as const;

const DOCTOR_FLAGS = {
  ...Object.fromEntries(DOCTOR_FLAG_NAMES.map((name) => [name, RUN_FLAGS[name]])),
  'write-capabilities': { type: 'string' },
} as const;

/** `doctor`: the preflight; exit 0 when a certification run can be carried out, 1 when it cannot. */
export async function doctorCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values: flags } = parseArgs({ args: argv, options: DOCTOR_FLAGS, strict: true, allowPositionals: false });
  const { values } = resolveRunValues(flags as Record<string, string | boolean | string[] | undefined>, {
    env: process.env,
    cwd: process.cwd(),
  });
  const v = values as Record<string, string | undefined> & { help?: boolean };
  if (v.help) {
    out.write(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  if (!v.target)
    throw new ConformanceError('CONFIG_INVALID', '--target is required (e.g. --target http://192.168.1.20:5555)');
  const settings = doctorSettings(v.target, v);
  const writeTo = (flags as { 'write-capabilities'?: string })['write-capabilities'];
  const paint = picocolors.createColors(colorWanted(process.env, Boolean(out.isTTY)));
  const started = performance.now();
  out.write(`sophon-conformance doctor: ${redactUrl(v.target)} (suite ${v.suite ?? 'certification'})\n`);
  const result = await runDoctor(settings, (finding) => {
    out.write(`${finding.ok ? paint.green('✓') : paint.red('✗')} ${redactUrl(finding.what)}\n`);
    if (finding.fix) out.write(`    fix: ${finding.fix}\n`);
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (writeTo) {
    writeCapabilityManifest(writeTo, result, v.target);
    out.write(`capability manifest: ${writeTo} (run --capabilities ${writeTo})\n`);
  }
  const problems = result.findings.filter((f) => !f.ok).length;
  out.write(
    result.ready
      ? `${paint.green('ready')}: a certification run can be carried out (${seconds} s, exit 0)\n`
      : `${paint.red('not ready')}: ${problems} problem(s) to fix before a certification run (${seconds} s, exit 1)\n`,
  );
  return result.ready ? 0 : 1;
}
