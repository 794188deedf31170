import type { CapabilityManifest } from '../plan/load-capabilities.ts';
import type { WaiverFile } from '../plan/load-waivers.ts';
import type { PhaseEvent } from '../results/progress.ts';
import type { Profile, StateCategory } from '../results/types.ts';
import type { StateAdapter } from '../state/state-adapter.ts';
import type { AmqpSession } from '../transports/amqp-transport.ts';
import type { CallbackReceiver } from '../transports/callback-receiver.ts';
import type { ReplyInbox } from '../transports/reply-inbox.ts';

/** The MQ side of a run, present when a broker was given. */
export interface AmqpContext {
  session: AmqpSession;
  inbox: ReplyInbox;
  callbacks: CallbackReceiver;
  /** How long a reply may take after the command is confirmed by the broker. */
  replyWithinMs: number;
  /** The device's mq_license_key: given on the command line or learnt from its first reply (MQ-4: stable). */
  licenseKey: string | undefined;
  /** message_ids published by earlier cases: a late reply echoing one of them answers that case, not this one. */
  earlierMessageIds: Set<string>;
  /**
   * The run has seen the command queue with a consumer (when the session opened, or before a case): from then on a
   * case waits for one before publishing. A device that never shows one (polling with basic.get) is never waited for.
   */
  consumerSeen: boolean;
  /** Set when the consumer did not come back within a whole up window before a case; cleared when one is seen. */
  consumerLostSince?: string | undefined;
  /** The case whose look last found a consumer on the command queue, for saying since when none is there. */
  consumerLastSeenIn?: string | undefined;
  /**
   * Set once the broker has shown that nothing consumes the command queue (await-consumer.ts): the line the run
   * said in short, which each MQ case after it cites; cleared when a consumer is seen again.
   */
  consumerGone?: string | undefined;
}

/** What every case of a run shares: the target, the windows, the state adapter. */
export interface RunContext {
  /** The target's API base URL, e.g. http://127.0.0.1:5555. */
  target: string;
  /** The system API base URL (getuptime, getsoftwareversion), when the device has one. */
  systemUrl: string | undefined;
  profile: Profile;
  /** undefined for the `none` adapter: state expectations become could-not-test. */
  adapter: StateAdapter | undefined;
  /** A device must go down within this after a successful wipe (design §5). */
  downWithinMs: number;
  /** ... and be ready again within this after going down. */
  upWithinMs: number;
  /** How long a device that must stay up is watched after the request (at least: see quietWindow). */
  quietMs: number;
  /** The longest the device took to go down after answering a wipe, so far in the run (ms). */
  slowestDownMs?: number | undefined;
  probeIntervalMs: number;
  requestTimeoutMs: number;
  /**
   * How long a wipe may take to be answered (HTTP) or replied to (MQ): it waits for the data to be deleted.
   * undefined: the request timeout and reply window, as for any other request.
   */
  wipeWithinMs?: number | undefined;
  signal: AbortSignal;
  /** undefined when no broker was given: MQ cases cannot be tested. */
  amqp: AmqpContext | undefined;
  /** Set when the device was not ready for a whole up window before a case; cleared when it answers again. */
  deviceLostSince?: string | undefined;
  /** Categories seeding could not fill earlier in the run (no records, say): a shared case finding them empty is no sign of a change. */
  unseedable?: Set<StateCategory> | undefined;
  /** Unique per run: names seeded items, so runs never mistake each other's data. */
  runTag: string;
  /** Cases that leave the device alone in flight together (concurrent-cases.ts); 1 = one at a time. Default 4. */
  caseConcurrency?: number | undefined;
  /** Capabilities, repeats and waivers applied around each case (case-policy.ts); none: the plain run. */
  policy?: CasePolicy | undefined;
  /** Told each case's phase as it changes (the live console). */
  onPhase?: ((event: PhaseEvent) => void) | undefined;
  /** Told a line about the whole run once, when it learns it (nothing consumes the command queue, say). */
  onNotice?: ((line: string) => void) | undefined;
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
