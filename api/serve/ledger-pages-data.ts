import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BuildRef } from '../../reports/html/ledger-links.ts';
import type { BuildRow, CertificateFacts, ClauseStrip, StripCell } from '../../reports/html/render-ledger-pages.ts';
import type { BuildStatus, LedgerRun, LedgerStore } from '../../src/ledger/index.ts';
import { redactUrl } from '../../src/results/redact.ts';

// What the ledger pages draw, gathered from the store's query functions: a build is a firmware on one device
// under one spec hash, each merged by the store's own rule (status), never re-derived here.

/** A build with its merged status, in build order (its first run's start). */
export interface LedgerBuild {
  ref: Required<BuildRef>;
  status: BuildStatus;
  runs: LedgerRun[];
}

/**
 * Every build of the ledger (firmware × device × spec hash), oldest first, merged by the store's rule in one
 * read (case messages left out: a page that shows them asks `status` for its one build).
 */
export async function ledgerBuilds(store: LedgerStore): Promise<LedgerBuild[]> {
  return (await store.buildStatuses()).map((status) => {
    const first = status.runs[0] ?? status.excluded[0]?.run;
    const ref = { firmware: status.firmware, device: first?.device.key ?? '', specHash: status.specHash };
    return { ref, status, runs: [...status.runs, ...status.excluded.map((x) => x.run)] };
  });
}

/** The builds page's rows. */
export function buildRows(builds: readonly LedgerBuild[]): BuildRow[] {
  return builds.map(({ ref, status, runs }) => ({
    ref,
    status,
    runs: runs.length,
    setAside: runs.filter((r) => r.setAside).length,
    lastRun:
      runs
        .map((r) => r.startedAt)
        .sort()
        .at(-1) ?? '',
  }));
}

const EVIDENCE: ReadonlySet<StripCell['verdict']> = new Set(['pass', 'warn', 'fail', 'flaky']);
const PASSING: ReadonlySet<StripCell['verdict']> = new Set(['pass', 'warn']);
const FAILING: ReadonlySet<StripCell['verdict']> = new Set(['fail', 'flaky']);

/**
 * A clause's strip on one device: its verdict on each of the device's builds in build order. A regression is a
 * fail or flaky where the device's previous build that had evidence for the clause passed it (the same reading
 * as `ledger diff`: pass or warn, then fail or flaky; a could-not-test in between is no evidence either way).
 */
export function clauseStrip(clause: string, device: string, builds: readonly LedgerBuild[]): ClauseStrip {
  let previous: StripCell['verdict'] | undefined;
  const cells: StripCell[] = [];
  for (const b of builds) {
    if (b.ref.device !== device) continue;
    const found = b.status.clauses.find((c) => c.id === clause);
    const verdict: StripCell['verdict'] = found ? found.verdict : 'absent';
    const regression = previous !== undefined && PASSING.has(previous) && FAILING.has(verdict);
    cells.push({ ref: b.ref, verdict, ...(found?.decidedBy ? { decidedBy: found.decidedBy } : {}), regression });
    if (EVIDENCE.has(verdict)) previous = verdict;
  }
  return { device, cells };
}

/** Every device's strip of a clause (or the one device's), for the devices that have the clause at all. */
export function clauseStrips(clause: string, builds: readonly LedgerBuild[], device?: string): ClauseStrip[] {
  const devices = [...new Set(builds.map((b) => b.ref.device))].filter((d) => device === undefined || d === device);
  return devices.map((d) => clauseStrip(clause, d, builds)).filter((s) => s.cells.some((c) => c.verdict !== 'absent'));
}

/** The one device a build's merged runs come from, if they come from one. */
export function soleDevice(status: BuildStatus): string | undefined {
  const keys = new Set([...status.runs, ...status.excluded.map((x) => x.run)].map((r) => r.device.key));
  return keys.size === 1 ? [...keys][0] : undefined;
}

// A build page shows each clause's strip around the build (its clause page shows the whole history): at 300
// builds × 80 clauses, whole strips made a 5 MB page.
const BEFORE = 9;
const AFTER = 3;

/** The strips of every clause of a build, across the builds of its device near it. */
export function buildStrips(status: BuildStatus, builds: readonly LedgerBuild[]): Record<string, ClauseStrip> {
  const device = soleDevice(status);
  if (device === undefined) return {};
  return Object.fromEntries(
    status.clauses.map((c) => {
      const whole = clauseStrip(c.id, device, builds);
      const at = whole.cells.findIndex((x) => x.ref.firmware === status.firmware && x.ref.specHash === status.specHash);
      const from = Math.max(0, at - BEFORE);
      const to = at < 0 ? whole.cells.length : at + AFTER + 1;
      const cells = whole.cells.slice(from, to);
      const hidden = whole.cells.length - cells.length;
      return [c.id, { ...whole, cells, ...(hidden ? { hidden } : {}) }];
    }),
  );
}

/**
 * What the certificate states beyond the status: tool versions, suites, profiles, the date its last run finished,
 * and the signature of each run recorded from a certification bundle (`ledger import BUNDLE.tar.gz`, or a run
 * folder that is an unpacked bundle). A bundle that is gone or unreadable is left out, not guessed at.
 */
export async function certificateFacts(status: BuildStatus): Promise<CertificateFacts> {
  const runs = status.runs;
  const unique = <T>(values: T[]) => [...new Set(values)].sort();
  const bundles: CertificateFacts['bundles'] = [];
  for (const run of runs) {
    const found = await bundleSignature(run.source);
    if (found) bundles.push({ runId: run.id, ...found });
  }
  return {
    tool: runs[0]?.tool ?? 'sophon-conformance',
    toolVersions: unique(runs.map((r) => r.toolVersion)),
    suites: unique(runs.map((r) => r.suite)),
    profiles: unique(runs.map((r) => r.profile)),
    date:
      runs
        .map((r) => r.finishedAt)
        .sort()
        .at(-1) ?? '',
    bundles,
  };
}

const SIGNATURE = 'MANIFEST.sha256.sig';

async function bundleSignature(source: string): Promise<{ path: string; signature?: string } | undefined> {
  try {
    if (/\.(tar\.gz|tgz)$/.test(source) && existsSync(source)) {
      const { readArchive } = await import('../../src/bundle/verify-bundle.ts');
      const files = await readArchive(source);
      if (!files.has('MANIFEST.sha256')) return undefined;
      const signature = files.get(SIGNATURE)?.toString('utf8').trim();
      return { path: redactUrl(source), ...(signature ? { signature } : {}) };
    }
    const folder = source.endsWith('report.json') ? dirname(source) : source;
    if (existsSync(join(folder, 'MANIFEST.sha256'))) {
      const file = join(folder, SIGNATURE);
      const signature = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
      return { path: redactUrl(folder), ...(signature ? { signature } : {}) };
    }
  } catch {
    // An unreadable bundle proves nothing: the certificate does not mention it.
  }
  return undefined;
}
