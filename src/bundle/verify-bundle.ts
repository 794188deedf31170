import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ReadEntry } from 'tar';
import { ConformanceError } from '../errors/conformance-error.ts';
import { exitCodeFor, policyCounts, summarize } from '../results/build-report.ts';
import type { LabSummary } from '../results/fleet-types.ts';
import type { Report, Summary } from '../results/types.ts';
import { worstExit } from '../results/worst-exit.ts';
import { BUNDLE_LAYOUT, parseManifest, sha256, specHashOf } from './bundle-files.ts';
import { LAB_SUMMARY } from './write-lab-bundle.ts';

/** What `verify` found: every problem (empty when intact), the report, and the signature's state. */
export interface BundleCheck {
  problems: string[];
  report?: Report;
  tool?: { name?: string; version?: string };
  files: number;
  /** Set for a lab (or shard) bundle (`run --lab … --bundle`), which holds lab-summary.json, not report.json. */
  lab?: LabSummary;
  /** `valid`/`invalid`: checked with --pubkey; `unsigned`; `not-checked`: signed but no key given. */
  signature: 'valid' | 'invalid' | 'unsigned' | 'not-checked';
}

/** Loads a PEM public key (or the public half of a private one) for `verify --pubkey`. */
export function loadPublicKey(path: string): KeyObject {
  try {
    const key = createPublicKey(readFileSync(path));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`want an Ed25519 key (got ${key.asymmetricKeyType})`);
    return key;
  } catch (error) {
    throw new ConformanceError('CONFIG_INVALID', `--pubkey ${path}: ${(error as Error).message}`);
  }
}

/** Reads every regular file of a .tar.gz into memory; throws on anything that is not a plain relative file. */
export async function readArchive(path: string): Promise<Map<string, Buffer>> {
  const bytes = readFileSync(path);
  // tar is loaded by what reads a bundle, not by every command that could be handed one.
  const { Parser } = await import('tar');
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const name = entry.path;
        if (entry.type === 'Directory') {
          entry.resume();
          return;
        }
        if (entry.type !== 'File' || name.startsWith('/') || name.split('/').includes('..')) {
          problems.push(`unexpected archive entry ${JSON.stringify(name)} (${entry.type})`);
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          if (files.has(name)) problems.push(`${name} appears twice in the archive`);
          files.set(name, Buffer.concat(chunks));
        });
      },
    });
    parser.on('error', reject);
    parser.on('warn', (_code: string, message: string | Error) => reject(new Error(String(message))));
    parser.on('end', () => resolve());
    parser.end(bytes);
  });
  if (problems.length) throw new Error(problems.join('; '));
  return files;
}

/**
 * Checks a certification bundle offline: every file's sha256 against MANIFEST.sha256 (and no file
 * outside it), the signature when a public key is given, that report.json parses and its summary and
 * exit code follow from its results, and that the bundled spec files hash to the spec hash the report
 * names. Integrity only proves the files are as the manifest says; origin needs the signature.
 */
export async function checkBundle(path: string, publicKey?: KeyObject): Promise<BundleCheck> {
  let files: Map<string, Buffer>;
  try {
    files = await readArchive(path);
  } catch (error) {
    return {
      problems: [`cannot read ${path} as a .tar.gz bundle: ${(error as Error).message}`],
      files: 0,
      signature: 'unsigned',
    };
  }
  const problems: string[] = [];
  const manifestBytes = files.get(BUNDLE_LAYOUT.manifest);
  const manifest = manifestBytes ? parseManifest(manifestBytes.toString('utf8')) : undefined;
  if (!manifestBytes || !manifest) {
    problems.push(
      manifestBytes ? `${BUNDLE_LAYOUT.manifest} is not in sha256sum format` : `no ${BUNDLE_LAYOUT.manifest}`,
    );
    return { problems, files: files.size, signature: 'unsigned' };
  }
  for (const [name, expected] of manifest) {
    const bytes = files.get(name);
    if (!bytes) problems.push(`${name} is listed in the manifest but missing`);
    else if (sha256(bytes) !== expected) {
      problems.push(
        `${name}: sha256 ${sha256(bytes).slice(0, 16)}… does not match the manifest's ${expected.slice(0, 16)}…`,
      );
    }
  }
  for (const name of files.keys()) {
    if (!manifest.has(name) && name !== BUNDLE_LAYOUT.manifest && name !== BUNDLE_LAYOUT.signature) {
      problems.push(`${name} is in the archive but not in the manifest`);
    }
  }
  // A lab bundle (src/bundle/write-lab-bundle.ts) holds lab-summary.json and a folder per device instead.
  const isLab = manifest.has(LAB_SUMMARY) && !manifest.has(BUNDLE_LAYOUT.report);
  const required = isLab
    ? [LAB_SUMMARY, BUNDLE_LAYOUT.specHash, BUNDLE_LAYOUT.tool]
    : [BUNDLE_LAYOUT.report, BUNDLE_LAYOUT.html, BUNDLE_LAYOUT.junit, BUNDLE_LAYOUT.specHash, BUNDLE_LAYOUT.tool];
  for (const name of required) {
    if (!manifest.has(name)) problems.push(`the manifest does not list ${name}`);
  }

  const sig = files.get(BUNDLE_LAYOUT.signature);
  let signature: BundleCheck['signature'] = sig ? 'not-checked' : 'unsigned';
  if (publicKey) {
    if (!sig) problems.push('no signature (MANIFEST.sha256.sig), but --pubkey asks for one: origin cannot be proven');
    else {
      const ok = verify(null, manifestBytes, publicKey, Buffer.from(sig.toString('utf8').trim(), 'base64'));
      signature = ok ? 'valid' : 'invalid';
      if (!ok) problems.push('the signature of MANIFEST.sha256 does not verify with the given public key');
    }
  }

  const lab = isLab ? checkLab(files, problems) : undefined;
  const report = parseJson<Report>(files.get(BUNDLE_LAYOUT.report), BUNDLE_LAYOUT.report, problems);
  const tool = parseJson<{ name?: string; version?: string }>(
    files.get(BUNDLE_LAYOUT.tool),
    BUNDLE_LAYOUT.tool,
    problems,
  );
  if (report) checkReport(report, problems);
  if (report && tool && tool.version !== report.version) {
    problems.push(`tool.json says version ${tool.version}, the report ${report.version}`);
  }

  const specHashText = files.get(BUNDLE_LAYOUT.specHash)?.toString('utf8');
  if (specHashText !== undefined) {
    const [hash, ...specFiles] = specHashText.trim().split('\n');
    const missing = specFiles.filter((f) => !files.has(f));
    if (missing.length)
      problems.push(`spec files named in ${BUNDLE_LAYOUT.specHash} are missing: ${missing.join(', ')}`);
    else {
      const computed = specHashOf(specFiles.map((f) => ({ path: f, text: (files.get(f) as Buffer).toString('utf8') })));
      if (computed !== hash)
        problems.push(`the bundled spec files hash to ${computed.slice(0, 12)}…, not ${hash?.slice(0, 12)}…`);
    }
    for (const [name, device] of lab?.reports ?? []) {
      if (device.specHash !== hash) problems.push(`${name}'s spec hash is not the bundled ${hash?.slice(0, 12)}…`);
    }
    if (lab?.summary.lab && lab.summary.lab.specHash !== hash) {
      problems.push(`${LAB_SUMMARY}'s spec hash is not the bundled ${hash?.slice(0, 12)}…`);
    }
    if (report && report.specHash !== hash) {
      problems.push(
        `the report's spec hash ${String(report.specHash).slice(0, 12)}… is not the bundled ${hash?.slice(0, 12)}…`,
      );
    }
  }
  return {
    problems,
    ...(report ? { report } : {}),
    ...(lab ? { lab: lab.summary } : {}),
    ...(tool ? { tool } : {}),
    files: files.size,
    signature,
  };
}

