import { parseArgs } from 'node:util';
import { comparedCases, compareGate, compareRuns, renderComparisonText } from '../../api/compare.ts';
import { ConformanceError } from '../../api/errors.ts';
import { loadReport } from '../../api/load-report.ts';

export const COMPARE_USAGE = `Usage: sophon-conformance compare BASE NEW [--json]

  BASE, NEW   two runs: each a run folder, a report.json or a certification bundle (.tar.gz)
  --json      print the comparison and the gate as JSON (for machines)

Prints the cases newly failing, newly passing and whose verdict changed otherwise, as serve's comparison
page does (the same comparison code). Exit codes: 1 a MUST case fails in NEW that did not fail in BASE
(a waiver in force in NEW lets it through), 0 otherwise, 2 a run could not be read.`;

/** `compare BASE NEW [--json]`: the regression gate between two runs. */
export async function compareCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out.write(`${COMPARE_USAGE}\n`);
    return 0;
  }
  const [basePath, newPath, ...extra] = positionals;
  if (!basePath || !newPath || extra.length) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      'compare takes two runs: compare BASE NEW (run folders, report.json files or bundles)',
    );
  }
  const base = await loadReport(basePath, 'BASE');
  const next = await loadReport(newPath, 'NEW');
  const comparison = compareRuns(base.report, next.report);
  const gate = compareGate(comparison, next.report);
  // How many cases were compared is said next to the gate, so a PASS over 2 of 63 cases never reads as all 63.
  const compared = comparedCases(comparison);
  if (values.json) {
    out.write(`${JSON.stringify({ base: base.source, new: next.source, compared, gate, comparison }, null, 2)}\n`);
  } else {
    const lines = renderComparisonText(comparison, gate, { a: base.source, b: next.source });
    lines.splice(lines.length - 1, 0, compared);
    out.write(`${lines.join('\n')}\n`);
  }
  return gate.exitCode;
}
