import { parseArgs } from 'node:util';
import { brokerAnswers, DEFAULT_BROKER } from '../../api/broker.ts';
import { intFlag } from '../../api/run-flags.ts';
import { defaultReportsDir } from '../../api/tool-info.ts';
import {
  type FaultRow,
  killMatrixHolds,
  renderKillMatrixMarkdown,
  runKillMatrix,
  SLOW_OVER_HEALTHY,
  slowFaults,
  writeMatrixFiles,
} from '../../matrix/index.ts';

export const KILL_MATRIX_USAGE = `Usage: sophon-conformance kill-matrix [options]

  --suite NAME       suite to run against each fault (default certification)
  --fault NAME       only these faults (repeatable; default all: device --list-faults)
  --parallel N       fault runs at once, each with its own ports, data folder and queues (default 3)
  --clean-runs N     runs against the healthy device, which must never fail (default 5)
  --with-variants    every device also carries the combined variants of reference-device/variants.ts:
                     widening a check to accept them must never hide a fault (kill-matrix-variants.{json,md})
  --amqp URL         broker for the MQ cases (default $SOPHON_AMQP_URL or amqp://guest:guest@127.0.0.1:5672)
  --out DIR          where kill-matrix.json and kill-matrix.md go (default reports/out)

Exit 0 only when every fault is caught by exactly its declared cases and the healthy device never fails.`;

/**
 * `kill-matrix`: runs the suite against the reference device with every fault (and clean, several
 * times) and writes reports/out/kill-matrix.{json,md}. Exit 0 only when every fault is caught by
 * exactly its declared cases and the clean device never fails.
 */
export async function killMatrixCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      suite: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      fault: { type: 'string', multiple: true },
      parallel: { type: 'string' },
      'clean-runs': { type: 'string' },
      'with-variants': { type: 'boolean' },
      amqp: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (values.help) {
    out.write(`${KILL_MATRIX_USAGE}\n`);
    return 0;
  }
  const brokerUrl = values.amqp ?? process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
  const broker = (await brokerAnswers(brokerUrl)) ? brokerUrl : undefined;
  const matrix = await runKillMatrix({
    suite: values.suite ?? 'certification',
    ...(values.fault ? { faults: values.fault } : {}),
    parallel: intFlag('parallel', values.parallel, 1) ?? 3,
    cleanRuns: intFlag('clean-runs', values['clean-runs']) ?? 5,
    broker,
    withVariants: values['with-variants'] === true,
    onRow: (row) =>
      out.write(
        `${row.exact ? 'exact  ' : row.caughtBy.length ? 'INEXACT' : 'MISSED '} ${row.fault}: caught by ${row.caughtBy.length} (declared ${row.expectedCases.length})${row.firstAttempt ? ', on a second run' : ''}, ${row.durationMs} ms${overHealthy(row)}\n`,
      ),
  });
  const name = matrix.variants.length ? 'kill-matrix-variants' : 'kill-matrix';
  const markdown = writeMatrixFiles(values.out ?? defaultReportsDir(), name, matrix, renderKillMatrixMarkdown(matrix));
  out.write(
    `${matrix.faults.filter((f) => f.exact).length}/${matrix.faults.length} faults caught exactly; clean device: ${matrix.clean.fails} failures, ${matrix.clean.warns} warnings in ${matrix.clean.runs} runs; gaps: ${matrix.gaps.join(', ') || 'none'}; ${(matrix.durationMs / 1000).toFixed(1)} s\n`,
  );
  if (matrix.healthyRunMs !== undefined) {
    const slow = slowFaults(matrix);
    out.write(
      `healthy device: ${matrix.healthyRunMs} ms a run; ${slow.length ? `SLOW (over ${SLOW_OVER_HEALTHY} × healthy): ${slow.map((f) => `${f.fault} ${f.runMs} ms (× ${f.overHealthy})`).join(', ')}` : `no fault run took over ${SLOW_OVER_HEALTHY} × that`}\n`,
    );
  }
  out.write(`kill matrix: ${markdown}\n`);
  return killMatrixHolds(matrix) ? 0 : 1;
}

/** A row's run time beside the healthy device's, as far as the healthy runs have finished. */
function overHealthy(row: FaultRow): string {
  if (row.overHealthy === undefined) return '';
  const slow = row.overHealthy > SLOW_OVER_HEALTHY ? ` SLOW (over ${SLOW_OVER_HEALTHY} × healthy)` : '';
  return ` (× ${row.overHealthy} the healthy run)${slow}`;
}
