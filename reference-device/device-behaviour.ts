/**
 * How users/events/all are read on one channel (HTTP-4, HTTP-5, HTTP-9, HTTP-10, HTTP-16; MQ-3). The HTTP endpoint
 * and the MQ channel each have their own rules: a variant changes both, an HTTP request fault only the endpoint's.
 */
export interface FlagRules {
  /** HTTP-16: a key besides the three flags is ignored, or refused with INVALID_ARGUMENTS naming it. */
  readonly unknownFields: 'ignored' | 'refused';
  /** HTTP-5: a flag sent as null is an invalid value, or not given at all (通用约定: "None才为空"). */
  readonly nullFlag: 'invalid' | 'not-given';
  /** HTTP-4: the code when none of the flags is given. */
  readonly noFlagCode: 'MISSING_ARGUMENTS' | 'INVALID_ARGUMENTS';
  /** HTTP-4: the message when none is given: `missingWording`, or nothing at all. */
  readonly noFlagMessage: 'missing-wording' | 'empty';
  /** The body {}: answered as no flag given, or as a blank request (EMPTY_REQUEST_JSON). */
  readonly emptyObject: 'no-flag' | 'EMPTY_REQUEST_JSON';
  /** The MISSING_ARGUMENTS message, which carries 缺失参数的名称 (HTTP-4). */
  readonly missingWording: string;
  /** HTTP-5: how INVALID_ARGUMENTS carries 无效参数的值. */
  readonly invalidWording: 'parameter-and-value' | 'value-only' | 'chinese' | 'python-repr';
  /** A flag sent as false: false, or acted on as true (a firmware that only checks the key is there). */
  readonly falseFlag: 'false' | 'true';
  /** The string "true": an invalid value, or the boolean true. */
  readonly stringTrue: 'invalid' | 'true';
  /** HTTP-9: two or more true flags: the union is wiped, or the request is refused (三选一). */
  readonly severalTrue: 'union' | 'refused';
  /** HTTP-10: flags present but all false: a no-op, refused with INVALID_ARGUMENTS, or with MISSING_ARGUMENTS. */
  readonly allFalse: 'no-op' | 'INVALID_ARGUMENTS' | 'MISSING_ARGUMENTS';
}

/** The store lists a wipe can empty. */
export type StoreList = 'identities' | 'permissions' | 'mediaDevices' | 'events';

/**
 * Everything the reference device does where the documents leave a choice (variants.ts) or a firmware could get
 * it wrong (faults.ts), as named knobs. HEALTHY_DEVICE holds the default device; each fault and variant declares
 * beside its name the knobs it changes, and the device composes its behaviour once, when it starts
 * (compose-behaviour.ts). The protocol reads these knobs, never a fault's or a variant's name.
 */
