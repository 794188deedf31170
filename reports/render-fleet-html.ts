import type { FleetSummary } from '../src/results/fleet-types.ts';
import { renderPage } from './html/page-shell.ts';

const GATE_WORD: Record<number, string> = { 0: 'PASS', 1: 'FAIL', 2: 'NOT RUN', 3: 'INCOMPLETE' };

/**
 * fleet.html: one self-contained page (the report's shell: inline CSS and script, a CSP that lets it fetch
 * nothing, the English/中文 switch) drawn in the browser by `html/fleet.js` from the embedded FleetSummary.
 * Its links to each device's report are relative, so they work wherever OUT and its shard folders are copied.
 */
export function renderFleetHtml(fleet: FleetSummary): string {
  const gate = GATE_WORD[fleet.exitCode] ?? `exit ${fleet.exitCode}`;
  const s = fleet.summary;
  return renderPage({
    title: `Fleet report: ${fleet.suite} · ${s.devices} devices · ${gate}`,
    data: fleet,
    dataId: 'fleet-data',
    script: 'fleet.js',
    style: 'fleet.css',
    fallback: [
      `${fleet.tool} ${fleet.version}: suite ${fleet.suite}, ${fleet.lab.devices} devices in ${fleet.lab.shards} shards`,
      `Fleet gate: ${gate} (exit ${fleet.exitCode})`,
      `${s.pass} pass, ${s.fail} fail, ${s.incomplete} incomplete, ${s.notRun} not run, ${s.missing} missing`,
      ...fleet.missingShards.map((m) => `Missing shard ${m.index}/${fleet.lab.shards}: ${m.devices.join(', ')}`),
      ...fleet.devices.map((d) => `${d.name}: exit ${d.exitCode}${d.error ? ` (${d.error})` : ''}`),
      'Turn on JavaScript to see the devices × clauses matrix; fleet-summary.json holds the same data.',
    ],
  });
}
