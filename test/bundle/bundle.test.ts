import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHtml } from '../../reports/render-html.ts';
import { renderJunit } from '../../reports/render-junit.ts';
import { specHashOf } from '../../src/bundle/bundle-files.ts';
import { checkBundle, readArchive } from '../../src/bundle/verify-bundle.ts';
import { writeBundle } from '../../src/bundle/write-bundle.ts';
import type { Report } from '../../src/results/types.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';
import { mixedReport } from '../fixtures/reports/sample-reports.ts';
import { PROJECT_ROOT } from '../helpers/run-against-device.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sophon-bundle-test-'));
  dirs.push(d);
  return d;
}

async function bundle(report: Report, signKey?: ReturnType<typeof generateKeyPairSync>['privateKey']): Promise<string> {
  const catalogue = loadSpecs(PROJECT_ROOT);
  const path = join(tmp(), 'cert.tar.gz');
  await writeBundle(path, {
    report: { ...report, specHash: catalogue.hash },
    html: renderHtml(report),
    junit: renderJunit(report),
    specRoot: PROJECT_ROOT,
    specFiles: catalogue.files,
    tool: { name: 'sophon-conformance', version: report.version },
    config: { target: report.target },
    signKey,
  });
  return path;
}

/** Rewrites one file of a bundle (keeping the manifest as it was): what a tamperer does. */
async function tamper(path: string, name: string, edit: (text: string) => string): Promise<string> {
  const files = await readArchive(path);
  const dir = tmp();
  for (const [file, bytes] of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), file === name ? edit(bytes.toString('utf8')) : bytes);
  }
  const out = join(tmp(), 'tampered.tar.gz');
  await create({ gzip: true, file: out, cwd: dir, portable: true }, [...files.keys()]);
  return out;
}

describe('certification bundle', () => {
  it('hashes the spec files exactly as the loader does', () => {
    const catalogue = loadSpecs(PROJECT_ROOT);
    const files = catalogue.files.map((f) => ({ path: f, text: readFileSync(join(PROJECT_ROOT, f), 'utf8') }));
    expect(specHashOf(files)).toBe(catalogue.hash);
  });

  it('holds the reports, specs, hash, tool, config and a manifest of them all, and verifies intact', async () => {
    const path = await bundle(mixedReport());
    const files = await readArchive(path);
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'report.json',
        'report.html',
        'junit.xml',
        'spec-hash.txt',
        'tool.json',
        'config.json',
        'MANIFEST.sha256',
        'specs/clauses.yaml',
        'specs/http/wipedata.yaml',
      ]),
    );
    expect(files.get('MANIFEST.sha256')?.toString()).toMatch(/^[0-9a-f]{64} {2}config\.json\n/);
    const check = await checkBundle(path);
    expect(check.problems).toEqual([]);
    expect(check.signature).toBe('unsigned');
    expect(check.report?.exitCode).toBe(1);
  });

  it('finds a file changed after the manifest was made', async () => {
    const path = await tamper(await bundle(mixedReport()), 'report.json', (t) =>
      t.replace('"exitCode": 1', '"exitCode": 0'),
    );
    const check = await checkBundle(path);
    expect(check.problems.join('\n')).toMatch(/report\.json: sha256 \S+ does not match the manifest's/);
    expect(check.problems.join('\n')).toMatch(/report exitCode is 0 but its results give 1/);
  });

  it('finds a report edited consistently with a rebuilt manifest by its counts, and a bad spec hash', async () => {
    const original = mixedReport();
    const edited = { ...original, summary: { ...original.summary, fail: 0 }, exitCode: 0 };
    const check = await checkBundle(await bundle(edited));
    expect(check.problems).toContain(`report summary.fail is 0 but its results give ${original.summary.fail}`);
    const specs = await tamper(await bundle(original), 'specs/http/wipedata.yaml', (t) => `${t}\n# edited\n`);
    expect((await checkBundle(specs)).problems.join('\n')).toMatch(/specs\/http\/wipedata\.yaml: sha256/);
  });

  it('signs the manifest with Ed25519 and checks it only against the given public key', async () => {
    const signer = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const path = await bundle(mixedReport(), signer.privateKey);
    expect((await checkBundle(path)).signature).toBe('not-checked');
    expect(await checkBundle(path, signer.publicKey)).toMatchObject({ problems: [], signature: 'valid' });
    const wrong = await checkBundle(path, other.publicKey);
    expect(wrong.signature).toBe('invalid');
    expect(wrong.problems).toContain('the signature of MANIFEST.sha256 does not verify with the given public key');
    const unsigned = await checkBundle(await bundle(mixedReport()), signer.publicKey);
    expect(unsigned.problems.join()).toMatch(/no signature .* origin cannot be proven/);
  });

  it('calls a file that is not a bundle unreadable', async () => {
    const path = join(tmp(), 'junk.tar.gz');
    writeFileSync(path, 'not a tarball');
    expect((await checkBundle(path)).problems[0]).toMatch(/^cannot read .* as a \.tar\.gz bundle/);
  });
});
