import { createHash } from 'node:crypto';

/** The files a certification bundle holds beside the manifest, by path inside the archive. */
export const BUNDLE_LAYOUT = {
  report: 'report.json',
  html: 'report.html',
  junit: 'junit.xml',
  specHash: 'spec-hash.txt',
  tool: 'tool.json',
  config: 'config.json',
  manifest: 'MANIFEST.sha256',
  signature: 'MANIFEST.sha256.sig',
} as const;

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256sum` format (two spaces), sorted by path: `sha256sum -c MANIFEST.sha256` checks an extracted bundle. */
export function manifestText(files: ReadonlyMap<string, Uint8Array>): string {
  return `${[...files]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, bytes]) => `${sha256(bytes)}  ${path}`)
    .join('\n')}\n`;
}

/** Parses a manifest; undefined when a line is not `<64 hex>  <path>`. */
export function parseManifest(text: string): Map<string, string> | undefined {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m?.[1] || !m[2] || entries.has(m[2])) return undefined;
    entries.set(m[2], m[1]);
  }
  return entries;
}

/**
 * The spec hash exactly as the loader computes it (src/specs/load-specs.ts): SHA-256 over each spec
 * file's path (relative to the spec root) and text, NUL-separated, clauses first, then the case files
 * in path order. A test keeps the two in step.
 */
export function specHashOf(files: readonly { path: string; text: string }[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file.path);
    hash.update('\0');
    hash.update(file.text);
    hash.update('\0');
  }
  return hash.digest('hex');
}
