/** One named fault injection: a realistic defect the checker must catch. */
export interface FaultInfo {
  name: string;
  description: string;
}

/**
 * Every fault the reference device can inject. Each changes exactly what its name says and nothing
 * else, so that a run with one fault fails exactly the cases that look at that behaviour.
 */
export const KNOWN_FAULTS = [
  {
    name: 'accepts-text-plain',
    description: 'A text/plain body is parsed as JSON instead of being refused with UNSUPPORT_CONTENT_TYPE.',
  },
  {
    name: 'ok-on-malformed-json',
    description:
      'wipedata with malformed JSON (bad syntax, truncated, empty) answers 200 {"result":true}; nothing is wiped and the device does not reboot.',
  },
  {
    name: 'users-keeps-permissions',
    description: 'A users (or all) wipe deletes identities and input devices but leaves the permission groups.',
  },
  {
    name: 'reboots-before-answering',
    description:
      'A successful wipe is carried out, then the connection is dropped without a response and the device reboots.',
  },
  {
    name: 'never-reboots',
    description: 'A successful wipe is answered correctly but the device never reboots.',
  },
  {
    name: 'not-coming-back',
    description: 'After a successful wipe the device goes down and never listens again.',
  },
  {
    name: 'error-status-200',
    description: 'Every error envelope is sent with HTTP status 200 instead of a 4xx/5xx status.',
  },
  {
    name: 'result-false-200',
    description: 'A successful wipe (data deleted, reboot follows) answers 200 {"result":false}.',
  },
  {
    name: 'missing-args-wrong-code',
    description: 'wipedata without any of users/events/all answers INVALID_ARGUMENTS instead of MISSING_ARGUMENTS.',
  },
  {
    name: 'string-true-accepted',
    description: 'wipedata takes the string "true" as the boolean true instead of refusing it with INVALID_ARGUMENTS.',
  },
  {
    name: 'events-deletes-identities',
    description: 'An events wipe also deletes every identity with its faces.',
  },
  {
    name: 'all-keeps-settings',
    description: 'An all wipe deletes users and events but leaves the smart settings as they were.',
  },
  {
    name: 'wipe-not-persisted',
    description: 'The wipe is done in memory only and answered 200; the reboot reloads the old data from disk.',
  },
  {
    name: 'reboots-after-error',
    description: 'A failed wipedata request (any error answer on the wipedata path) reboots the device.',
  },
  {
    name: 'partial-wipe-on-error',
    description:
      "wipedata with one valid true flag and one invalid flag deletes the valid flag's data, then answers INVALID_ARGUMENTS.",
  },
  {
    name: 'users-keeps-media-devices',
    description: 'A users (or all) wipe deletes identities and permission groups but leaves the input (media) devices.',
  },
  {
    name: 'message-not-naming-missing',
    description: 'wipedata without any of users/events/all answers MISSING_ARGUMENTS with an empty message.',
  },
  // --- the MQ channel (mq-consumer.ts, mq-command.ts) ---
  {
    name: 'mq-reply-on-up-queue-despite-notify-path',
    description:
      'An MQ command with a notify_path gets its reply published on the up queue instead of POSTed to the notify_path.',
  },
  {
    name: 'mq-no-reply',
    description:
      'An MQ wipedata command is executed (and the device reboots as usual) but its reply is never sent; refusals are still answered.',
  },
  {
    name: 'mq-code-success',
    description: 'A successful MQ command replies with code "SUCCESS" instead of "EXECUTE_SUCCESS".',
  },
  {
    name: 'mq-wrong-message-key',
    description: 'MQ replies to a wipedata command carry message_key "wipeData" instead of "wipedata".',
  },
  {
    name: 'mq-empty-license-key',
    description: 'MQ replies carry an empty mq_license_key.',
  },
  {
    name: 'mq-license-key-changes-on-reboot',
    description:
      "After every reboot the MQ replies carry a newly generated mq_license_key instead of the device's stable one.",
  },
  {
    name: 'mq-consumer-dies-on-poison',
    description:
      'After an MQ message that is not JSON (bad syntax, empty, not UTF-8) the consumer stops consuming until the next reboot.',
  },
  {
    name: 'mq-duplicate-executed-twice',
    description:
      'An MQ command whose message_id was already executed is executed again (and reboots the device again).',
  },
  {
    name: 'mq-reply-after-reboot',
    description:
      'After an MQ wipe that deleted something the device reboots first and sends the reply only once it is back.',
  },
  {
    name: 'mq-reply-late',
    description:
      'The reply to an executed MQ wipedata command is sent 15 s late; the ack and the reboot follow it as usual.',
  },
  {
    name: 'mq-wipes-without-message-key',
    description: 'An MQ message with wipe flags but no message_key is executed as wipedata instead of being refused.',
  },
  {
    name: 'mq-bad-flag-partial-wipe',
    description:
      "An MQ wipedata command with a true flag beside an invalid one deletes the valid flag's data, then replies INVALID_ARGUMENTS.",
  },
] as const satisfies readonly FaultInfo[];

/** The name of a known fault; code asks `faults.has(name)` with this type so a typo does not compile. */
export type FaultName = (typeof KNOWN_FAULTS)[number]['name'];

const KNOWN_NAMES: ReadonlySet<string> = new Set(KNOWN_FAULTS.map((fault) => fault.name));

/** The faults switched on for one device. */
export class Faults {
  private readonly active: ReadonlySet<FaultName>;

  private constructor(active: ReadonlySet<FaultName>) {
    this.active = active;
  }

  /** Validates the names; an unknown one throws, listing the known ones (a typo must not run a healthy device). */
  static parse(names: readonly string[]): Faults {
    const unknown = names.filter((name) => !KNOWN_NAMES.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `unknown fault${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; known faults: ${[...KNOWN_NAMES].join(', ')}`,
      );
    }
    return new Faults(new Set(names as readonly FaultName[]));
  }

  has(name: FaultName): boolean {
    return this.active.has(name);
  }

  list(): FaultName[] {
    return [...this.active];
  }
}
