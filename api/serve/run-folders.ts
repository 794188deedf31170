import { existsSync, readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunListing } from '../../reports/html/render-run-index.ts';
import { readReport } from '../../src/results/read-report.ts';
import type { Report } from '../../src/results/types.ts';

/**
 * A run folder name: what `run` writes (`2026-11-23_09-30-00-1234`) and anything alike. No slash, no
 * leading dot, so a name can never leave the reports folder.
 */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export type Loaded = { report: Report } | { error: string };

/**
 * The run folders under one reports folder, as the report browser reads them: on each request, each report.json
 * parsed again only when it changed (mtime and size), a broken one a readable error, not a crash.
 */
export class RunFolders {
  private readonly cache = new Map<string, { key: string; loaded: Loaded }>();

  constructor(private readonly dir: string) {}

  /** The run folder for a name taken from a URL, or undefined: never a path outside `dir`. */
  runDir(name: string): string | undefined {
    if (!SAFE_NAME.test(name)) return undefined;
    const path = join(this.dir, name);
    return isDirectory(path) && existsSync(join(path, 'report.json')) ? path : undefined;
  }

  /** A run's report.json, read again only when it changed since the last request. */
  load(path: string): Loaded {
    const file = join(path, 'report.json');
    let stat: Stats;
    try {
      stat = statSync(file);
    } catch (error) {
      return { error: `report.json: ${(error as Error).message}` };
    }
    const key = `${stat.mtimeMs}:${stat.size}`;
    const hit = this.cache.get(file);
    if (hit?.key === key) return hit.loaded;
    const loaded = parseReport(file);
    this.cache.set(file, { key, loaded });
    return loaded;
  }

  /** Every run with a report.json, newest first; a broken report is listed with its error. */
  listRuns(): RunListing[] {
    const runs: (RunListing & { sortKey: string })[] = [];
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      const path = this.runDir(entry.name);
      if (!path) continue;
      const href = `runs/${encodeURIComponent(entry.name)}/`;
      const files = readdirSync(path, { withFileTypes: true })
        .filter((f) => f.isFile() && SAFE_NAME.test(f.name))
        .map((f) => f.name)
        .sort()
        .map((name) => ({ name, href: `${href}${encodeURIComponent(name)}` }));
      const loaded = this.load(path);
      if ('error' in loaded) {
        const mtime = statSync(join(path, 'report.json')).mtime.toISOString();
        runs.push({ name: entry.name, href, error: loaded.error, files, sortKey: mtime });
        continue;
      }
      const r = loaded.report;
      runs.push({
        name: entry.name,
        href,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        target: r.target,
        suite: r.suite,
        profile: r.profile,
        tool: r.tool,
        version: r.version,
        exitCode: r.exitCode,
        complete: r.complete,
        summary: r.summary,
        files,
        sortKey: r.startedAt,
      });
    }
    runs.sort((x, y) => y.sortKey.localeCompare(x.sortKey) || y.name.localeCompare(x.name));
    return runs.map(({ sortKey: _, ...run }) => run);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads a report.json far enough to list and render it; anything else is a readable error, not a crash. */
function parseReport(file: string): Loaded {
  try {
    return { report: readReport(file) };
  } catch (error) {
    return { error: `report.json ${(error as Error).message}` };
  }
}
