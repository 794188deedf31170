import { type KeyObject, sign } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { BUNDLE_LAYOUT, sha256 } from './bundle-files.ts';

/** `--bundle FILE [--sign-key KEY]` on a lab run. */
export interface LabBundleRequest {
  path: string;
  signKey?: KeyObject | undefined;
}

/** What a lab (or shard) bundle holds: the lab's folder as the run wrote it, and the specs it ran. */
export interface LabBundleInput {
  /** The lab's output folder: lab-summary.json and one folder per device. */
  folder: string;
  /** The devices whose folders go in (this run's, not whatever else the folder holds). */
  devices: readonly string[];
  specRoot: string;
  specFiles: readonly string[];
  specHash: string;
  tool: { name: string; version: string };
  /** The run's end: every entry's mtime, so the archive is reproducible. */
  finishedAt: string;
}

/** The lab's summary inside a lab bundle, beside the device folders. */
export const LAB_SUMMARY = 'lab-summary.json';

/**
 * Writes a lab bundle (.tar.gz): lab-summary.json and each device's report folder, the spec files with
 * spec-hash.txt and tool.json as in a certification bundle, and MANIFEST.sha256 over all of them (signed into
 * MANIFEST.sha256.sig with a key). `merge` reads it like the shard's folder, after checking the manifest.
 * Files are staged on disk, never all held in memory: a shard of a large lab is many reports.
 */
export async function writeLabBundle(request: LabBundleRequest, input: LabBundleInput): Promise<string[]> {
  const staging = mkdtempSync(join(tmpdir(), 'sophon-lab-bundle-'));
  try {
    cpSync(join(input.folder, LAB_SUMMARY), join(staging, LAB_SUMMARY));
    for (const device of input.devices) {
      const dir = join(input.folder, device);
      if (existsSync(dir)) cpSync(dir, join(staging, device), { recursive: true });
    }
    for (const spec of input.specFiles) {
      mkdirSync(dirname(join(staging, spec)), { recursive: true });
      cpSync(join(input.specRoot, spec), join(staging, spec));
    }
    writeFileSync(join(staging, BUNDLE_LAYOUT.specHash), `${input.specHash}\n${input.specFiles.join('\n')}\n`);
    writeFileSync(
      join(staging, BUNDLE_LAYOUT.tool),
      `${JSON.stringify({ name: input.tool.name, version: input.tool.version, node: process.version }, null, 2)}\n`,
    );
    const names = filesUnder(staging);
    const manifest = `${names.map((name) => `${sha256(readFileSync(join(staging, name)))}  ${name}`).join('\n')}\n`;
    writeFileSync(join(staging, BUNDLE_LAYOUT.manifest), manifest);
    names.push(BUNDLE_LAYOUT.manifest);
    if (request.signKey) {
      const signature = sign(null, Buffer.from(manifest, 'utf8'), request.signKey).toString('base64');
      writeFileSync(join(staging, BUNDLE_LAYOUT.signature), `${signature}\n`);
      names.push(BUNDLE_LAYOUT.signature);
    }
    const target = resolve(request.path);
    mkdirSync(dirname(target), { recursive: true });
    const { create } = await import('tar');
    await create({ gzip: true, file: target, cwd: staging, portable: true, mtime: new Date(input.finishedAt) }, names);
    return names;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Every regular file under `root`, as sorted `/`-separated relative paths (the manifest's order). */
export function filesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(root, path).split('\\').join('/'));
    }
  };
  walk(root);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
