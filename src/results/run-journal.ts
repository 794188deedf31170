import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { CaseResult, Profile } from './types.ts';

/** The journal's file name in a run's output folder. */
export const JOURNAL_FILE = 'journal.ndjson';

/** The journal's first line: what the run was, so a resumed run can check it continues the same one. */
export interface JournalHeader {
  journal: 'sophon-conformance';
  tool: string;
  version: string;
  target: string;
  suite: string;
  profile: Profile;
  /** --only / --tag of the run (a resumed run plans the same cases). */
  selection: { only: string[]; tags: string[] };
  specHash: string;
  startedAt: string;
  /** Cases planned. */
  total: number;
  /**
   * Every setting the run was given (flag name → value as typed, paths absolute, URL passwords as `***`):
   * what `run --resume` restores. Absent in journals written before it was kept.
   */
  settings?: RecordedSettings;
}

/** A run's settings by flag name (`system-port` → "8899", `only` → ["http.*"]). */
export type RecordedSettings = Record<string, string | string[]>;

/** What a journal holds: its header and the results of the cases that ended, in the order they ended. */
export interface JournalContents {
  header: JournalHeader;
  results: CaseResult[];
}

// Written to disk at most this often (and once more shortly after the last result): a power cut loses at
// most the last second's results, and a 10,000-case run of fast cases does not wait on the disk per case.
const SYNC_EVERY_MS = 1_000;

/**
 * The run's record as it goes: an append-only file in the output folder, one JSON line per finished case
 * after a header line. report.json is written once, at the end, which a power cut or a kill never reaches;
 * the journal is what `run --resume DIR` continues from. Appending costs one line per case, so a run of any
 * length writes each result once.
 */
export class RunJournal {
  private syncedAt = 0;
  private syncTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly path: string,
  ) {}

  /**
   * Starts the journal of a run in `dir`: the header, then the `kept` results of the run it resumes (written
   * to a new file that replaces the old one whole, so a cut while starting never loses them).
   */
  static start(dir: string, header: JournalHeader, kept: readonly CaseResult[] = []): RunJournal {
    const path = join(dir, JOURNAL_FILE);
    const fresh = `${path}.new`;
    writeFileSync(fresh, [header, ...kept.map((result) => ({ result }))].map((l) => `${JSON.stringify(l)}\n`).join(''));
    const fd = openSync(fresh, 'r+');
    fdatasyncSync(fd);
    closeSync(fd);
    renameSync(fresh, path);
    return new RunJournal(openSync(path, 'a'), path);
  }

  /** Appends a finished case. */
  append(result: CaseResult): void {
    if (this.closed) return;
    writeSync(this.fd, `${JSON.stringify({ result })}\n`);
    const now = performance.now();
    if (now - this.syncedAt >= SYNC_EVERY_MS) this.sync();
    else if (!this.syncTimer) {
      this.syncTimer = setTimeout(() => this.sync(), SYNC_EVERY_MS);
      this.syncTimer.unref();
    }
  }

  /** Flushes and closes; `remove` deletes the file (the run is complete and report.json holds it all). */
  close(remove = false): void {
    if (this.closed) return;
    this.sync();
    this.closed = true;
    closeSync(this.fd);
    if (remove) rmSync(this.path, { force: true });
  }

  private sync(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.closed) return;
    fdatasyncSync(this.fd);
    this.syncedAt = performance.now();
  }
}

/**
 * Reads the journal in `dir`, or undefined when there is none. A last line cut short (the power went while
 * it was written) is left out; a case written twice keeps its last result.
 */
export function readJournal(dir: string): JournalContents | undefined {
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  const parsed: unknown[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      parsed.push(JSON.parse(line));
    } catch (error) {
      const last = lines.slice(i + 1).every((rest) => rest.trim() === '');
      if (last) break;
      throw new Error(`${path}:${i + 1}: not a journal line (${(error as Error).message})`);
    }
  }
  const header = parsed[0] as Partial<JournalHeader> | undefined;
  if (header?.journal !== 'sophon-conformance' || typeof header.specHash !== 'string') {
    throw new Error(`${path}: not a sophon-conformance run journal (its first line is no journal header)`);
  }
  const byId = new Map<string, CaseResult>();
  for (const line of parsed.slice(1)) {
    const result = (line as { result?: CaseResult }).result;
    if (result && typeof result.id === 'string') byId.set(result.id, result);
  }
  return { header: header as JournalHeader, results: [...byId.values()] };
}
