import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FleetSummary } from '../src/results/fleet-types.ts';
import type { Report } from '../src/results/types.ts';

/** Where the ledger is when nothing says: beside reports/out. */
export function defaultLedger(): string {
  return resolve('reports', 'ledger', 'ledger.sqlite');
}

/**
 * The ledger a command uses: the flag, else SOPHON_LEDGER, else the default; `undefined` when switched off
 * (`--no-ledger`, or the value off/none/no).
 */
export function ledgerLocation(
  flag: string | undefined,
  off = false,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (off) return undefined;
  const given = flag ?? (env.SOPHON_LEDGER || undefined);
  if (given !== undefined && /^(off|none|no)$/i.test(given)) return undefined;
  return given ?? defaultLedger();
}

/**
 * Records a finished run into the ledger and returns the one line to show. A ledger that cannot be written
 * never changes the run's verdict or exit code: the line says so and how to record the run later.
 */
export async function recordIntoLedger(report: Report, source: string, location: string): Promise<string> {
  try {
    const { openLedger } = await import('../src/ledger/index.ts');
    const store = await openLedger(location);
    try {
      const { id, created, firmware } = await store.recordRun(report, source);
      const build = firmware ? `firmware ${firmware}` : 'firmware unknown (no getsoftwareversion reading)';
      return `ledger: ${created ? 'recorded' : 'already had'} run ${id} (${build}) in ${store.location}`;
    } finally {
      await store.close();
    }
  } catch (error) {
    const e = error as { describe?: () => string; message?: string };
    const why = typeof e.describe === 'function' ? e.describe() : (e.message ?? String(error));
    return `ledger: run NOT recorded (${why.split('\n')[0]}); record it later: sophon-conformance ledger import ${source}`;
  }
}

/** Records each device report of a merged fleet (its `json` links are relative to the fleet's folder). */
export async function recordFleetIntoLedger(fleet: FleetSummary, folder: string, location: string): Promise<string[]> {
  const lines: string[] = [];
  for (const device of fleet.devices) {
    if (!device.json) continue;
    const path = join(folder, ...device.json.split('/').map(decodeURIComponent));
    let report: Report;
    try {
      report = JSON.parse(readFileSync(path, 'utf8')) as Report;
    } catch (error) {
      lines.push(`ledger: ${device.name} NOT recorded (${path}: ${(error as Error).message})`);
      continue;
    }
    lines.push(`${device.name}: ${await recordIntoLedger(report, path, location)}`);
  }
  return lines;
}
