import { type BehaviourChanges, type DeviceBehaviour, withChanges } from './device-behaviour.ts';

/** One named fault injection: a realistic defect the checker must catch. */
export interface FaultInfo {
  name: string;
  /** What the defect changes of the healthy device (device-behaviour.ts): the knobs it turns, nothing else. */
  changes: BehaviourChanges;
  description: string;
  /**
   * The case ids (or id globs) that must catch the fault, and no others: the kill matrix holds the
   * suite to it, so a case that stops catching its fault, or starts failing a healthy behaviour, shows.
   */
  catches: readonly string[];
  /**
   * SHOULD when the only clause the fault breaks is SHOULD-level (the design keeps it there, as a
   * device without the behaviour is not wrong by the documents): a warn is then the catch.
   */
  grade?: 'SHOULD';
  /**
   * How `catches` changes on a device that also carries the combined variants (variants.ts COMBINED_VARIANTS),
   * where a case takes another allowed path: cases that then no longer see the fault, and cases that then do.
   */
  withVariants?: { drop?: readonly string[]; add?: readonly string[] };
}

// Every HTTP case whose request the device must refuse with an error answer: a fault in the error path
// shows in each of them.
const REFUSED_HTTP_CASES = [
  'http.wipedata.arguments.*',
  'http.wipedata.body.*',
  'http.wipedata.content-type.application-jsonx',
  'http.wipedata.content-type.form-urlencoded',
  'http.wipedata.content-type.missing',
  'http.wipedata.content-type.multipart',
  'http.wipedata.content-type.text-json',
  'http.wipedata.content-type.text-plain',
  'http.wipedata.method.*',
];

// How the catches change on a device that also carries the combined variants (variants.ts COMBINED_VARIANTS):
// several true flags and flags all false are refused there (rejects-several-flags, refuses-all-false), an unknown
// field beside a flag is refused (unknown-fields-refused), a BOM is ignored and the last of duplicate keys wins
// (bom-accepted, duplicate-keys-last-wins: those requests wipe), and an MQ wipe does not reboot (mq-wipe-no-reboot).
// A null flag counts as not given (null-flag-not-given): users:true beside events:null is the users wipe there.
const NULL_BESIDE_TRUE = 'http.wipedata.arguments.null-beside-true';
const MQ_NULL_BESIDE_TRUE = 'amqp.wipedata.arguments.null-beside-true';
const WIPES_REFUSED_WITH_VARIANTS = ['http.wipedata.combination.*', 'http.wipedata.extra-fields.unknown-beside-users'];
const MQ_SEVERAL_FLAGS = ['amqp.wipedata.flags.all-three', 'amqp.wipedata.flags.users-and-events'];
const REFUSED_WITH_VARIANTS = ['http.wipedata.combination.*', 'http.wipedata.flags-false.*'];
const WIPING_WITH_VARIANTS = ['http.wipedata.body.duplicate-keys', 'http.wipedata.body.utf8-bom', NULL_BESIDE_TRUE];
const WIPE_PATH_WITH_VARIANTS = {
  drop: WIPES_REFUSED_WITH_VARIANTS,
  add: ['http.wipedata.body.utf8-bom', NULL_BESIDE_TRUE],
};
const ERROR_PATH_WITH_VARIANTS = { drop: WIPING_WITH_VARIANTS, add: REFUSED_WITH_VARIANTS };
const MQ_REFUSED_WITH_VARIANTS = {
  drop: [...MQ_SEVERAL_FLAGS, 'amqp.wipedata.flags.all-false'],
  add: [MQ_NULL_BESIDE_TRUE],
};
// Nothing left to break: the fault needs a reboot after an MQ wipe, which the variants' device never does.
const MASKED_WITHOUT_MQ_REBOOT = { drop: ['amqp.wipedata'] };

