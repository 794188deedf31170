import { ConformanceError } from '../../api/errors.ts';
import { isLabRun, runLabCommand } from '../../api/lab/lab-run.ts';
import { refuseMqOnlyWithoutBroker } from '../../api/planned-transports.ts';
import { POLICY_USAGE, writeRunBundle } from '../../api/policy-options.ts';
import { ledgerLocation } from '../../api/record-into-ledger.ts';
import { recordSettings } from '../../api/resume-run.ts';
import { runAndReport, runFolderName } from '../../api/run-and-report.ts';
import { listCases, type StatusLine } from '../../api/run-console.ts';
import { parseRunFlags, resolveRunValues, settingsUsage } from '../../api/run-flags.ts';
import { planRun } from '../../api/run-from-values.ts';
import { defaultReportsDir } from '../../api/tool-info.ts';
import { EXIT_CODES_USAGE } from '../exit-codes.ts';

export const RUN_USAGE = `Usage: sophon-conformance run --target http://HOST:PORT [options]

  --lab FILE              the lab's devices: devices: [{ name, target, system-port, expected-minutes, … }]
  --shard K/N             only the K-th of N slices of the lab (or SOPHON_SHARD=K/N; --shards N takes K from
                          a Kubernetes Indexed Job's JOB_COMPLETION_INDEX); join them with: merge OUT SHARD…
                          (in a lab, --bundle FILE packs the lab's folder and specs into one .tar.gz)

${settingsUsage()}
  --list                  list the selected cases and exit
  --config FILE           settings file (default ./sophon-conformance.config.yaml; write one with init);
                          a flag beats its SOPHON_* variable, which beats the file (docs/configuration.md)
  --quiet                 print only the summary (no case lines, no status line)
  --resume DIR            continue the run cut short in DIR (its --out): finished cases keep their results,
                          the rest run, one complete report is written into DIR
  --rerun-failed REPORT   run only the fail and could-not-test cases of an earlier run (its folder,
                          report.json or bundle); target, suite and profile default to that run's
  --no-ledger             do not record the run (SOPHON_LEDGER=off does the same)
${POLICY_USAGE}

${EXIT_CODES_USAGE}`;

/** `run`: the whole check against one target; returns the exit code. */
export async function runCommand(
  argv: string[],
  out: NodeJS.WriteStream = process.stdout,
  status?: StatusLine,
): Promise<number> {
  // Several devices (--target twice, URL,system=N, --lab FILE, a shard): one run each, side by side (api/lab/lab-run.ts).
  if (isLabRun(argv)) {
    const defaultOut = () => defaultReportsDir(`${runFolderName()}-lab`);
    return runLabCommand(argv, out, { defaultOut });
  }
  return runOneTarget(argv, out, status);
}

// One target, never a lab: a lab's device runs come here too, whatever SOPHON_SHARD says.
async function runOneTarget(argv: string[], out: NodeJS.WriteStream, status?: StatusLine): Promise<number> {
  const { values: flags } = parseRunFlags(argv);
  // flags > SOPHON_* environment > config file > defaults (src/settings/resolve-run-values.ts)
  const { values, origins } = resolveRunValues(flags, { env: process.env, cwd: process.cwd() });
  if (values.help) {
    out.write(`${RUN_USAGE}\n`);
    return 0;
  }
  if (values.resume !== undefined && values['rerun-failed'] !== undefined) {
    throw new ConformanceError('CONFIG_INVALID', '--resume and --rerun-failed do not go together: pick one');
  }
  const planned = await planRun(values, origins);
  if (planned.kind === 'nothing-to-rerun') {
    out.write(`nothing to rerun: ${planned.source} has no fail or could-not-test case\n`);
    return 0;
  }
  const { settings, selection, reporters, bundle, resume, rerun, restored } = planned;
  if (values.list) {
    listCases(settings.root, settings.suite, selection, out);
    return 0;
  }
  if (!settings.amqp) refuseMqOnlyWithoutBroker(settings.root, settings.suite, selection);
  const outDir = resume?.dir ?? values.out ?? defaultReportsDir(runFolderName());
  if (restored.length) out.write(`settings of the interrupted run: ${restored.join(' ')}\n`);
  if (rerun) {
    out.write(`running again the ${selection.ids?.length} fail and could-not-test cases of ${rerun.source}\n`);
  }
  const ledger = ledgerLocation(values.ledger, values['no-ledger'] === true);
  const { report } = await runAndReport(settings, outDir, reporters, out, {
    quiet: values.quiet === true,
    status,
    ledger,
    recorded: recordSettings(values),
  });
  if (bundle) out.write(`certification bundle: ${await writeRunBundle(bundle, report, settings)}\n`);
  return report.exitCode;
}
