import type { KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConformanceError } from '../../api/errors.ts';
import {
  type BundleCheck,
  checkBundle,
  keyFingerprint,
  type LabSummary,
  loadPublicKey,
} from '../../api/verify-bundle.ts';

export const VERIFY_USAGE = `Usage: sophon-conformance verify BUNDLE.tar.gz [--pubkey FILE]

Checks a certification bundle (or a lab's, from run --lab … --bundle) offline: every file against MANIFEST.sha256, the report's counts and exit
code against its own results, the bundled spec files against the report's spec hash, and with --pubkey
the Ed25519 signature of the manifest. An unsigned bundle proves integrity only, not who made it.

Exit codes: 0 intact and the report's gate passed, 1 intact but the gate did not pass (FAIL or
INCOMPLETE), 2 tampered, unreadable, or the signature does not verify.`;

const GATE: Record<number, string> = { 0: 'PASS', 1: 'FAIL', 3: 'INCOMPLETE' };

/** `verify FILE [--pubkey FILE]`: the bundle's verdict, offline. */
export async function verifyCommand(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { pubkey: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length)
    throw new ConformanceError('CONFIG_INVALID', 'verify takes one bundle file (verify FILE.tar.gz)');
  const key = values.pubkey ? loadPublicKey(values.pubkey) : undefined;
  const check = await checkBundle(file, key);
  if (check.problems.length) {
    out.write(`bundle ${file}: TAMPERED OR UNREADABLE (exit 2)\n`);
    for (const problem of check.problems) out.write(`  - ${problem}\n`);
    return 2;
  }
  if (check.lab) return describeLab(file, check, check.lab, key, out);
  const report = check.report;
  if (!report) return 2;
  const s = report.summary;
  const gate = GATE[report.exitCode] ?? `exit ${report.exitCode}`;
  out.write(
    `bundle ${file}: intact (${check.files} files match MANIFEST.sha256; spec hash ${report.specHash.slice(0, 12)} matches the bundled specs)\n`,
  );
  out.write(signatureLine(check, key));
  out.write(
    `report: gate ${gate} (exit ${report.exitCode}); ${s.total} cases: ${s.pass} pass, ${s.fail} fail${s.waived ? ` (${s.waived} waived)` : ''}, ${s.warn} warn, ${s.notApplicable} not-applicable, ${s.couldNotTest} could-not-test${s.flaky ? `, ${s.flaky} flaky` : ''}\n`,
  );
  out.write(
    `tool ${report.tool} ${report.version}; target ${report.target}; suite ${report.suite}; profile ${report.profile}; run ${report.startedAt} → ${report.finishedAt}\n`,
  );
  return report.exitCode === 0 ? 0 : 1;
}

function signatureLine(check: BundleCheck, key: KeyObject | undefined): string {
  return check.signature === 'valid' && key
    ? `signature: valid Ed25519 signature by ${keyFingerprint(key)}\n`
    : check.signature === 'not-checked'
      ? 'signature: present but not checked (pass --pubkey FILE); integrity only, not origin\n'
      : 'signature: none; an unsigned bundle proves integrity only, not origin\n';
}

// A lab (or shard) bundle: the lab's verdict, and one line per device.
function describeLab(
  file: string,
  check: BundleCheck,
  lab: LabSummary,
  key: KeyObject | undefined,
  out: NodeJS.WriteStream,
): number {
  const shard = lab.lab ? ` (shard ${lab.lab.shard.index}/${lab.lab.shard.count})` : '';
  out.write(
    `lab bundle ${file}: intact (${check.files} files match MANIFEST.sha256; the bundled specs match spec-hash.txt and every report)\n`,
  );
  out.write(signatureLine(check, key));
  out.write(`lab${shard}: ${lab.devices.length} devices, exit ${lab.exitCode} (the worst device's)\n`);
  for (const d of lab.devices) {
    const s = d.summary;
    const counts = s
      ? `${s.pass} pass, ${s.fail} fail, ${s.warn} warn, ${s.notApplicable} n/a, ${s.couldNotTest} could-not-test`
      : 'no report';
    out.write(`  ${d.name}: exit ${d.exitCode}; ${counts}; target ${d.target}\n`);
  }
  return lab.exitCode === 0 ? 0 : 1;
}
