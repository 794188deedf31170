import type { Level, Profile, Summary, VerdictKind } from './types.ts';

/** How one device's run ended, as lab-summary.json records it. */
export interface LabDeviceResult {
  name: string;
  target: string;
  exitCode: number;
  out: string;
  durationMs: number;
  summary?: Summary;
  /** Why the run could not be carried out (exit 2). */
  error?: string;
}

/**
 * What a lab run records about the whole lab and its own slice (lab-summary.json, `lab`): everything merge
 * needs to refuse shards that do not belong together and to name the ones that are missing.
 */
export interface LabShardInfo {
  /** sha256 over every device of the lab (name, target, own flags, expected minutes), in lab order. */
  hash: string;
  /** This run's slice: the index-th (1-based) of count. A lab run without --shard is slice 1 of 1. */
  shard: { index: number; count: number };
  /** Every device of the lab, in lab order, with the shard it falls in. */
  devices: { name: string; shard: number; expectedMinutes?: number }[];
  /** The suite as given (name or file) and the name its file declares. */
  suite: string;
  specHash: string;
  profile: Profile;
  selection: { only: string[]; tags: string[] };
  /** sha256 of the planned case ids in order: two shards with the same value planned the same cases. */
  planHash: string;
  cases: number;
}

/** lab-summary.json: one lab run (or one shard of a lab). */
export interface LabSummary {
  tool: string;
  version: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  devices: LabDeviceResult[];
  /** Absent in lab summaries written before shards existed; merge refuses those. */
  lab?: LabShardInfo;
}

/** A case that did not pass on a device, as the fleet report lists it. */
export interface FleetProblem {
  id: string;
  level: Level;
  verdict: VerdictKind;
  clauses: string[];
  message: string;
  /** A failure under a waiver in force: still shown, not counted by the gate. */
  waived?: boolean;
}

/** One device of the fleet: its gate, counts, firmware and where its own report is. */
export interface FleetDevice {
  name: string;
  shard: number;
  target: string;
  /** The device's own exit code; 2 when it could not run or its report is missing. */
  exitCode: number;
  /** Set when there is no report for the device: its shard was not given, or the shard lacks its report. */
  missing?: 'shard-not-given' | 'report-absent';
  /** Why the device has no verdicts (could not run, or missing). */
  error?: string;
  /** Its report page (or report.json when no page was written), relative to fleet.html. */
  href?: string;
  /** Its report.json, relative to fleet.html. */
  json?: string;
  summary?: Summary;
  complete?: boolean;
  durationMs?: number;
  /** What getsoftwareversion answered, and the version the fleet groups it under. */
  firmware?: Record<string, unknown>;
  firmwareVersion?: string;
  /** Clause id → the worst verdict of the device's cases that cite it (clauses no case covered are left out). */
  clauses: Record<string, VerdictKind>;
  /** Cases that failed, warned or could not be tested. */
  problems: FleetProblem[];
}

/** A clause across the fleet: how many devices pass it and which ones do not. */
export interface FleetClause {
  id: string;
  level: Level;
  text: string;
  source: string;
  pass: number;
  notApplicable: number;
  fail: string[];
  warn: string[];
  couldNotTest: string[];
}

/** The devices that report one firmware version, and the worst gate among them. */
export interface FleetFirmwareGroup {
  /** The version as getsoftwareversion gave it; absent for devices that did not report one. */
  version?: string;
  devices: string[];
  exitCode: number;
}

/** One shard as merge read it. */
export interface FleetShard {
  index: number;
  /** The folder or bundle as given on the command line. */
  source: string;
  /** Its folder, relative to fleet.html. */
  folder: string;
  devices: string[];
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  tool: string;
  version: string;
  /** Whether a bundle's MANIFEST.sha256 was checked ('folder' for a folder, 'none' for an archive without one). */
  integrity: 'manifest' | 'none' | 'folder';
}

/** fleet-summary.json: the merged answer of every shard of a lab. */
export interface FleetSummary {
  tool: string;
  version: string;
  mergedAt: string;
  /** The worst device's exit code (2 > 1 > 3 > 0); 2 when a shard or a device's report is missing. */
  exitCode: number;
  /** True when every shard and every device's report was there. */
  complete: boolean;
  lab: { hash: string; devices: number; shards: number };
  suite: string;
  specHash: string;
  profile: Profile;
  selection: { only: string[]; tags: string[] };
  cases: number;
  summary: { devices: number; pass: number; fail: number; incomplete: number; notRun: number; missing: number };
  shards: FleetShard[];
  missingShards: { index: number; devices: string[] }[];
  firmware: FleetFirmwareGroup[];
  clauses: FleetClause[];
  devices: FleetDevice[];
  /** Things a reader should know that do not change the gate (e.g. shards run by different tool versions). */
  notes: string[];
}
