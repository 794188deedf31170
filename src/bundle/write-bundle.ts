import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConformanceError } from '../errors/conformance-error.ts';
import type { Report } from '../results/types.ts';
import { BUNDLE_LAYOUT, manifestText, sha256 } from './bundle-files.ts';

/** What goes into a certification bundle; the caller renders the reports (the bundle does not judge). */
export interface BundleInput {
  report: Report;
  /** report.html and junit.xml as rendered from the report. */
  html: string;
  junit: string;
  /** The spec root the run used and its spec files in hash order (SpecCatalogue.files). */
  specRoot: string;
  specFiles: readonly string[];
  tool: { name: string; version: string };
  /** The settings the run used, secrets already redacted. */
  config: Record<string, unknown>;
  /** PEM Ed25519 private key: the manifest is signed with it. */
  signKey?: KeyObject | undefined;
}

/** Loads a PEM Ed25519 private key for `--sign-key`; anything else is exit 2 with the reason. */
export function loadSigningKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--sign-key ${path}: not a readable PEM private key (${(error as Error).message})`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--sign-key ${path}: want an Ed25519 key (got ${key.asymmetricKeyType})`,
    );
  }
  return key;
}

/** The key's fingerprint as printed by `verify`: sha256 of its DER public key. */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `SHA256:${sha256(pub.export({ type: 'spki', format: 'der' })).slice(0, 32)}`;
}

/**
 * Writes the certification bundle (.tar.gz): report.json, report.html, junit.xml, the spec files and
 * their hash, tool.json, config.json and MANIFEST.sha256 (the sha256 of every other file), plus
 * MANIFEST.sha256.sig (Ed25519, base64) when a key is given. Returns the paths inside the archive.
 */
export async function writeBundle(path: string, input: BundleInput): Promise<string[]> {
  const files = new Map<string, Uint8Array>();
  const text = (name: string, value: string) => files.set(name, Buffer.from(value, 'utf8'));
  text(BUNDLE_LAYOUT.report, `${JSON.stringify(input.report, null, 2)}\n`);
  text(BUNDLE_LAYOUT.html, input.html);
  text(BUNDLE_LAYOUT.junit, input.junit);
  for (const spec of input.specFiles) files.set(spec, readFileSync(join(input.specRoot, spec)));
  text(BUNDLE_LAYOUT.specHash, `${input.report.specHash}\n${input.specFiles.join('\n')}\n`);
  text(
    BUNDLE_LAYOUT.tool,
    `${JSON.stringify({ name: input.tool.name, version: input.tool.version, node: process.version }, null, 2)}\n`,
  );
  text(BUNDLE_LAYOUT.config, `${JSON.stringify(input.config, null, 2)}\n`);
  const manifest = manifestText(files);
  text(BUNDLE_LAYOUT.manifest, manifest);
  if (input.signKey) {
    text(BUNDLE_LAYOUT.signature, `${sign(null, Buffer.from(manifest, 'utf8'), input.signKey).toString('base64')}\n`);
  }

  const staging = mkdtempSync(join(tmpdir(), 'sophon-bundle-'));
  try {
    for (const [name, bytes] of files) {
      mkdirSync(dirname(join(staging, name)), { recursive: true });
      writeFileSync(join(staging, name), bytes);
    }
    const target = resolve(path);
    mkdirSync(dirname(target), { recursive: true });
    const names = [...files.keys()];
    // tar is loaded by the runs that write a bundle, not by every run.
    const { create } = await import('tar');
    // portable: no owner names or device ids; a fixed mtime (the run's end) keeps the archive reproducible.
    await create(
      { gzip: true, file: target, cwd: staging, portable: true, mtime: new Date(input.report.finishedAt) },
      names,
    );
    return names;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
