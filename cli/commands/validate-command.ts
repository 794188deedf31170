import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../api/tool-info.ts';
import { listSuites, loadSuite } from '../../src/plan/load-suite.ts';
import { planCases } from '../../src/plan/plan-cases.ts';
import { checkContractDrift } from '../../src/specs/contract-drift.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';

/** `validate [--specs DIR]`: loads every spec file and suite; a bad one is exit 2 with file:line:col. */
export function validateCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): number {
  const { values } = parseArgs({
    args: argv,
    options: { specs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    out.write(
      "Usage: sophon-conformance validate [--specs DIR]\n\n  checks every spec file, suite and the contract documents under DIR (default: the tool's own);\n  a mistake is reported as file:line:col, case id and path, exit 2\n",
    );
    return 0;
  }
  const root = resolve(values.specs ?? PROJECT_ROOT);
  const catalogue = loadSpecs(root);
  const cited = new Set(catalogue.cases.flatMap((c) => c.spec.clauses));
  const uncovered = [...catalogue.clauses.values()].filter((c) => !cited.has(c.id));
  const suites = listSuites(root).map((name) => {
    const count = planCases(catalogue.cases, loadSuite(root, name)).length;
    return `${name} (${count})`;
  });
  out.write(
    `specs valid: ${catalogue.cases.length} cases, ${catalogue.clauses.size} clauses, suites: ${suites.join(', ')}; spec hash ${catalogue.hash.slice(0, 12)}\n`,
  );
  // The contract documents are checked where the spec folder has them (the tool's own always does).
  const contracts = join(root, 'contracts');
  const drift = existsSync(contracts) ? checkContractDrift(catalogue.cases, contracts) : undefined;
  if (drift?.length) {
    out.write(`contract drift (${drift.length}): the specs and contracts/ disagree\n`);
    for (const finding of drift) out.write(`  ${finding.where}: ${finding.message}\n`);
  } else if (drift) out.write('contracts agree with the specs: contracts/openapi.yaml, contracts/asyncapi.yaml\n');
  if (uncovered.length) {
    out.write(`clauses no case covers: ${uncovered.map((c) => `${c.id} (${c.level})`).join(', ')}\n`);
    if (uncovered.some((c) => c.level === 'MUST')) return 1;
  }
  return drift?.length ? 1 : 0;
}
