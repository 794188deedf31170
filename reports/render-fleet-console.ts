import type { FleetSummary } from '../src/results/fleet-types.ts';

/** What `merge` prints: one line per device, the missing shards, then the fleet's gate (its exit code). */
export function renderFleetConsole(fleet: FleetSummary): string[] {
  const width = Math.max(6, ...fleet.devices.map((d) => d.name.length));
  const shardWidth = String(fleet.lab.shards).length * 2 + 1;
  const lines = [
    `fleet: ${fleet.lab.devices} devices in ${fleet.lab.shards} shards (${fleet.shards.length} given), suite ${fleet.suite}, spec hash ${fleet.specHash.slice(0, 12)}`,
    `${'device'.padEnd(width)}  ${'shard'.padEnd(Math.max(5, shardWidth))}  exit  pass  fail  warn   n/a  could-not-test  firmware`,
  ];
  for (const d of fleet.devices) {
    const s = d.summary;
    const counts = s
      ? `${[s.pass, s.fail, s.warn, s.notApplicable].map((n) => String(n).padStart(4)).join('  ')}${String(s.couldNotTest).padStart(16)}`
      : `${['-', '-', '-', '-'].map((n) => n.padStart(4)).join('  ')}${'-'.padStart(16)}`;
    const shard = `${d.shard}/${fleet.lab.shards}`.padEnd(Math.max(5, shardWidth));
    lines.push(
      `${d.name.padEnd(width)}  ${shard}  ${String(d.exitCode).padStart(4)}  ${counts}  ${d.firmwareVersion ?? '-'}`,
    );
    if (d.error) lines.push(`${' '.repeat(width)}  ${d.error}`);
  }
  for (const m of fleet.missingShards) {
    lines.push(`MISSING shard ${m.index}/${fleet.lab.shards}: ${m.devices.join(', ') || 'no device'}`);
  }
  for (const note of fleet.notes) lines.push(`note: ${note}`);
  const s = fleet.summary;
  lines.push(
    `fleet: ${s.pass} pass, ${s.fail} fail, ${s.incomplete} incomplete, ${s.notRun} not run, ${s.missing} missing; exit ${fleet.exitCode}${fleet.complete ? " (the worst device's)" : ' (incomplete: not a pass)'}`,
  );
  return lines;
}
