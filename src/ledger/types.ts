import type { Level, Profile, VerdictKind } from '../results/types.ts';

/** Who was tested: the device identity a report carries. `key` is what `--device` matches first. */
export interface DeviceIdentity {
  /** licenseKey, else serial, else the target URL (credentials redacted). */
  key: string;
  licenseKey?: string;
  serial?: string;
  target: string;
}

/** A start, stop or resume of the lab console: who asked, when, on which device and run, with what request. */
export interface ConsoleAction {
  at: string;
  who: string;
  action: 'start' | 'stop' | 'resume';
  /** The console's run id (its folder under the console's reports). */
  run: string;
  device: string;
  /** The run's request (suite, selection, profile, windows) as JSON. */
  request: Record<string, unknown>;
}

/** One run as the ledger keeps it (without its full report: `openRun` gives that back). */
export interface LedgerRun {
  /** Content hash of the report: the same report recorded twice is one run. */
  id: string;
  device: DeviceIdentity;
  /** The getsoftwareversion reading as one text ('' when the run could not read it). */
  firmware: string;
  /** The getsoftwareversion answer as the device gave it. */
  firmwareDetail?: Record<string, unknown>;
  tool: string;
  toolVersion: string;
  specHash: string;
  suite: string;
  profile: Profile;
  /** The capability manifest the run used: what the target declared, or `assumed`. */
  capabilities?: { mode: string; manifest?: string; declared: Record<string, boolean> };
  startedAt: string;
  finishedAt: string;
  /** When the ledger took it in. */
  recordedAt: string;
  complete: boolean;
  exitCode: number;
  /** `run`, `resume`, `rerun` (of another run's failures). */
  origin: 'run' | 'resume' | 'rerun';
  /** Where the report was read from or written to. */
  source: string;
  /** Set when someone took this run out of the evidence, with why. */
  setAside?: { why: string; at: string };
}

/** One case's verdict in one run, as recorded. */
export interface LedgerCase {
  runId: string;
  caseId: string;
  level: Level;
  clauses: string[];
  verdict: VerdictKind;
  message: string;
  /** A failure covered by a waiver in force in that run (it does not count against the gate). */
  waived: boolean;
}

/** A clause as a run's report catalogued it. */
export interface LedgerClause {
  id: string;
  level: Level;
}

/** Everything a run contributes to the evidence of its build. */
export interface RunEvidence {
  run: LedgerRun;
  cases: LedgerCase[];
  clauses: LedgerClause[];
}

/** What `recordRun` did. */
export interface RecordOutcome {
  id: string;
  /** False when the same report was already in the ledger (nothing was written). */
  created: boolean;
  firmware: string;
}

/** The merged verdict of a case on one build: `flaky` when one device both failed and passed it. */
export type MergedVerdict = VerdictKind | 'flaky';

/** One verdict a run gave a case (in time order in `CaseStatus.history`). */
export interface CaseObservation {
  runId: string;
  /** The device the run tested (its identity key). */
  device: string;
  startedAt: string;
  verdict: VerdictKind;
  waived: boolean;
}

/** A case on one build: its merged verdict, the run that decided it, and every run's verdict. */
export interface CaseStatus {
  id: string;
  level: Level;
  clauses: string[];
  verdict: MergedVerdict;
  /** The run whose verdict stands (for `flaky`: the latest failing run). */
  decidedBy?: string;
  /** The message of the deciding verdict. */
  message: string;
  /** A failure under a waiver in every failing run: still shown, not counted by the gate. */
  waived: boolean;
  history: CaseObservation[];
}

/** A clause on one build: the worst merged verdict of the cases citing it, and the run that gave it. */
export interface ClauseStatus {
  id: string;
  level: Level;
  verdict: MergedVerdict | 'uncovered';
  decidedBy?: string;
  cases: string[];
}

/** `certified` (exit 0), `not-certified` (a MUST fails or is flaky: exit 1), `incomplete` (exit 3). */
export type BuildGate = 'certified' | 'not-certified' | 'incomplete';

/** The merged evidence of one build: what `ledger status` shows. */
export interface BuildStatus {
  firmware: string;
  /** The device filter given, if any. */
  device?: string;
  specHash: string;
  gate: BuildGate;
  exitCode: 0 | 1 | 3;
  /** Runs merged into the status, oldest first. */
  runs: LedgerRun[];
  /** Runs of this build left out: set aside (with why) or on another spec hash. */
  excluded: { run: LedgerRun; why: 'set-aside' | 'other-spec-hash' }[];
  cases: CaseStatus[];
  clauses: ClauseStatus[];
  /** What keeps the build from certification: cases with no evidence, MUST clauses no case covers. */
  missing: { cases: string[]; clauses: string[] };
  /** MUST cases that fail or are flaky (waived failures not counted). */
  blocking: string[];
  counts: Record<MergedVerdict, number>;
}

/** One change of a case between two builds. */
export interface CaseChange {
  id: string;
  level: Level;
  from: MergedVerdict | 'absent';
  to: MergedVerdict | 'absent';
  /** The run on the new build that gave the new verdict. */
  decidedBy?: string;
}

/** `ledger diff OLD NEW`: regressions, progressions, new could-not-test, flaky counts. */
export interface BuildDiff {
  old: string;
  new: string;
  device?: string;
  /** Passed (or warned) on OLD, fails or is flaky on NEW. */
  regressions: CaseChange[];
  /** Failed or flaky on OLD, passes on NEW. */
  progressions: CaseChange[];
  /** Had evidence on OLD, could not be tested on NEW. */
  newCouldNotTest: CaseChange[];
  /** Cases whose runs on one build and spec hash disagree, with how many verdicts of each kind. */
  flaky: { build: string; id: string; verdicts: Partial<Record<VerdictKind, number>> }[];
  /** 1 when a MUST case regressed, else 0. */
  exitCode: 0 | 1;
}

/** A firmware build in the ledger, with its runs and its gate. */
export interface BuildSummary {
  firmware: string;
  devices: string[];
  runs: number;
  setAside: number;
  firstRun: string;
  lastRun: string;
  gate: BuildGate;
}
