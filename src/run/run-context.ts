import type { CapabilityManifest } from '../plan/load-capabilities.ts';
import type { WaiverFile } from '../plan/load-waivers.ts';
import type { PhaseEvent } from '../results/progress.ts';
import type { Profile } from '../results/types.ts';
import type { StateAdapter } from '../state/state-adapter.ts';
import type { ReplyInbox } from '../transports/reply-inbox.ts';
import type { AmqpLearning } from './amqp-learning.ts';
import type { RunLearning } from './run-learning.ts';
import type { CallbackChannel, MqSession, RunTransports } from './run-transports.ts';

/** The MQ side of a run, present when a broker was given: its transports and windows, and what the run learns there. */
export interface AmqpContext {
  readonly session: MqSession;
  readonly inbox: ReplyInbox;
  readonly callbacks: CallbackChannel;
  /** How long a reply may take after the command is confirmed by the broker. */
  readonly replyWithinMs: number;
  /** Learnt as the cases go: the license key, the message_ids already published, the consumer's presence. */
  readonly learnt: AmqpLearning;
}

/**
 * What every case of a run shares: its configuration (the target, the windows, the state adapter, the callbacks),
 * fixed when the run starts, and `learnt`, what the run learns about the device as its cases go.
 */
export interface RunContext {
  /** The target's API base URL, e.g. http://127.0.0.1:5555. */
  readonly target: string;
  /** The system API base URL (getuptime, getsoftwareversion), when the device has one. */
  readonly systemUrl: string | undefined;
  readonly profile: Profile;
  /** undefined for the `none` adapter: state expectations become could-not-test. */
  readonly adapter: StateAdapter | undefined;
  /** A device must go down within this after a successful wipe (design §5). */
  readonly downWithinMs: number;
  /** ... and be ready again within this after going down. */
  readonly upWithinMs: number;
  /** How long a device that must stay up is watched after the request (at least: see quietWindow). */
  readonly quietMs: number;
  readonly probeIntervalMs: number;
  readonly requestTimeoutMs: number;
  /**
   * How long a wipe may take to be answered (HTTP) or replied to (MQ): it waits for the data to be deleted.
   * undefined: the request timeout and reply window, as for any other request.
   */
  readonly wipeWithinMs?: number | undefined;
  readonly signal: AbortSignal;
  /** How the cases reach the device (REAL_TRANSPORTS, or a test's fakes). */
  readonly transports: RunTransports;
  /** undefined when no broker was given: MQ cases cannot be tested. */
  readonly amqp: AmqpContext | undefined;
  /** Unique per run: names seeded items, so runs never mistake each other's data. */
  readonly runTag: string;
  /** Cases that leave the device alone in flight together (concurrent-cases.ts); 1 = one at a time. Default 4. */
  readonly caseConcurrency?: number | undefined;
  /** Capabilities, repeats and waivers applied around each case (case-policy.ts); none: the plain run. */
  readonly policy?: CasePolicy | undefined;
  /** Told each case's phase as it changes (the live console). */
  readonly onPhase?: ((event: PhaseEvent) => void) | undefined;
  /** Told a line about the whole run once, when it learns it (nothing consumes the command queue, say). */
  readonly onNotice?: ((line: string) => void) | undefined;
  /** Learnt as the cases go (shared by the cases in flight together): whether the device is away, how slowly it goes down, what seeding cannot fill. */
  readonly learnt: RunLearning;
}

/** What the run does around each case (case-policy.ts): capabilities, repeats, waivers (all optional; none = the plain run). */
export interface CasePolicy {
  /** The target's capability manifest; undefined: every capability is assumed. */
  capabilities?: CapabilityManifest | undefined;
  waivers?: WaiverFile | undefined;
  /** Run each case this many times (≥ 1); a case whose verdicts differ is flaky. */
  repeat?: number | undefined;
  /** The date waivers are judged against (YYYY-MM-DD); tests pin it. */
  today?: string | undefined;
}
