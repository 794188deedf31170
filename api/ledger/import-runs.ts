import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpackLabArchive } from '../../src/bundle/read-lab-bundle.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { LedgerStore } from '../../src/ledger/index.ts';
import { loadReport } from '../load-report.ts';

/** What became of one report found by `ledger import`: recorded (or already there), or refused with why. */
export interface ImportOutcome {
  source: string;
  id?: string;
  created?: boolean;
  firmware?: string;
  refused?: string;
}

/** `ledger import PATH…`: records each report found; a refused one is named with why, the others still go in. */
export async function importRuns(store: LedgerStore, paths: string[]): Promise<ImportOutcome[]> {
  const outcomes: ImportOutcome[] = [];
  for (const path of paths) {
    for (const found of await reportsAt(path)) {
      try {
        const { report, source } = await loadReport(found.path, 'import');
        const outcome = await store.recordRun(report, found.label ?? source);
        outcomes.push({ source: found.label ?? source, ...outcome });
      } catch (error) {
        if (!(error instanceof ConformanceError) || error.code === 'LEDGER_UNAVAILABLE') throw error;
        outcomes.push({ source: found.label ?? found.path, refused: error.describe() });
      } finally {
        found.cleanup?.();
      }
    }
  }
  return outcomes;
}

interface FoundReport {
  path: string;
  label?: string;
  cleanup?: () => void;
}

// A run folder, a report.json, a bundle; a lab's folder or a folder of run folders (two levels: reports/out
// holds labs); a lab or shard bundle, unpacked to a temporary folder.
async function reportsAt(path: string): Promise<FoundReport[]> {
  if (!existsSync(path)) throw new ConformanceError('CONFIG_INVALID', `import ${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'report.json')) || existsSync(join(path, 'journal.ndjson'))) return [{ path }];
    const found = foldersWithReports(path, 2);
    if (!found.length) throw new ConformanceError('CONFIG_INVALID', `import ${path}: no report.json in it or below it`);
    return found.map((p) => ({ path: p }));
  }
  if (/\.(tar\.gz|tgz)$/.test(path)) {
    const { checkBundle } = await import('../../src/bundle/verify-bundle.ts');
    const check = await checkBundle(path);
    if (check.report) return [{ path }];
    const dir = mkdtempSync(join(tmpdir(), 'ledger-import-'));
    try {
      const root = await unpackLabArchive(path, dir);
      const found = foldersWithReports(root, 2);
      return found.map((p, i) => ({
        path: p,
        label: `${path}:${p.slice(root.length + 1)}`,
        ...(i === found.length - 1 ? { cleanup: () => rmSync(dir, { recursive: true, force: true }) } : {}),
      }));
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw new ConformanceError(
        'CONFIG_INVALID',
        `import ${path}: neither a certification bundle nor a lab's (${(error as Error).message})`,
      );
    }
  }
  return [{ path }];
}

function foldersWithReports(dir: string, depth: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    if (existsSync(join(sub, 'report.json'))) found.push(sub);
    else if (depth > 1) found.push(...foldersWithReports(sub, depth - 1));
  }
  return found;
}