export interface DeviceBehaviour {
  /** How a request reaches a command (HTTP-2, HTTP-17). */
  readonly requests: {
    /** HTTP-2: the media type is compared (parameters and case aside), or the whole header with "application/json". */
    readonly contentTypeMatch: 'media-type' | 'whole-header';
    /** A text/plain body: refused with UNSUPPORT_CONTENT_TYPE, or read as JSON. */
    readonly textPlain: 'refused' | 'read-as-json';
    /** The methods that run a wipe on the wipedata path. */
    readonly wipeMethods: readonly ('POST' | 'PUT' | 'DELETE' | 'PATCH')[];
    /** HTTP-17: another method on a POST path gets the 405 envelope, a bare 405, or (GET) a 200 usage note. */
    readonly otherMethods: 'envelope-405' | 'bare-405' | 'get-usage-200';
  };
  /** How every answer is labelled, framed and given its status (HTTP-11, HTTP-14). */
  readonly answers: {
    readonly contentType: 'application/json' | 'application/json; charset=utf-8';
    readonly connection: 'keep-alive' | 'close';
    readonly framing: 'content-length' | 'chunked';
    /** The status of every error envelope: the code's own, or always 200. */
    readonly errorStatus: 'per-code' | 200;
    /** HTTP-14: the status of a client error (400, 415): the code's own, or one 4xx for all. */
    readonly clientErrorStatus: 'per-code' | 400 | 422;
  };
  /** The two points RFC 8259 leaves open (HTTP-3), for every body and MQ message. */
  readonly json: {
    /** A UTF-8 byte order mark is refused, or skipped. */
    readonly ignoreBom: boolean;
    /** Duplicate keys are refused, or the last one wins. */
    readonly lastKeyWins: boolean;
  };
  /** `POST /sophon/v2/face/wipedata` (HTTP-3 … HTTP-13). */
  readonly wipe: {
    /** Malformed JSON: INVALID_REQUEST_JSON, or 200 {"result":true} with nothing done. */
    readonly malformedJson: 'INVALID_REQUEST_JSON' | 'ok-200';
    readonly emptyBody: 'INVALID_REQUEST_JSON' | 'EMPTY_REQUEST_JSON';
    /** JSON that is not an object (HTTP-3 decision). */
    readonly nonObject: 'INVALID_REQUEST_JSON' | 'INVALID_ARGUMENTS' | 'MISSING_ARGUMENTS';
    /** The body null: as any other non-object, or a blank request (通用约定). */
    readonly nullBody: 'as-non-object' | 'EMPTY_REQUEST_JSON';
    /** A refused request with a valid true flag beside an invalid one: nothing deleted, or the valid flag's data. */
    readonly validFlagsOfRefused: 'kept' | 'wiped';
    /** A wipe that finds nothing to delete: done, or refused with INVALID_ARGUMENTS. */
    readonly emptyDevice: 'wiped' | 'INVALID_ARGUMENTS';
    /** The success answer: {"result":true}, or with "message":"success" beside it. */
    readonly successBody: 'result-only' | 'with-message';
    /** The result a successful wipe answers (false: the data is gone all the same). */
    readonly successResult: boolean;
    /** After the wipe: the answer is sent, or the connection is dropped and the device reboots at once. */
    readonly answer: 'sent' | 'dropped-then-reboot';
    /** An error answer on the wipedata path also resets the smart settings to their defaults. */
    readonly errorResetsSettings: boolean;
  };
  /** How the HTTP endpoint reads the flags. */
  readonly httpFlags: FlagRules;
  /** How the MQ channel reads the flags. */
  readonly mqFlags: FlagRules;
  /** What a wipe deletes (HTTP-6, HTTP-7, HTTP-8), over HTTP and MQ. */
  readonly deletes: {
    readonly users: readonly StoreList[];
    readonly events: readonly StoreList[];
    /** all:true restores the smart settings to their defaults. */
    readonly allResetsSettings: boolean;
    /** The wipe (and what the device records after it) reaches the disk, or stays in memory until the reboot. */
    readonly persisted: boolean;
  };
  /** When the device reboots, and how (HTTP-13, MQ-10). */
  readonly reboot: {
    /** After an HTTP wipe that deleted something, once the answer is sent. */
    readonly afterHttpWipe: boolean;
    /** After an MQ wipe that deleted something, once its reply is out. */
    readonly afterMqWipe: boolean;
    /** After an accepted wipe that deleted nothing (flags all false), over HTTP and MQ. */
    readonly afterNoOpWipe: boolean;
    /** After an error answer on the wipedata path. */
    readonly afterWipeError: boolean;
    /** The host reboots (getuptime starts again), or only the API process restarts. */
    readonly restarts: 'host' | 'api-only';
    /** The device listens again after going down. */
    readonly comesBack: boolean;
  };
  /** Which timings take the variants' slow value (variants.ts VariantTiming) instead of the device option's. */
  readonly slow: {
    readonly wipe: boolean;
    readonly shutdown: boolean;
    readonly init: boolean;
    readonly boot: boolean;
    readonly consumerStart: boolean;
  };
  /** The system port (sophon-api.md, design §5). */
  readonly system: {
    readonly port: 'listens' | 'none';
    /** getuptime: the vendor text with uptime_ms, the vendor text only, seconds as a number, or `uptime`'s clock. */
    readonly uptime: 'vendor-and-ms' | 'vendor-only' | 'seconds' | 'clock';
  };
  /** The management calls the state adapter uses (sophon-api.md). */
  readonly management: {
    /** getidentities and getpermissions serve page_limit items, or at most one. */
    readonly pageLimit: 'as-asked' | 'one';
    /** getconfigs {} answers the six settings a test changes, or every setting of the device. */
    readonly getconfigs: 'test-settings' | 'every-setting';
    /** File and rtsp inputs recognise nobody, or keep recording enrolled identities (HTTP-7). */
    readonly recognition: 'idle' | 'keeps-recording';
  };
  /** The MQ channel (MQ-1 … MQ-11). */
  readonly mq: {
    /** MQ-1: the up queue is declared durable, declared with a message TTL, or expected to exist. */
    readonly upQueue: 'declared' | 'declared-with-ttl' | 'not-declared';
    /** MQ-2: a message with flags but no message_key is refused, or executed as wipedata. */
    readonly missingMessageKey: 'refused' | 'wipes-when-flags';
    /** MQ-2: message_key must be exactly "wipedata", or is matched case-insensitively by prefix. */
    readonly messageKeyMatch: 'exact' | 'loose';
    /** MQ-2: a message that is no wipedata command gets a failure reply, or is dropped. */
    readonly unknownCommands: 'failure-reply' | 'dropped';
    /** MQ-3: failure codes are the face API's error codes, or the family's MQ status codes. */
    readonly failureCodes: 'error-codes' | 'family-status-codes';
    /** A refused command with a valid true flag beside an invalid one: nothing deleted, or the valid flag's data. */
    readonly validFlagsOfRefused: 'kept' | 'wiped';
    /** MQ-8: a message_id already executed is not executed again. */
    readonly idempotent: boolean;
    /** MQ-8: a duplicate gets its reply again, or none. */
    readonly duplicateReply: 'sent' | 'none';
    /** MQ-9: a message that is not JSON gets a failure reply and is dead-lettered, or is dropped silently. */
    readonly poison: 'refused' | 'dropped';
    /** MQ-9: the consumer stops after a message that is not JSON. */
    readonly poisonStopsConsumer: boolean;
    /** The reply to an executed wipe: sent, or never. */
    readonly wipeReply: 'sent' | 'never';
    /** The reply to an executed wipe comes late (past the reply window). */
    readonly wipeReplyLate: boolean;
    /** The reply to a wipe that reboots is held and sent once the device is back. */
    readonly wipeReplyAfterReboot: boolean;
    /** MQ-4: the success code. */
    readonly successCode: 'EXECUTE_SUCCESS' | 'SUCCESS';
    /** MQ-4: message_key of a wipedata reply: "wipedata", or "wipeData". */
    readonly replyMessageKey: 'wipedata' | 'wipeData';
    /** MQ-4: mq_license_key of a reply: the device's, or empty. */
    readonly replyLicenseKey: 'device' | 'empty';
    /** MQ-4: the device's key: generated (hex), or serial style ("BIWPEZ…"). */
    readonly licenseKeyStyle: 'generated' | 'serial';
    /** MQ-4: the key after a reboot: the same, or a new one each boot. */
    readonly licenseKeyAfterReboot: 'kept' | 'new';
    /** MQ-4: ext_data of a success reply: the message_id echo only, or also what was wiped and how long it took. */
    readonly extData: 'echo-only' | 'wipe-details';
    /** MQ-4: replies also carry dev_sno and timestamp at the top level. */
    readonly replyExtraFields: boolean;
    /** MQ-7: where the reply body echoes the message_id. */
    readonly messageIdInBody: 'top-level-and-ext-data' | 'top-level' | 'ext-data' | 'none';
    /** MQ-7: an up-queue reply's correlation_id is the command's message_id. */
    readonly messageIdAsCorrelationId: boolean;
    /** A reply copies the command's AMQP correlation_id (when the message_id does not take its place). */
    readonly copiesCorrelationId: boolean;
    /** MQ-5: up-queue replies are persistent application/json, or bare. */
    readonly replyProperties: 'json-persistent' | 'bare';
    /** MQ-5, MQ-6: a reply goes to the notify_path when there is one, or always to the up queue. */
    readonly replyTo: 'notify-path-or-up-queue' | 'up-queue';
    /** MQ-6: the Content-Type of a notify_path callback. */
    readonly callbackContentType: 'application/json' | 'application/json; charset=utf-8';
    /** MQ-11: how often an unreachable notify_path is tried. */
    readonly callbackTries: number;
    /** MQ-11: the consumer stops after a callback it could not deliver. */
    readonly unreachableCallbackStopsConsumer: boolean;
  };
}

