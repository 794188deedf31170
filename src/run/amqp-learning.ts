/** The device's mq_license_key: given on the command line or learnt from its first reply (MQ-4: stable). */
export class LicenseKey {
  constructor(private key: string | undefined) {}

  get value(): string | undefined {
    return this.key;
  }

  /** Takes a key seen in a reply, unless one is known already: the first key is the one later replies are held to. */
  learn(key: string | undefined): void {
    if (this.key === undefined && key) this.key = key;
  }
}

/** message_ids published by earlier cases: a late reply echoing one of them answers that case, not this one. */
export class MessageIds {
  private readonly earlier = new Set<string>();

  /** Remembers the ids a finished case published. */
  remember(ids: Iterable<string>): void {
    for (const id of ids) this.earlier.add(id);
  }

  /**
   * The ids one case publishes, gathered as it goes: they become earlier ids only once the case is over (`close`,
   * even when the case failed half-way), so the case never takes its own replies for an earlier case's.
   */
  forCase(): CaseMessageIds {
    const ids: string[] = [];
    return { add: (id) => ids.push(id), close: () => this.remember(ids) };
  }

  /** Whether an earlier case published this id. */
  isEarlier(id: string): boolean {
    return this.earlier.has(id);
  }
}

/** The ids one case publishes (MessageIds.forCase). */
export interface CaseMessageIds {
  add(id: string): void;
  /** The case is over: its ids are earlier ones from now on. */
  close(): void;
}

/**
 * What the run knows of the consumer on the command queue (await-consumer.ts). Once the run has seen one (when the
 * session opened, or before a case) a case waits for one before publishing; a device that never shows one
 * (polling with basic.get) is never waited for.
 */
export class ConsumerPresence {
  private everSeen: boolean;
  private since: string | undefined;
  private lastSeenIn: string | undefined;
  private goneLine: string | undefined;

  constructor(seenAtOpen: boolean) {
    this.everSeen = seenAtOpen;
  }

  /** The run has seen the command queue with a consumer. */
  get wasSeen(): boolean {
    return this.everSeen;
  }

  /** Set when no consumer was there for a whole up window before a case (or a watch proved it gone); ISO time. */
  get lostSince(): string | undefined {
    return this.since;
  }

  /** The case whose look last found a consumer on the command queue, for saying since when none is there. */
  get lastSeenInCase(): string | undefined {
    return this.lastSeenIn;
  }

  /** The line the run said in short once the broker showed nothing consumes the command queue; each MQ case after it cites it. */
  get gone(): string | undefined {
    return this.goneLine;
  }

  /** A look found a consumer (in the case `caseId`, when a case looked): whatever was said of it being gone no longer holds. */
  seen(caseId: string | undefined): void {
    this.everSeen = true;
    this.since = undefined;
    this.goneLine = undefined;
    if (caseId !== undefined) this.lastSeenIn = caseId;
  }

  /**
   * Records that nothing consumes `commandQueue`; returns the line to say about it the first time (until a consumer
   * is seen again), undefined when it was said already.
   */
  markGone(commandQueue: string): string | undefined {
    this.since ??= new Date().toISOString();
    if (this.goneLine) return undefined;
    const since = this.lastSeenIn ? ` since ${this.lastSeenIn}` : '';
    this.goneLine = `nothing consumes ${commandQueue}${since}: the consumer is gone`;
    return this.goneLine;
  }
}

/** What a run learns on the MQ side as its cases go; each part owns its field. */
export interface AmqpLearning {
  readonly licenseKey: LicenseKey;
  readonly messageIds: MessageIds;
  readonly consumer: ConsumerPresence;
}

/** The MQ side of a run that has just opened its session. */
export function freshAmqpLearning(licenseKey: string | undefined, consumersAtOpen: number): AmqpLearning {
  return {
    licenseKey: new LicenseKey(licenseKey),
    messageIds: new MessageIds(),
    consumer: new ConsumerPresence(consumersAtOpen > 0),
  };
}
