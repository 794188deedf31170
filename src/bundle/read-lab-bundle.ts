import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extract, type ReadEntry } from 'tar';
import { BUNDLE_LAYOUT, parseManifest, sha256, specHashOf } from './bundle-files.ts';
import { filesUnder, LAB_SUMMARY } from './write-lab-bundle.ts';

/** Marks a folder merge unpacked a bundle into, so a later merge may replace it (and nothing else). */
export const UNPACKED_MARK = '.unpacked-by-merge';

/**
 * Unpacks a .tar.gz into `dir`: regular files and folders only, never outside `dir` (no absolute paths, no
 * `..`, no links). Returns the folder that holds lab-summary.json: `dir` itself, or the one folder an archive
 * made with `tar czf shard.tar.gz shard-1/` puts everything under. Throws with the reason.
 */
export async function unpackLabArchive(file: string, dir: string): Promise<string> {
  const refused: string[] = [];
  await extract({
    file,
    cwd: dir,
    strict: true,
    preservePaths: false,
    filter: (path: string, entry: unknown) => {
      const type = (entry as ReadEntry).type;
      const ok = (type === 'File' || type === 'Directory') && !path.startsWith('/') && !path.split('/').includes('..');
      if (!ok) refused.push(`${JSON.stringify(path)} (${type})`);
      return ok;
    },
  });
  if (refused.length) throw new Error(`unexpected archive entries: ${refused.slice(0, 3).join(', ')}`);
  if (existsSync(join(dir, LAB_SUMMARY))) return dir;
  const entries = readdirSync(dir, { withFileTypes: true });
  const [only] = entries;
  if (entries.length === 1 && only?.isDirectory() && existsSync(join(dir, only.name, LAB_SUMMARY))) {
    return join(dir, only.name);
  }
  throw new Error(`no ${LAB_SUMMARY} in it: not a lab's or shard's output`);
}

/**
 * Checks a lab folder that carries a MANIFEST.sha256 (an unpacked lab bundle): every file listed is there
 * with its sha256, no file is there that is not listed, and the bundled spec files hash to spec-hash.txt.
 * `none` when there is no manifest to check.
 */
export function checkLabFolder(dir: string): { integrity: 'manifest' | 'none'; problems: string[] } {
  const manifestPath = join(dir, BUNDLE_LAYOUT.manifest);
  if (!existsSync(manifestPath)) return { integrity: 'none', problems: [] };
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'));
  if (!manifest) return { integrity: 'manifest', problems: [`${BUNDLE_LAYOUT.manifest} is not in sha256sum format`] };
  const problems: string[] = [];
  for (const [name, expected] of manifest) {
    const path = join(dir, name);
    if (!existsSync(path)) problems.push(`${name} is listed in the manifest but missing`);
    else if (sha256(readFileSync(path)) !== expected)
      problems.push(`${name} does not match its sha256 in the manifest`);
  }
  for (const name of filesUnder(dir)) {
    const ours = name === BUNDLE_LAYOUT.manifest || name === BUNDLE_LAYOUT.signature || name === UNPACKED_MARK;
    if (!manifest.has(name) && !ours) {
      problems.push(`${name} is not in the manifest`);
    }
  }
  const specHashPath = join(dir, BUNDLE_LAYOUT.specHash);
  if (problems.length === 0 && existsSync(specHashPath)) {
    const [hash, ...specFiles] = readFileSync(specHashPath, 'utf8').trim().split('\n');
    const computed = specHashOf(specFiles.map((f) => ({ path: f, text: readFileSync(join(dir, f), 'utf8') })));
    if (computed !== hash) problems.push(`the bundled spec files hash to ${computed.slice(0, 12)}…, not ${hash}`);
  }
  return { integrity: 'manifest', problems };
}
