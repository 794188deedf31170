/**
 * What a run tells the live console while it goes on (the engine reports, reports/ renders): the plan when
 * it starts, and each case's phase as it changes. Only types: a run's record is still its results.
 */

/** What a case is doing now. */
export type CasePhase =
  /** Waiting for the device to be ready before the case (after an earlier case's reboot, say). */
  | 'waiting-ready'
  /** Seeding state through the state adapter and reading it back. */
  | 'seeding'
  /** A case sharing the device reads the state seeded before it. */
  | 'finding-seed'
  /** `given: empty`: wiping the device clean first (and waiting out its reboot). */
  | 'wiping-clean'
  /** The HTTP request is on the wire. */
  | 'sending'
  /** The command queue has no consumer yet (the device's MQ client reconnecting after a reboot): waiting for one. */
  | 'waiting-consumer'
  /** An MQ command is being published (and confirmed by the broker). */
  | 'publishing'
  /** Waiting for the MQ reply. */
  | 'waiting-reply'
  /** Waiting for the device to go down (a wipe that must reboot it). */
  | 'watching-down'
  /** Watching that the device stays up (a request that must not reboot it). */
  | 'watching-quiet'
  /** The device went down: waiting for it to come back. */
  | 'waiting-up'
  /** It accepts connections again: waiting for its API to be ready. */
  | 'waiting-api'
  /** Reading the state after the request. */
  | 'reading-state'
  /** The case has ended (its result may be reported later, in plan order). */
  | 'done';

/** A case entered a phase. */
export interface PhaseEvent {
  /** The case id. */
  id: string;
  phase: CasePhase;
  /** The longest the phase may last (its window), when it has one. */
  windowMs?: number;
  /** `waiting-up`, `waiting-api`: when the device went down, in ms after the answer (or the command). */
  downAfterMs?: number;
}

/** One planned case, as far as the progress estimate needs it. */
export interface PlannedCase {
  id: string;
  /** Some outcome of the case requires a reboot: it costs a boot. */
  reboots: boolean;
  /** An outcome of the case allows a reboot (`reboot: any`): it rebooted, or it watched a whole down window. */
  mayReboot?: boolean;
  /** MQ: commands are published before the case's own (their replies and a quiet window are waited for first). */
  publishesBefore?: boolean;
  /** The case may share the device with others (several in flight). */
  shares: boolean;
}

/** The run as it starts. */
export interface RunPlan {
  /** Cases in the plan, including those kept from an earlier, interrupted run. */
  total: number;
  suite: string;
  /** The target, as reports name it. */
  target: string;
  /** SHA-256 of the spec files and suites (report.json's specHash). */
  specHash: string;
  /** ISO time the run started (an interrupted run that is resumed keeps its own). */
  startedAt: string;
  /** Every planned case, in plan order. */
  cases: PlannedCase[];
  /** Ids whose results were kept from the interrupted run (--resume); they are not run again. */
  kept: string[];
  /** Cases sharing the device in flight together. */
  concurrency: number;
  /**
   * The watch windows (ms): a case that must leave the device up is watched `quietMs`, one that may reboot it
   * and shares the device a whole `downWithinMs` when it stays up; the estimate's guesses before it has seen one.
   */
  windows?: { quietMs: number; downWithinMs: number };
}