// A lab bundle: its summary parses, each device's report.json holds up as a run bundle's does, the summary's
// counts are its reports' and its exit code the worst of its devices'.
function checkLab(
  files: ReadonlyMap<string, Buffer>,
  problems: string[],
): { summary: LabSummary; reports: Map<string, Report> } | undefined {
  const summary = parseJson<LabSummary>(files.get(LAB_SUMMARY), LAB_SUMMARY, problems);
  if (!summary) return undefined;
  if (!Array.isArray(summary.devices) || typeof summary.exitCode !== 'number') {
    problems.push(`${LAB_SUMMARY} lacks devices or exitCode`);
    return undefined;
  }
  const reports = new Map<string, Report>();
  for (const device of summary.devices) {
    const name = `${device.name}/${BUNDLE_LAYOUT.report}`;
    const report = parseJson<Report>(files.get(name), name, problems);
    if (!report) {
      if (device.summary) problems.push(`${LAB_SUMMARY} has counts for ${device.name} but the bundle no ${name}`);
      continue;
    }
    reports.set(name, report);
    const before = problems.length;
    checkReport(report, problems);
    for (let i = before; i < problems.length; i++) problems[i] = `${device.name}/${problems[i]}`;
    if (report.exitCode !== device.exitCode) {
      problems.push(`${LAB_SUMMARY} says ${device.name} exited ${device.exitCode}, its report ${report.exitCode}`);
    }
    const counts = ['total', 'pass', 'fail', 'warn', 'notApplicable', 'couldNotTest'] as const;
    if (counts.some((field) => device.summary?.[field] !== report.summary?.[field])) {
      problems.push(`${LAB_SUMMARY}'s counts for ${device.name} are not its report's`);
    }
  }
  const worst = worstExit(summary.devices.map((d) => d.exitCode));
  if (summary.exitCode !== worst) {
    problems.push(`${LAB_SUMMARY} exitCode is ${summary.exitCode} but its devices give ${worst}`);
  }
  return { summary, reports };
}

function parseJson<T>(bytes: Buffer | undefined, name: string, problems: string[]): T | undefined {
  if (!bytes) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (error) {
    problems.push(`${name} does not parse: ${(error as Error).message}`);
    return undefined;
  }
}

// A report whose counts or gate do not follow from its own results was edited by hand.
function checkReport(report: Report, problems: string[]): void {
  if (!Array.isArray(report.results) || !report.summary || typeof report.exitCode !== 'number') {
    problems.push('report.json lacks results, summary or exitCode');
    return;
  }
  const recount: Summary = summarize(report.results);
  const fields = ['total', 'pass', 'fail', 'warn', 'notApplicable', 'couldNotTest'] as const;
  for (const field of fields) {
    if (report.summary[field] !== recount[field]) {
      problems.push(`report summary.${field} is ${report.summary[field]} but its results give ${recount[field]}`);
    }
  }
  const counts = policyCounts(report.results);
  for (const field of Object.keys(counts) as (keyof typeof counts)[]) {
    if ((report.summary[field] ?? 0) !== counts[field]) {
      problems.push(`report summary.${field} is ${report.summary[field] ?? 0} but its results give ${counts[field]}`);
    }
  }
  const gate = exitCodeFor(recount, report.complete !== false);
  if (report.exitCode !== gate) problems.push(`report exitCode is ${report.exitCode} but its results give ${gate}`);
}