const FLAGS_AS_DOCUMENTED: FlagRules = {
  unknownFields: 'ignored',
  nullFlag: 'invalid',
  noFlagCode: 'MISSING_ARGUMENTS',
  noFlagMessage: 'missing-wording',
  emptyObject: 'no-flag',
  missingWording: 'missing one of: users, events, all',
  invalidWording: 'parameter-and-value',
  falseFlag: 'false',
  stringTrue: 'invalid',
  severalTrue: 'union',
  allFalse: 'no-op',
};

/** The default reference device: every choice as README.md describes it, no defect. */
export const HEALTHY_DEVICE: DeviceBehaviour = {
  requests: {
    contentTypeMatch: 'media-type',
    textPlain: 'refused',
    wipeMethods: ['POST'],
    otherMethods: 'envelope-405',
  },
  answers: {
    contentType: 'application/json',
    connection: 'keep-alive',
    framing: 'content-length',
    errorStatus: 'per-code',
    clientErrorStatus: 'per-code',
  },
  json: { ignoreBom: false, lastKeyWins: false },
  wipe: {
    malformedJson: 'INVALID_REQUEST_JSON',
    emptyBody: 'INVALID_REQUEST_JSON',
    nonObject: 'INVALID_REQUEST_JSON',
    nullBody: 'as-non-object',
    validFlagsOfRefused: 'kept',
    emptyDevice: 'wiped',
    successBody: 'result-only',
    successResult: true,
    answer: 'sent',
    errorResetsSettings: false,
  },
  httpFlags: FLAGS_AS_DOCUMENTED,
  mqFlags: FLAGS_AS_DOCUMENTED,
  deletes: {
    users: ['identities', 'permissions', 'mediaDevices'],
    events: ['events'],
    allResetsSettings: true,
    persisted: true,
  },
  reboot: {
    afterHttpWipe: true,
    afterMqWipe: true,
    afterNoOpWipe: false,
    afterWipeError: false,
    restarts: 'host',
    comesBack: true,
  },
  slow: { wipe: false, shutdown: false, init: false, boot: false, consumerStart: false },
  system: { port: 'listens', uptime: 'vendor-and-ms' },
  management: { pageLimit: 'as-asked', getconfigs: 'test-settings', recognition: 'idle' },
  mq: {
    upQueue: 'declared',
    missingMessageKey: 'refused',
    messageKeyMatch: 'exact',
    unknownCommands: 'failure-reply',
    failureCodes: 'error-codes',
    validFlagsOfRefused: 'kept',
    idempotent: true,
    duplicateReply: 'sent',
    poison: 'refused',
    poisonStopsConsumer: false,
    wipeReply: 'sent',
    wipeReplyLate: false,
    wipeReplyAfterReboot: false,
    successCode: 'EXECUTE_SUCCESS',
    replyMessageKey: 'wipedata',
    replyLicenseKey: 'device',
    licenseKeyStyle: 'generated',
    licenseKeyAfterReboot: 'kept',
    extData: 'echo-only',
    replyExtraFields: false,
    messageIdInBody: 'top-level-and-ext-data',
    messageIdAsCorrelationId: false,
    copiesCorrelationId: true,
    replyProperties: 'json-persistent',
    replyTo: 'notify-path-or-up-queue',
    callbackContentType: 'application/json',
    callbackTries: 1,
    unreachableCallbackStopsConsumer: false,
  },
};

/** What one fault or variant changes: some knobs of some groups; everything else stays as it was. */
export type BehaviourChanges = { readonly [G in keyof DeviceBehaviour]?: Partial<DeviceBehaviour[G]> };

/** A change to the flag rules of both channels: the variants read the flags alike over HTTP and MQ. */
export function flagsOverHttpAndMq(rules: Partial<FlagRules>): BehaviourChanges {
  return { httpFlags: rules, mqFlags: rules };
}

/** `behaviour` with `changes` on top: a changed knob takes the new value, the others keep theirs. */
export function withChanges(behaviour: DeviceBehaviour, changes: BehaviourChanges): DeviceBehaviour {
  const next: Record<string, unknown> = { ...behaviour };
  for (const [group, knobs] of Object.entries(changes)) {
    next[group] = { ...(behaviour[group as keyof DeviceBehaviour] as object), ...knobs };
  }
  return next as unknown as DeviceBehaviour;
}
