import { parseArgs } from 'node:util';
import { brokerAnswers, DEFAULT_BROKER } from '../../api/broker.ts';
import { intFlag } from '../../api/run-flags.ts';
import { defaultReportsDir } from '../../api/tool-info.ts';
import {
  renderVariantMatrixMarkdown,
  runVariantMatrix,
  variantMatrixHolds,
  writeMatrixFiles,
} from '../../matrix/index.ts';

export const VARIANT_MATRIX_USAGE = `Usage: sophon-conformance variant-matrix [options]

  --suite NAME       suite to run against each variant (default certification)
  --variant NAME     only these variants (repeatable; default all: device --list-variants)
  --no-combined      skip the run of all compatible variants together
  --parallel N       runs at once, each device with its own ports, data folder and queues (default 3)
  --amqp URL         broker for the MQ cases (default $SOPHON_AMQP_URL or amqp://guest:guest@127.0.0.1:5672)
  --out DIR          where variant-matrix.json and variant-matrix.md go (default reports/out)

Each variant is a correct device that makes another choice the documents allow. Exit 0 only when every run
has no failure and nothing untestable, and warns exactly where its variants declare the SHOULD they depart from.`;

/** `variant-matrix`: the allowed-behaviour matrix, beside the kill matrix (issue 13). */
export async function variantMatrixCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      suite: { type: 'string' },
      variant: { type: 'string', multiple: true },
      'no-combined': { type: 'boolean' },
      parallel: { type: 'string' },
      amqp: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out.write(`${VARIANT_MATRIX_USAGE}\n`);
    return 0;
  }
  const brokerUrl = values.amqp ?? process.env.SOPHON_AMQP_URL ?? DEFAULT_BROKER;
  const broker = (await brokerAnswers(brokerUrl)) ? brokerUrl : undefined;
  const matrix = await runVariantMatrix({
    suite: values.suite ?? 'certification',
    ...(values.variant ? { variants: values.variant } : {}),
    combined: values['no-combined'] !== true,
    parallel: intFlag('parallel', values.parallel, 1) ?? 3,
    broker,
    onRow: (row) => {
      const misses = row.failed.length + row.couldNotTest.length + row.unexpectedWarns.length + row.missingWarns.length;
      out.write(
        `${row.exact ? 'pass   ' : row.failed.length ? 'FAILED ' : 'INEXACT'} ${row.variant}: ${row.warned.length} warnings (declared ${row.declaredWarns.length})${misses ? `, ${misses} off` : ''}, ${row.durationMs} ms\n`,
      );
      for (const m of [...row.failed, ...row.couldNotTest, ...row.unexpectedWarns]) {
        out.write(`    ${m.verdict} ${m.id}: ${m.message}\n`);
      }
    },
  });
  const markdown = writeMatrixFiles(
    values.out ?? defaultReportsDir(),
    'variant-matrix',
    matrix,
    renderVariantMatrixMarkdown(matrix),
  );
  const falseFailures = matrix.rows.reduce((n, r) => n + r.failed.length, 0);
  out.write(
    `${matrix.rows.filter((r) => r.exact).length}/${matrix.rows.length} correct devices passed with exactly their declared warnings; ${falseFailures} false failures; ${(matrix.durationMs / 1000).toFixed(1)} s\n`,
  );
  out.write(`variant matrix: ${markdown}\n`);
  return variantMatrixHolds(matrix) ? 0 : 1;
}
