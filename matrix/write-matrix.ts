import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a matrix as `<dir>/<name>.json` (the matrix itself, what CI and the tests read) and `<dir>/<name>.md`
 * (its rendering, what a person reads); returns the Markdown file's path.
 */
export function writeMatrixFiles(dir: string, name: string, matrix: unknown, markdown: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(matrix, null, 2)}\n`);
  const md = join(dir, `${name}.md`);
  writeFileSync(md, markdown);
  return md;
}