// Every HTTP case the device must answer with a successful wipe (and then reboot, HTTP-13): a fault in the
// success path or the reboot after it (result false, no reboot, only the API restarting) shows in each of them.
const HTTP_SUCCESSFUL_WIPES = [
  'http.wipedata.combination.*',
  'http.wipedata.content-type.charset-no-space',
  'http.wipedata.content-type.charset-utf-8',
  'http.wipedata.content-type.upper-case',
  'http.wipedata.extra-fields.unknown-beside-users',
  'http.wipedata.flags.*',
  'http.wipedata.idempotent.all-on-empty-device',
];

/**
 * Every fault the reference device can inject. Each changes exactly what its name says and nothing
 * else, so that a run with one fault fails exactly the cases that look at that behaviour.
 */
export const KNOWN_FAULTS = [
  {
    name: 'accepts-text-plain',
    changes: { requests: { textPlain: 'read-as-json' } },
    catches: ['http.wipedata.content-type.text-plain'],
    description: 'A text/plain body is parsed as JSON instead of being refused with UNSUPPORT_CONTENT_TYPE.',
  },
  {
    name: 'ok-on-malformed-json',
    changes: { wipe: { malformedJson: 'ok-200' } },
    catches: [
      'http.wipedata.body.empty',
      'http.wipedata.body.trailing-comma',
      'http.wipedata.body.truncated',
      'http.wipedata.body.unquoted-key',
      'http.wipedata.body.vendor-example-comment',
    ],
    description:
      'wipedata with malformed JSON (bad syntax, truncated, empty) answers 200 {"result":true}; nothing is wiped and the device does not reboot.',
  },
  {
    name: 'users-keeps-permissions',
    changes: { deletes: { users: ['identities', 'mediaDevices'] } },
    withVariants: {
      drop: [...WIPES_REFUSED_WITH_VARIANTS, ...MQ_SEVERAL_FLAGS],
      add: ['http.wipedata.body.utf8-bom', NULL_BESIDE_TRUE, MQ_NULL_BESIDE_TRUE],
    },
    catches: [
      'amqp.wipedata.flags.all',
      'amqp.wipedata.flags.all-three',
      'amqp.wipedata.flags.users',
      'amqp.wipedata.flags.users-and-events',
      'amqp.wipedata.notify-path.unreachable-still-wipes',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.notify-path-wipe',
      'http.wipedata.combination.*',
      'http.wipedata.content-type.charset-no-space',
      'http.wipedata.content-type.charset-utf-8',
      'http.wipedata.content-type.upper-case',
      'http.wipedata.extra-fields.unknown-beside-users',
      'http.wipedata.flags.all',
      'http.wipedata.flags.all-beside-false',
      'http.wipedata.flags.users',
      'http.wipedata.flags.users-beside-false',
    ],
    description: 'A users (or all) wipe deletes identities and input devices but leaves the permission groups.',
  },
  {
    name: 'reboots-before-answering',
    changes: { wipe: { answer: 'dropped-then-reboot' } },
    withVariants: WIPE_PATH_WITH_VARIANTS,
    catches: [
      'http.wipedata.combination.*',
      'http.wipedata.content-type.charset-no-space',
      'http.wipedata.content-type.charset-utf-8',
      'http.wipedata.content-type.upper-case',
      'http.wipedata.extra-fields.unknown-beside-users',
      'http.wipedata.flags.*',
    ],
    description:
      'A successful wipe is carried out, then the connection is dropped without a response and the device reboots.',
  },
  {
    name: 'never-reboots',
    changes: { reboot: { afterHttpWipe: false, afterMqWipe: false, afterNoOpWipe: false } },
    withVariants: WIPE_PATH_WITH_VARIANTS,
    catches: HTTP_SUCCESSFUL_WIPES,
    description: 'A successful wipe is answered correctly but the device never reboots.',
  },
  {
    name: 'not-coming-back',
    changes: { reboot: { comesBack: false } },
    // The first reboot comes from the first HTTP wipe: MQ wipes do not reboot.
    withVariants: { drop: ['amqp.wipedata.flags.users'], add: ['http.wipedata.flags.users'] },
    catches: ['amqp.wipedata.flags.users'],
    description: 'After a successful wipe the device goes down and never listens again.',
  },
  {
    name: 'error-status-200',
    changes: { answers: { errorStatus: 200 } },
    // The bare 405 of other-methods-bare-405 has no envelope whose status the fault could change.
    withVariants: { drop: [...WIPING_WITH_VARIANTS, 'http.wipedata.method.*'], add: REFUSED_WITH_VARIANTS },
    catches: REFUSED_HTTP_CASES,
    description: 'Every error envelope is sent with HTTP status 200 instead of a 4xx/5xx status.',
  },
  {
    name: 'result-false-200',
    changes: { wipe: { successResult: false } },
    withVariants: WIPE_PATH_WITH_VARIANTS,
    catches: HTTP_SUCCESSFUL_WIPES,
    description: 'A successful wipe (data deleted, reboot follows) answers 200 {"result":false}.',
  },
  {
    name: 'missing-args-wrong-code',
    changes: { httpFlags: { noFlagCode: 'INVALID_ARGUMENTS', emptyObject: 'no-flag' } },
    // The unknown-field refusal (INVALID_ARGUMENTS, tolerated) is what these two get from the variants already.
    withVariants: {
      drop: ['http.wipedata.arguments.missing-capitalised-users', 'http.wipedata.arguments.missing-typo-user'],
    },
    catches: [
      'http.wipedata.arguments.missing-capitalised-users',
      'http.wipedata.arguments.missing-empty-object',
      'http.wipedata.arguments.missing-typo-user',
    ],
    description: 'wipedata without any of users/events/all answers INVALID_ARGUMENTS instead of MISSING_ARGUMENTS.',
  },
  {
    name: 'string-true-accepted',
    changes: { httpFlags: { stringTrue: 'true' } },
    catches: [
      'http.wipedata.arguments.all-string-true',
      'http.wipedata.arguments.events-string-true',
      'http.wipedata.arguments.users-string-true',
    ],
    description: 'wipedata takes the string "true" as the boolean true instead of refusing it with INVALID_ARGUMENTS.',
  },
  {
    name: 'events-deletes-identities',
    changes: { deletes: { events: ['events', 'identities'] } },
    catches: [
      'amqp.wipedata.flags.events',
      'amqp.wipedata.malformed.*',
      'amqp.wipedata.notify-path.unreachable-then-valid',
      'http.wipedata.flags.events',
      'http.wipedata.flags.events-beside-false',
    ],
    description: 'An events wipe also deletes every identity with its faces.',
  },
  {
    name: 'all-keeps-settings',
    changes: { deletes: { allResetsSettings: false } },
    withVariants: { drop: ['http.wipedata.combination.*', 'amqp.wipedata.flags.all-three'] },
    catches: [
      'amqp.wipedata.flags.all',
      'amqp.wipedata.flags.all-three',
      'http.wipedata.combination.all-three',
      'http.wipedata.combination.events-all',
      'http.wipedata.combination.users-all',
      'http.wipedata.flags.all',
      'http.wipedata.flags.all-beside-false',
    ],
    description: 'An all wipe deletes users and events but leaves the smart settings as they were.',
  },
  {
    name: 'wipe-not-persisted',
    changes: { deletes: { persisted: false } },
    // Without a reboot after an MQ wipe nothing reloads the old data from disk.
    withVariants: {
      drop: [...WIPES_REFUSED_WITH_VARIANTS, 'amqp.wipedata'],
      add: ['http.wipedata.body.utf8-bom', NULL_BESIDE_TRUE],
    },
    catches: [
      'amqp.wipedata.flags.all',
      'amqp.wipedata.flags.all-three',
      'amqp.wipedata.flags.events',
      'amqp.wipedata.flags.users',
      'amqp.wipedata.flags.users-and-events',
      'amqp.wipedata.malformed.*',
      'amqp.wipedata.notify-path.*',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.notify-path-wipe',
      'http.wipedata.combination.*',
      'http.wipedata.content-type.charset-no-space',
      'http.wipedata.content-type.charset-utf-8',
      'http.wipedata.content-type.upper-case',
      'http.wipedata.extra-fields.unknown-beside-users',
      'http.wipedata.flags.*',
    ],
    description: 'The wipe is done in memory only and answered 200; the reboot reloads the old data from disk.',
  },
  {
    name: 'reboots-after-error',
    changes: { reboot: { afterWipeError: true } },
    withVariants: ERROR_PATH_WITH_VARIANTS,
    catches: REFUSED_HTTP_CASES,
    description: 'A failed wipedata request (any error answer on the wipedata path) reboots the device.',
  },
  {
    name: 'error-resets-settings',
    changes: { wipe: { errorResetsSettings: true } },
    withVariants: ERROR_PATH_WITH_VARIANTS,
    catches: REFUSED_HTTP_CASES,
    description:
      'A failed wipedata request (any error answer on the wipedata path) resets the smart settings to their defaults.',
  },
  {
    name: 'partial-wipe-on-error',
    changes: { wipe: { validFlagsOfRefused: 'wiped' } },
    // With the variants the null beside a true flag is no error: the users wipe is the allowed outcome.
    withVariants: { drop: [NULL_BESIDE_TRUE] },
    catches: ['http.wipedata.arguments.valid-beside-invalid', NULL_BESIDE_TRUE],
    description:
      "wipedata with one valid true flag and one invalid flag deletes the valid flag's data, then answers INVALID_ARGUMENTS.",
  },
  {
    name: 'users-keeps-media-devices',
    changes: { deletes: { users: ['identities', 'permissions'] } },
    withVariants: {
      drop: [...WIPES_REFUSED_WITH_VARIANTS, ...MQ_SEVERAL_FLAGS],
      add: ['http.wipedata.body.utf8-bom', NULL_BESIDE_TRUE, MQ_NULL_BESIDE_TRUE],
    },
    catches: [
      'amqp.wipedata.flags.all',
      'amqp.wipedata.flags.all-three',
      'amqp.wipedata.flags.users',
      'amqp.wipedata.flags.users-and-events',
      'amqp.wipedata.notify-path.unreachable-still-wipes',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.notify-path-wipe',
      'http.wipedata.combination.*',
      'http.wipedata.content-type.charset-no-space',
      'http.wipedata.content-type.charset-utf-8',
      'http.wipedata.content-type.upper-case',
      'http.wipedata.extra-fields.unknown-beside-users',
      'http.wipedata.flags.all',
      'http.wipedata.flags.all-beside-false',
      'http.wipedata.flags.users',
      'http.wipedata.flags.users-beside-false',
    ],
    description: 'A users (or all) wipe deletes identities and permission groups but leaves the input (media) devices.',
  },
  {
    name: 'message-not-naming-missing',
    changes: { httpFlags: { noFlagMessage: 'empty' } },
    // The variants send MISSING_ARGUMENTS only for a null flag (null-flag-not-given): EMPTY_REQUEST_JSON for {},
    // INVALID_ARGUMENTS for unknown keys.
    withVariants: {
      drop: ['http.wipedata.arguments.missing-*'],
      add: [
        'http.wipedata.arguments.all-null',
        'http.wipedata.arguments.events-null',
        'http.wipedata.arguments.users-null',
      ],
    },
    catches: [
      'http.wipedata.arguments.missing-capitalised-users',
      'http.wipedata.arguments.missing-empty-object',
      'http.wipedata.arguments.missing-typo-user',
    ],
    description: 'wipedata without any of users/events/all answers MISSING_ARGUMENTS with an empty message.',
  },
  {
    name: 'false-flag-wipes',
    changes: { httpFlags: { falseFlag: 'true' } },
    // All three false turn true, and three true flags are refused; all beside two false turns into three true.
    withVariants: { drop: ['http.wipedata.flags-false.all-three'], add: ['http.wipedata.flags.all-beside-false'] },
    catches: [
      'http.wipedata.flags-false.*',
      'http.wipedata.flags.events-beside-false',
      'http.wipedata.flags.users-beside-false',
    ],
    description: 'A flag sent as false is acted on as if it were true: the firmware only checks that the key is there.',
  },
  {
    name: 'any-method-wipes',
    changes: { requests: { wipeMethods: ['POST', 'PUT', 'DELETE', 'PATCH'] } },
    catches: ['http.wipedata.method.delete', 'http.wipedata.method.put'],
    description: 'PUT, DELETE and PATCH on the wipe path are handled like POST: a body with a true flag wipes.',
  },
  {
    name: 'charset-refused',
    changes: { requests: { contentTypeMatch: 'whole-header' } },
    catches: [
      'http.wipedata.content-type.charset-no-space',
      'http.wipedata.content-type.charset-utf-8',
      'http.wipedata.content-type.upper-case',
    ],
    description:
      'Content-Type must be exactly "application/json": a charset parameter or an upper-case media type is refused with UNSUPPORT_CONTENT_TYPE.',
  },
  {
    name: 'non-object-missing-args',
    changes: { wipe: { nonObject: 'MISSING_ARGUMENTS', nullBody: 'as-non-object' } },
    catches: [
      'http.wipedata.body.array',
      'http.wipedata.body.boolean',
      'http.wipedata.body.null',
      'http.wipedata.body.number',
      'http.wipedata.body.string',
    ],
    description:
      'Valid JSON that is not an object (array, string, number, true, null) is answered MISSING_ARGUMENTS instead of INVALID_REQUEST_JSON.',
  },
  {
    name: 'empty-device-refused',
    changes: { wipe: { emptyDevice: 'INVALID_ARGUMENTS' } },
    catches: ['http.wipedata.idempotent.all-on-empty-device'],
    description: 'A wipe that finds nothing to delete is refused with INVALID_ARGUMENTS instead of succeeding.',
  },
  // --- the MQ channel (mq-consumer.ts, mq-command.ts) ---
  {
    name: 'mq-reply-on-up-queue-despite-notify-path',
    changes: { mq: { replyTo: 'up-queue' } },
    catches: ['amqp.wipedata.reply.notify-path-only', 'amqp.wipedata.reply.notify-path-wipe'],
    description:
      'An MQ command with a notify_path gets its reply published on the up queue instead of POSTed to the notify_path.',
  },
  {
    name: 'mq-no-reply',
    changes: { mq: { wipeReply: 'never' } },
    withVariants: MQ_REFUSED_WITH_VARIANTS,
    catches: [
      'amqp.wipedata.flags.*',
      'amqp.wipedata.malformed.*',
      'amqp.wipedata.notify-path.unreachable-then-valid',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.notify-path-wipe',
    ],
    description:
      'An MQ wipedata command is executed (and the device reboots as usual) but its reply is never sent; refusals are still answered.',
  },
  {
    name: 'mq-code-success',
    changes: { mq: { successCode: 'SUCCESS' } },
    withVariants: MQ_REFUSED_WITH_VARIANTS,
    catches: [
      'amqp.wipedata.flags.*',
      'amqp.wipedata.malformed.*',
      'amqp.wipedata.notify-path.unreachable-then-valid',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.notify-path-wipe',
    ],
    description: 'A successful MQ command replies with code "SUCCESS" instead of "EXECUTE_SUCCESS".',
  },
  {
    name: 'mq-wrong-message-key',
    changes: { mq: { replyMessageKey: 'wipeData' } },
    catches: [
      'amqp.wipedata.arguments.all-null',
      'amqp.wipedata.arguments.events-number-one',
      'amqp.wipedata.arguments.missing',
      MQ_NULL_BESIDE_TRUE,
      'amqp.wipedata.arguments.users-string-true',
      'amqp.wipedata.flags.*',
      'amqp.wipedata.reply.license-key-stable',
      'amqp.wipedata.reply.notify-path-only',
      'amqp.wipedata.reply.notify-path-wipe',
      'amqp.wipedata.reply.up-queue-without-notify-path',
    ],
    description: 'MQ replies to a wipedata command carry message_key "wipeData" instead of "wipedata".',
  },
  {
    name: 'mq-empty-license-key',
    changes: { mq: { replyLicenseKey: 'empty' } },
    catches: [
      'amqp.wipedata.arguments.all-null',
      'amqp.wipedata.arguments.events-number-one',
      'amqp.wipedata.arguments.missing',
      MQ_NULL_BESIDE_TRUE,
      'amqp.wipedata.arguments.users-string-true',
      'amqp.wipedata.flags.*',
      'amqp.wipedata.reply.license-key-stable',
      'amqp.wipedata.reply.notify-path-only',
      'amqp.wipedata.reply.notify-path-wipe',
      'amqp.wipedata.reply.up-queue-without-notify-path',
    ],
    description: 'MQ replies carry an empty mq_license_key.',
  },
  {
    name: 'mq-license-key-changes-on-reboot',
    changes: { mq: { licenseKeyAfterReboot: 'new' } },
    withVariants: MASKED_WITHOUT_MQ_REBOOT,
    catches: [
      'amqp.wipedata.arguments.all-null',
      'amqp.wipedata.arguments.events-number-one',
      'amqp.wipedata.arguments.missing',
      MQ_NULL_BESIDE_TRUE,
      'amqp.wipedata.arguments.users-string-true',
      'amqp.wipedata.flags.all',
      'amqp.wipedata.flags.all-false',
      'amqp.wipedata.flags.all-three',
      'amqp.wipedata.flags.events',
      'amqp.wipedata.flags.users-and-events',
      'amqp.wipedata.reply.license-key-stable',
      'amqp.wipedata.reply.notify-path-only',
      'amqp.wipedata.reply.notify-path-wipe',
      'amqp.wipedata.reply.up-queue-without-notify-path',
    ],
    description:
      "After every reboot the MQ replies carry a newly generated mq_license_key instead of the device's stable one.",
  },
  {
    name: 'mq-consumer-dies-on-poison',
    changes: { mq: { poisonStopsConsumer: true } },
    catches: [
      'amqp.wipedata.malformed.*',
      'amqp.wipedata.notify-path.*',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.license-key-stable',
      'amqp.wipedata.reply.notify-path-wipe',
    ],
    description:
      'After an MQ message that is not JSON (bad syntax, empty, not UTF-8) the consumer stops consuming until the next reboot.',
  },
  {
    name: 'mq-reply-without-message-id',
    changes: { mq: { messageIdInBody: 'none' } },
    grade: 'SHOULD',
    catches: ['amqp.wipedata.flags.users', 'amqp.wipedata.reply.message-id-echoed'],
    description:
      "MQ replies carry only the documented fields: the command's message_id is echoed neither at the top level nor in ext_data.",
  },
  {
    name: 'mq-duplicate-executed-twice',
    changes: { mq: { idempotent: false } },
    grade: 'SHOULD',
    catches: ['amqp.wipedata.duplicate.message-id-executed-once'],
    description:
      'An MQ command whose message_id was already executed is executed again (and reboots the device again).',
  },
  {
    name: 'mq-reply-after-reboot',
    changes: { mq: { wipeReplyAfterReboot: true } },
    withVariants: MASKED_WITHOUT_MQ_REBOOT,
    catches: [
      'amqp.wipedata.flags.all',
      'amqp.wipedata.flags.events',
      'amqp.wipedata.flags.users',
      'amqp.wipedata.reply.notify-path-wipe',
    ],
    description:
      'After an MQ wipe that deleted something the device reboots first and sends the reply only once it is back.',
  },
  {
    name: 'mq-reply-late',
    changes: { mq: { wipeReplyLate: true } },
    withVariants: MQ_REFUSED_WITH_VARIANTS,
    catches: [
      'amqp.wipedata.flags.*',
      'amqp.wipedata.malformed.*',
      'amqp.wipedata.notify-path.unreachable-then-valid',
      'amqp.wipedata.reboot.consumer-back',
      'amqp.wipedata.reply.notify-path-wipe',
    ],
    description:
      'The reply to an executed MQ wipedata command is sent 3 s late (past the 2 s reply window of the kill matrix; a slow wipe under --wipe-within may take longer); the ack and the reboot follow it as usual.',
  },
  {
    name: 'mq-wipes-without-message-key',
    changes: { mq: { missingMessageKey: 'wipes-when-flags' } },
    catches: ['amqp.wipedata.message-key.missing'],
    description: 'An MQ message with wipe flags but no message_key is executed as wipedata instead of being refused.',
  },
  {
    name: 'mq-bad-flag-partial-wipe',
    changes: { mq: { validFlagsOfRefused: 'wiped' } },
    // With the variants the null beside a true flag is no error: the users wipe is the allowed outcome.
    withVariants: { drop: [MQ_NULL_BESIDE_TRUE] },
    catches: ['amqp.wipedata.arguments.valid-beside-invalid', MQ_NULL_BESIDE_TRUE],
    description:
      "An MQ wipedata command with a true flag beside an invalid one deletes the valid flag's data, then replies INVALID_ARGUMENTS.",
  },
  {
    name: 'mq-message-key-loose',
    changes: { mq: { messageKeyMatch: 'loose' } },
    catches: ['amqp.wipedata.message-key.unknown', 'amqp.wipedata.message-key.wrong-case'],
    description:
      'message_key is matched case-insensitively and by prefix: "WipeData" and "wipedatas" are executed as wipedata.',
  },
  {
    name: 'mq-unreachable-notify-stops-consumer',
    changes: { mq: { unreachableCallbackStopsConsumer: true } },
    catches: ['amqp.wipedata.notify-path.unreachable-then-valid', 'amqp.wipedata.reboot.consumer-back'],
    description:
      'After a reply it could not POST to an unreachable notify_path the consumer stops until the next reboot.',
  },
  {
    name: 'api-restart-only',
    changes: { reboot: { restarts: 'api-only' } },
    // Every case that requires a reboot (HTTP-13: the host reboots). MQ wipes may or may not reboot (MQ-10), so a
    // restart after one is only reported. The combined variants' uptime counts whole minutes, but the host has
    // been up for hours when the device starts (reboot.ts HOST_UP_AT_START_MS), so a clock that kept counting
    // still shows; only a device without a system port (not among the combined variants) cannot tell.
    withVariants: WIPE_PATH_WITH_VARIANTS,
    catches: HTTP_SUCCESSFUL_WIPES,
    description:
      'After a successful wipe only the API process restarts: the device goes down and comes back, but the host does not reboot and getuptime keeps counting.',
  },
] as const satisfies readonly FaultInfo[];

/** The name of a known fault: a typo does not compile. */
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

  /** `behaviour` with every active fault's changes on top, in the order of KNOWN_FAULTS. */
  applyTo(behaviour: DeviceBehaviour): DeviceBehaviour {
    return KNOWN_FAULTS.filter((fault) => this.active.has(fault.name)).reduce(
      (next, fault) => withChanges(next, fault.changes),
      behaviour,
    );
  }

  list(): FaultName[] {
    return [...this.active];
  }
}
