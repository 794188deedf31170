import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../api/tool-info.ts';
import { validateSpecs } from '../../api/validate-specs.ts';

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
  const check = validateSpecs(root);
  const suites = check.suites.map((suite) => `${suite.name} (${suite.cases})`);
  out.write(
    `specs valid: ${check.cases} cases, ${check.clauses} clauses, suites: ${suites.join(', ')}; spec hash ${check.hash.slice(0, 12)}\n`,
  );
  const drift = check.checkDrift();
  const { uncovered } = check;
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
