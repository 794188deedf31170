import type { LabDeviceResult } from '../results/fleet-types.ts';

/** One line per device, then the verdict of the lab. */
export function renderLabSummary(results: readonly LabDeviceResult[], exitCode: number): string[] {
  const width = Math.max(4, ...results.map((r) => r.name.length));
  const lines = [`${'device'.padEnd(width)}  exit  pass  fail  warn  n/a  could-not-test  target`];
  for (const r of results) {
    const s = r.summary;
    const counts = s
      ? [s.pass, s.fail, s.warn, s.notApplicable].map((n) => String(n).padStart(4)).join('  ') +
        String(s.couldNotTest).padStart(16)
      : `${'-'.padStart(4)}  ${'-'.padStart(4)}  ${'-'.padStart(4)}  ${'-'.padStart(4)}${'-'.padStart(16)}`;
    lines.push(`${r.name.padEnd(width)}  ${String(r.exitCode).padStart(4)}  ${counts}  ${r.target}`);
    if (r.error) lines.push(`${' '.repeat(width)}  ${r.error}`);
  }
  lines.push(`lab: ${results.length} devices, exit ${exitCode} (the worst device's)`);
  return lines;
}
