import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configTemplate, DEFAULT_CONFIG_FILE } from '../../api/config-file.ts';

export const INIT_USAGE = `Usage: sophon-conformance init [FILE] [--force]

Writes a commented config file (default ./${DEFAULT_CONFIG_FILE}) that \`run\` reads; an existing
file is kept unless --force is given.`;

/** `init [FILE] [--force]`: writes the commented config file; returns the exit code. */
export function initCommand(
  argv: string[],
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    out.write(`${INIT_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    err.write(`sophon-conformance: CONFIG_INVALID: init takes one file, got ${positionals.join(' ')}\n`);
    return 2;
  }
  const shown = positionals[0] ?? DEFAULT_CONFIG_FILE;
  const path = resolve(shown);
  if (existsSync(path) && !values.force) {
    err.write(`sophon-conformance: ${shown} already exists; not overwritten (--force replaces it)\n`);
    return 2;
  }
  writeFileSync(path, configTemplate(path));
  out.write(`wrote ${shown}: set target, then run \`sophon-conformance run\`\n`);
  return 0;
}
