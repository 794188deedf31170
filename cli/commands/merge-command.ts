import { parseArgs } from 'node:util';
import { ConformanceError } from '../../api/errors.ts';
import { mergeShards, renderFleetConsole } from '../../api/lab/merge-shards.ts';
import { ledgerLocation, recordFleetIntoLedger } from '../../api/record-into-ledger.ts';

export const MERGE_USAGE = `Usage: sophon-conformance merge OUT SHARD…

Combines the shards of one lab (each the folder, or the --bundle .tar.gz, that run --lab FILE --shard K/N
wrote) into one fleet result: OUT/fleet-summary.json and OUT/fleet.html (the devices × clauses matrix, the
devices grouped by firmware version, each device's gate and counts linked to its own report). Bundles are
unpacked into OUT/<bundle name>/; collect shard folders under OUT so the page's links travel with it.

Refused (exit 2, nothing written) when the shards are of different labs or splits, ran different spec hashes,
suites, profiles or cases, or overlap. A shard that is not given is named and makes the fleet exit 2.

Every device's report is recorded into the results ledger (--ledger PATH|postgres://…, SOPHON_LEDGER,
default reports/ledger/ledger.sqlite; --no-ledger: not recorded): see ledger --help.

Exit codes: the worst device's: 0 every device passed, 1 a device failed a MUST case, 3 no failure but a
device is incomplete, 2 a device could not be run, a shard or report is missing, or the merge was refused.`;

/** `merge OUT SHARD…`: the fleet's answer from its shards; returns the fleet's exit code. */
export async function mergeCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, ledger: { type: 'string' }, 'no-ledger': { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(`${MERGE_USAGE}\n`);
    return 0;
  }
  const [target, ...shards] = positionals;
  if (!target || shards.length === 0) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      'merge needs an output folder and at least one shard: merge OUT SHARD… (e.g. merge fleet fleet/shard-*)',
    );
  }
  const { fleet, summaryPath, htmlPath } = await mergeShards(target, shards);
  out.write(`${renderFleetConsole(fleet).join('\n')}\nfleet summary: ${summaryPath}\nfleet report: ${htmlPath}\n`);
  // Shards may have run on machines with ledgers of their own: the merge records every device's run here
  // (a run already recorded is recognised by its report and not added twice).
  const ledger = ledgerLocation(values.ledger, values['no-ledger'] === true);
  if (ledger) out.write(`${(await recordFleetIntoLedger(fleet, target, ledger)).join('\n')}\n`);
  return fleet.exitCode;
}
