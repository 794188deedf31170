import { type BehaviourChanges, type DeviceBehaviour, flagsOverHttpAndMq, withChanges } from './device-behaviour.ts';

/** One behaviour the vendor documents allow that the default reference device does not show. */
export interface VariantInfo {
  name: string;
  /**
   * What the variant changes of the default device (device-behaviour.ts). Variants of different dimensions turn
   * different knobs, so any compatible set composes the same in any order.
   */
  changes: BehaviourChanges;
  description: string;
  /** The clause whose open point (or SHOULD) allows it (specs/clauses.yaml). */
  clause: string;
  /** Why a correct device may do this: the document's words, or the clause's decision. */
  allows: string;
  /**
   * The open point the variant takes a side on. Variants of one dimension are alternatives to each other and
   * never run together; the combination takes the first of each dimension (COMBINED_VARIANTS).
   */
  dimension: string;
  /**
   * The cases that warn on this variant (ids or id globs): the SHOULD it departs from. The variant matrix holds
   * the suite to exactly these warnings, and to no failure at all.
   */
  departs?: readonly string[];
}

/**
 * Every variant of the reference device (issue 13): a correct device that makes another choice the documents
 * allow. The certification suite must pass each one alone and all compatible ones together (no fail, no
 * could-not-test, warnings only where declared), as it must fail every fault (faults.ts).
 */
export const KNOWN_VARIANTS = [
  // --- HTTP-2, HTTP-11: how an answer is labelled and framed ---------------------------------------------
  {
    name: 'charset-in-answers',
    changes: { answers: { contentType: 'application/json; charset=utf-8' } },
    dimension: 'answer-content-type',
    clause: 'HTTP-11',
    allows: 'The document describes the JSON body, not its Content-Type; a charset parameter is ordinary HTTP.',
    description: 'Every JSON answer is labelled "application/json; charset=utf-8".',
  },
  {
    name: 'connection-close',
    changes: { answers: { connection: 'close' } },
    dimension: 'connection',
    clause: 'HTTP-13',
    allows: 'Nothing in the documents pins connection reuse; "Connection: close" is plain HTTP/1.1.',
    description: 'Every answer carries "Connection: close" and the device closes the connection after it.',
  },
  {
    name: 'chunked-answers',
    changes: { answers: { framing: 'chunked' } },
    dimension: 'framing',
    clause: 'HTTP-11',
    allows: 'HTTP/1.1 lets a server frame any body with chunked transfer coding instead of Content-Length.',
    description: 'Every answer body is sent with "Transfer-Encoding: chunked" and no Content-Length.',
  },
  {
    name: 'success-extra-fields',
    changes: { wipe: { successBody: 'with-message' } },
    dimension: 'success-body',
    clause: 'HTTP-11',
    allows: 'HTTP-11 decision: extra fields beside result are a SHOULD-level deviation.',
    description: 'A successful wipe answers {"result":true,"message":"success"}.',
    departs: [
      'http.wipedata.flags.all',
      'http.wipedata.flags.events',
      'http.wipedata.flags.users',
      'http.wipedata.idempotent.all-on-empty-device',
    ],
  },
  // --- HTTP-3: JSON text ---------------------------------------------------------------------------------
  {
    name: 'bom-accepted',
    changes: { json: { ignoreBom: true } },
    dimension: 'bom',
    clause: 'HTTP-3',
    allows: 'RFC 8259 §8.1: a parser MAY ignore a byte order mark; HTTP-3 decision: ignored or refused.',
    description: 'A UTF-8 byte order mark before the JSON text is ignored.',
  },
  {
    name: 'duplicate-keys-last-wins',
    changes: { json: { lastKeyWins: true } },
    dimension: 'duplicate-keys',
    clause: 'HTTP-3',
    allows: 'RFC 8259 §4 leaves duplicate names undefined; HTTP-3 decision: refusing them is a SHOULD.',
    description: 'Duplicate keys are not refused; the last value wins (as JSON.parse does).',
    departs: ['http.wipedata.body.duplicate-keys'],
  },
  {
    name: 'empty-body-empty-request-json',
    changes: { wipe: { emptyBody: 'EMPTY_REQUEST_JSON' } },
    dimension: 'empty-body-code',
    clause: 'HTTP-3',
    allows: 'ErrorManager (V6R2C01) documents EMPTY_REQUEST_JSON (空白的JSON数据请求): a SHOULD deviation.',
    description: 'An empty body is answered EMPTY_REQUEST_JSON instead of INVALID_REQUEST_JSON.',
    departs: ['http.wipedata.body.empty'],
  },
  // --- HTTP-4, HTTP-5: which error, and what its message says ---------------------------------------------
  {
    name: 'empty-object-empty-request-json',
    changes: flagsOverHttpAndMq({ emptyObject: 'EMPTY_REQUEST_JSON' }),
    dimension: 'empty-object-code',
    clause: 'HTTP-4',
    allows: 'An empty object is a blank JSON request too: EMPTY_REQUEST_JSON (ErrorManager), a SHOULD deviation.',
    description: 'The body {} is answered EMPTY_REQUEST_JSON instead of MISSING_ARGUMENTS.',
    departs: ['http.wipedata.arguments.missing-empty-object'],
  },
  {
    name: 'missing-message-chinese',
    changes: flagsOverHttpAndMq({ missingWording: '缺少必要参数：users、events 或 all' }),
    dimension: 'missing-message',
    clause: 'HTTP-4',
    allows: "The message is 缺失参数的名称 (the missing parameter's name) with any wording, in any language.",
    description: 'MISSING_ARGUMENTS says "缺少必要参数：users、events 或 all".',
  },
  {
    name: 'missing-message-names-one',
    changes: flagsOverHttpAndMq({ missingWording: 'missing parameter: users' }),
    dimension: 'missing-message',
    clause: 'HTTP-4',
    allows: 'Any one of the missing parameters is a name of a missing parameter.',
    description: 'MISSING_ARGUMENTS names one flag only: "missing parameter: users".',
  },
  {
    name: 'invalid-message-value-only',
    changes: flagsOverHttpAndMq({ invalidWording: 'value-only' }),
    dimension: 'invalid-message',
    clause: 'HTTP-5',
    allows: 'The INVALID_ARGUMENTS message is 无效参数的值 (the invalid value): the value alone is exactly that.',
    description: 'INVALID_ARGUMENTS carries only the invalid value as JSON text: {}, [], "true", 1, null.',
  },
  {
    name: 'invalid-message-chinese',
    changes: flagsOverHttpAndMq({ invalidWording: 'chinese' }),
    dimension: 'invalid-message',
    clause: 'HTTP-5',
    allows: 'Any wording around the value, in any language.',
    description: 'INVALID_ARGUMENTS says "无效参数的值：<value as JSON>".',
  },
  {
    name: 'invalid-message-python-repr',
    changes: flagsOverHttpAndMq({ invalidWording: 'python-repr' }),
    dimension: 'invalid-message',
    clause: 'HTTP-5',
    allows: "The document does not pin how the value is written; Python firmware writes None, True, 'true'.",
    description: 'INVALID_ARGUMENTS says "expected a bool, got <Python repr of the value>", naming no parameter.',
  },
  // --- HTTP-9, HTTP-10: several flags, all false -----------------------------------------------------------
  {
    name: 'rejects-several-flags',
    changes: flagsOverHttpAndMq({ severalTrue: 'refused' }),
    dimension: 'several-flags',
    clause: 'HTTP-9',
    allows: '三选一 read as "exactly one of three": INVALID_ARGUMENTS and nothing deleted (HTTP-9, MQ-3).',
    description: 'Two or more true flags are refused with INVALID_ARGUMENTS, over HTTP and MQ, and nothing is deleted.',
  },
  {
    name: 'refuses-all-false',
    changes: flagsOverHttpAndMq({ allFalse: 'INVALID_ARGUMENTS' }),
    dimension: 'all-false',
    clause: 'HTTP-10',
    allows: 'HTTP-10: flags present but all false may be refused with INVALID_ARGUMENTS.',
    description: 'Flags that are all false are refused with INVALID_ARGUMENTS, over HTTP and MQ.',
  },
  {
    name: 'reboots-after-all-false',
    changes: { reboot: { afterNoOpWipe: true } },
    dimension: 'all-false',
    clause: 'HTTP-10',
    allows: 'HTTP-10 decision: whether an accepted no-op request reboots is observed and recorded.',
    description: 'Flags that are all false are answered {"result":true} (or its MQ reply), then the device reboots.',
  },
  {
    name: 'all-false-missing-arguments',
    changes: flagsOverHttpAndMq({ allFalse: 'MISSING_ARGUMENTS' }),
    dimension: 'all-false',
    clause: 'HTTP-10',
    allows:
      'HTTP-10 decision: a flag at its documented default (false) may count as not given (必选，三选一), as in HTTP-4.',
    description: 'Flags that are all false are refused with MISSING_ARGUMENTS naming the flags, over HTTP and MQ.',
  },
  // --- HTTP-16, HTTP-17: unknown fields, other methods -----------------------------------------------------
  {
    name: 'unknown-fields-refused',
    changes: { httpFlags: { unknownFields: 'refused' } },
    dimension: 'unknown-fields',
    clause: 'HTTP-16',
    allows: 'HTTP-16 is a SHOULD: refusing unknown fields is a deviation, not a defect.',
    description: 'A wipedata body with any key besides users, events, all is refused with INVALID_ARGUMENTS naming it.',
    departs: [
      'http.wipedata.arguments.missing-capitalised-users',
      'http.wipedata.arguments.missing-typo-user',
      'http.wipedata.extra-fields.unknown-beside-users',
    ],
  },
  {
    name: 'other-methods-bare-405',
    changes: { requests: { otherMethods: 'bare-405' } },
    dimension: 'other-methods',
    clause: 'HTTP-17',
    allows: 'HTTP-17 asks only that nothing happens and that a non-200 status answers.',
    description: 'GET, PUT and DELETE on the wipe path get a bare 405 with an Allow header and no body.',
  },
  {
    name: 'get-answers-200',
    changes: { requests: { otherMethods: 'get-usage-200' } },
    dimension: 'other-methods',
    clause: 'HTTP-17',
    allows: 'HTTP-17: an error answer is a SHOULD; what matters (MUST) is that nothing is deleted.',
    description: 'GET on the wipe path answers 200 with a usage note; nothing happens.',
    departs: ['http.wipedata.method.get'],
  },
  // --- HTTP-14: statuses ----------------------------------------------------------------------------------
  {
    name: 'client-errors-422',
    changes: { answers: { clientErrorStatus: 422 } },
    dimension: 'client-error-status',
    clause: 'HTTP-14',
    allows: 'HTTP-14: the status of a client error SHOULD be 4xx; which 4xx is not documented.',
    description: 'Every client error of wipedata is answered with status 422.',
  },
  {
    name: 'client-errors-400',
    changes: { answers: { clientErrorStatus: 400 } },
    dimension: 'client-error-status',
    clause: 'HTTP-14',
    allows: 'HTTP-14: any 4xx; a firmware with one client-error status uses 400 for all of them.',
    description: 'Every client error of wipedata is answered with status 400, the unsupported content type too.',
  },
  // --- HTTP-12, HTTP-13, design §5: timing ----------------------------------------------------------------
  {
    name: 'slow-sync-wipe',
    changes: { slow: { wipe: true } },
    dimension: 'wipe-duration',
    clause: 'HTTP-12',
    allows: '此API调用为同步调用: the answer comes once the data is gone, which on a full face library takes long.',
    description: 'A wipe takes its time (2.5 s by default) before it is answered, over HTTP and MQ.',
  },
  {
    name: 'slow-shutdown',
    changes: { slow: { shutdown: true } },
    dimension: 'shutdown',
    clause: 'HTTP-13',
    allows: 'The document gives no time to go down; the checker gives it the configured down window.',
    description: 'After a wipe is answered the device takes a while (0.8 s by default) to go down.',
  },
  {
    name: 'long-init',
    changes: { slow: { init: true } },
    dimension: 'init',
    clause: 'HTTP-13',
    allows: 'The API documents: while starting, getmediadevices answers DEVICE_INIT_ERROR (not ready yet).',
    description: 'After each boot getmediadevices answers DEVICE_INIT_ERROR for a while (1 s by default).',
  },
  {
    name: 'slow-boot',
    changes: { slow: { boot: true } },
    dimension: 'boot',
    clause: 'HTTP-13',
    allows: 'A reboot takes as long as the hardware needs, within the configured up window.',
    description: 'A reboot keeps the device down longer (1.5 s by default).',
  },
  // --- design §5, sophon-api.md: the system port ----------------------------------------------------------
  {
    name: 'uptime-clock-format',
    changes: { system: { uptime: 'clock' } },
    dimension: 'uptime',
    clause: 'HTTP-13',
    allows: 'The API documents give one example of getuptime, not a format; `uptime` prints days and a clock.',
    description: 'getuptime answers {"uptime":"up 0 days, 0:03"} (days and h:mm), without uptime_ms.',
  },
  {
    name: 'uptime-seconds-number',
    changes: { system: { uptime: 'seconds' } },
    dimension: 'uptime',
    clause: 'HTTP-13',
    allows: 'A boot identity is optional; /proc/uptime style seconds are a plausible answer.',
    description: 'getuptime answers {"uptime": <seconds since boot, a number>}.',
  },
  {
    name: 'uptime-vendor-format-only',
    changes: { system: { uptime: 'vendor-only' } },
    dimension: 'uptime',
    clause: 'HTTP-13',
    allows: 'The API documents\' own example: "3 hours, 57 minutes", minute resolution and nothing more.',
    description: 'getuptime answers only the vendor text ("0 hours, 0 minutes"), without uptime_ms.',
  },
  {
    name: 'no-system-port',
    changes: { system: { port: 'none' } },
    dimension: 'uptime',
    clause: 'HTTP-13',
    allows: 'getuptime is used where the device has it; the system port is not part of wipedata.',
    description: 'The device has no system port at all: nothing listens there.',
  },
  // --- sophon-api.md: the management calls the state adapter uses ------------------------------------------
  {
    name: 'getconfigs-many-keys',
    changes: { management: { getconfigs: 'every-setting' } },
    dimension: 'configs',
    clause: 'HTTP-8',
    allows: 'getconfigs returns every configuration of the device (配置查询), far more than the six a test changes.',
    description: "getconfigs {} also answers the device's other settings (GATE_WORK_MODE, ALG_*, MQ_LOGIN_URL, …).",
  },
  {
    name: 'pages-capped-at-one',
    changes: { management: { pageLimit: 'one' } },
    dimension: 'paging',
    clause: 'HTTP-6',
    allows: 'page_limit is a request; nothing forbids a device from serving fewer items per page.',
    description: 'getidentities and getpermissions serve at most one item per page, whatever page_limit asks.',
  },
  // --- HTTP-7: recognition goes on after an events wipe ------------------------------------------------------
  {
    name: 'records-keep-coming',
    changes: { management: { recognition: 'keeps-recording' } },
    dimension: 'recognition',
    clause: 'HTTP-7',
    allows:
      'events:true deletes the historical records (删除全部历史识别记录) and keeps the input devices; a looping video or a camera facing someone goes on being recognised, and what it records after the wipe is new history.',
    description:
      'File and rtsp inputs keep recognising: every 300 ms each records one enrolled identity, up to 100 records held.',
  },
  // --- MQ-2, MQ-3, MQ-4: replies --------------------------------------------------------------------------
  {
    name: 'mq-ignores-unknown-commands',
    changes: { mq: { unknownCommands: 'dropped' } },
    dimension: 'mq-unknown-commands',
    clause: 'MQ-2',
    allows: 'MQ-2 decision: deleting nothing is the MUST; the failure reply is a SHOULD.',
    description: 'A message without message_key, or with another key, is acknowledged and dropped without a reply.',
    departs: [
      'amqp.wipedata.message-key.missing',
      'amqp.wipedata.message-key.unknown',
      'amqp.wipedata.message-key.wrong-case',
    ],
  },
  {
    name: 'mq-family-codes',
    changes: { mq: { failureCodes: 'family-status-codes' } },
    dimension: 'mq-failure-codes',
    clause: 'MQ-3',
    allows: 'MQ-3: failure codes are undocumented; the MQ status codes of V6R2C01 (状态码详细说明) are a reading.',
    description: 'MQ failures carry PARAM_ERROR, and BOOLEAN_ARGUMENT_ERROR for a flag that is not a boolean.',
  },
  {
    name: 'mq-ext-data-content',
    changes: { mq: { extData: 'wipe-details' } },
    dimension: 'mq-ext-data',
    clause: 'MQ-4',
    allows: 'ext_data is "MQ命令执行扩展返回结果", extended results: any object.',
    description: 'ext_data of a reply carries what was wiped and how long it took.',
  },
  {
    name: 'mq-reply-extra-fields',
    changes: { mq: { replyExtraFields: true } },
    dimension: 'mq-reply-fields',
    clause: 'MQ-4',
    allows: 'The reply table lists the fields a reply has, not a closed set.',
    description: 'Replies also carry dev_sno and timestamp at the top level.',
  },
  {
    name: 'license-key-serial-style',
    changes: { mq: { licenseKeyStyle: 'serial' } },
    dimension: 'license-key',
    clause: 'MQ-4',
    allows:
      'mq_license_key is 授权码, a non-empty string; the family\'s examples look like "BIWPEZ000120190816123727".',
    description: 'The device\'s mq_license_key is an upper-case serial such as "BIWPEZ000120190816123727".',
  },
  // --- MQ-5, MQ-6, MQ-7: where and how replies travel -----------------------------------------------------
  {
    name: 'callback-charset',
    changes: { mq: { callbackContentType: 'application/json; charset=utf-8' } },
    dimension: 'callback-content-type',
    clause: 'MQ-6',
    allows: 'The callback is POSTed as JSON; a charset parameter on application/json is ordinary HTTP.',
    description: 'notify_path callbacks are sent with "Content-Type: application/json; charset=utf-8".',
  },
  {
    name: 'mq-message-id-top-level-only',
    changes: { mq: { messageIdInBody: 'top-level' } },
    dimension: 'mq-message-id',
    clause: 'MQ-7',
    allows: 'MQ-7: the message_id is echoed at the top level or in ext_data.',
    description: 'Replies echo message_id at the top level only (ext_data stays empty).',
  },
  {
    name: 'mq-message-id-in-ext-data-only',
    changes: { mq: { messageIdInBody: 'ext-data' } },
    dimension: 'mq-message-id',
    clause: 'MQ-7',
    allows: 'MQ-7: the message_id is echoed at the top level or in ext_data.',
    description: 'Replies echo message_id inside ext_data only.',
  },
  {
    name: 'mq-message-id-as-correlation-id',
    changes: { mq: { messageIdInBody: 'none', messageIdAsCorrelationId: true } },
    dimension: 'mq-message-id',
    clause: 'MQ-7',
    allows: 'MQ-7 decision: the AMQP correlation_id property carries the message_id as well as a body field.',
    description: 'Up-queue replies carry the message_id only as their AMQP correlation_id; the body has none.',
  },
  {
    name: 'mq-no-correlation-id',
    changes: { mq: { copiesCorrelationId: false } },
    dimension: 'mq-correlation',
    clause: 'MQ-7',
    allows: 'The API documents name no AMQP property; copying correlation_id is a courtesy.',
    description: "Replies never copy the command's AMQP correlation_id.",
  },
  {
    name: 'mq-reply-bare-properties',
    changes: { mq: { replyProperties: 'bare' } },
    dimension: 'mq-reply-properties',
    clause: 'MQ-5',
    allows: 'The API documents name no AMQP property for replies.',
    description: 'Up-queue replies are published without content type and not persistent.',
  },
  {
    name: 'mq-up-queue-not-declared',
    changes: { mq: { upQueue: 'not-declared' } },
    dimension: 'up-queue',
    clause: 'MQ-1',
    allows: "The up queue is the platform's (mq_up_queue from the login answer); a device may expect it to exist.",
    description: 'The device never declares the up queue; it publishes to the one that exists.',
  },
  {
    name: 'mq-up-queue-with-ttl',
    changes: { mq: { upQueue: 'declared-with-ttl' } },
    dimension: 'up-queue',
    clause: 'MQ-1',
    allows: 'Queue arguments are not documented; a message TTL on the up queue is a common broker policy.',
    description: 'The device declares the up queue with an x-message-ttl argument.',
  },
  // --- MQ-8, MQ-9, MQ-10, MQ-11 ---------------------------------------------------------------------------
  {
    name: 'mq-duplicate-silent',
    changes: { mq: { duplicateReply: 'none' } },
    dimension: 'mq-duplicates',
    clause: 'MQ-8',
    allows: 'MQ-8 asks that a duplicate is executed once; what it answers the second time is not documented.',
    description: 'A command whose message_id was already executed is acknowledged without a reply.',
  },
  {
    name: 'mq-poison-dropped-silently',
    changes: { mq: { poison: 'dropped' } },
    dimension: 'mq-poison',
    clause: 'MQ-9',
    allows: 'MQ-9 asks only that the consumer survives; a message that is not a command gets nothing documented.',
    description:
      'A message that is not JSON or not an object is acknowledged and dropped: no reply, no dead-lettering.',
  },
  {
    name: 'mq-wipe-no-reboot',
    changes: { reboot: { afterMqWipe: false } },
    dimension: 'mq-reboot',
    clause: 'MQ-10',
    allows: 'MQ-10 decision: the MQ page does not say whether an MQ wipe reboots the device; both are accepted.',
    description: 'A wipe over MQ does not reboot the device (an HTTP wipe still does).',
  },
  {
    name: 'mq-consumer-late',
    changes: { slow: { consumerStart: true } },
    dimension: 'mq-consumer-start',
    clause: 'MQ-10',
    allows:
      'The MQ documents: the device first logs in at MQ_LOGIN_URL for its broker settings, then connects; MQ-10 asks that the consumer is back, not when.',
    description:
      'After each reboot the MQ consumer starts a while (2.5 s by default) after the API is ready, as a device logging in first.',
  },
  {
    name: 'mq-callback-retries',
    changes: { mq: { callbackTries: 3 } },
    dimension: 'mq-callback-failure',
    clause: 'MQ-11',
    allows: 'MQ-11 asks that an unreachable notify_path does not stop the consumer; retrying a while does not.',
    description: 'An unreachable notify_path is tried three times, 300 ms apart, before the reply is dropped.',
  },
  // --- MQ-1: where the channel comes from ----------------------------------------------------------------
  {
    // An alternative to mq-consumer-late (each boot's consumer starts once the login is through), and so not in
    // COMBINED_VARIANTS: the matrices run it alone, with the run playing the login endpoint (--platform-login).
    name: 'platform-login-strict',
    // Its behaviour is the login itself: a login URL switches it on and hands the consumer its broker (start-device.ts).
    changes: {},
    dimension: 'mq-consumer-start',
    clause: 'MQ-1',
    allows:
      'V6R2C01 MQ section 4 (管理平台系统登录接口): the device gets its broker, queues and exchange from the platform login, every 必选 field of the answer required.',
    description:
      'At every boot the device logs in at its login URL (GET ?mq_license_key=&device_sn=), refuses an answer missing or mistyping a 必选 field or with mq_login_status not 0 (trying again every second), then consumes the handed mq_down_queue and replies on mq_up_queue.',
  },
  // --- HTTP-5, MQ-3: a flag sent as null (issue 20) ----------------------------------------------------------
  {
    name: 'null-flag-not-given',
    changes: flagsOverHttpAndMq({ nullFlag: 'not-given' }),
    dimension: 'null-flag',
    clause: 'HTTP-5',
    allows:
      "The face API's general convention (V6R2C01 接口API详细说明, 通用约定): \"''不为空，None才为空\" — only null is empty, so a flag sent as null may be read as not given (HTTP-5 decision, MQ-3).",
    description:
      'A flag sent as null counts as not given, over HTTP and MQ: {"users":null} is refused with MISSING_ARGUMENTS as {} is.',
  },
  // --- HTTP-3: a JSON body that is not an object (issue 20's audit) ---------------------------------------------
  {
    name: 'non-object-invalid-arguments',
    changes: { wipe: { nonObject: 'INVALID_ARGUMENTS' } },
    dimension: 'non-object-body',
    clause: 'HTTP-3',
    allows:
      'JSON that is not an object fits 无效的JSON数据请求 (INVALID_REQUEST_JSON) and 无效的参数 (INVALID_ARGUMENTS) alike; no sentence picks one (HTTP-3 decision): a SHOULD deviation.',
    description:
      'A JSON body that is not an object (array, string, number, true, null) is refused with INVALID_ARGUMENTS.',
    departs: [
      'http.wipedata.body.array',
      'http.wipedata.body.boolean',
      'http.wipedata.body.null',
      'http.wipedata.body.number',
      'http.wipedata.body.string',
    ],
  },
  {
    name: 'null-body-empty-request-json',
    changes: { wipe: { nullBody: 'EMPTY_REQUEST_JSON' } },
    dimension: 'non-object-body',
    clause: 'HTTP-3',
    allows:
      '通用约定 (V6R2C01): "\'\'不为空，None才为空": a null body is the empty value, a blank request (EMPTY_REQUEST_JSON, 空白的JSON数据请求, ErrorManager): a SHOULD deviation.',
    description: 'The body null is refused with EMPTY_REQUEST_JSON instead of INVALID_REQUEST_JSON.',
    departs: ['http.wipedata.body.null'],
  },
] as const satisfies readonly VariantInfo[];

/** The name of a known variant: a typo does not compile. */
export type VariantName = (typeof KNOWN_VARIANTS)[number]['name'];

/** All compatible variants together: the first variant of each dimension. */
export const COMBINED_VARIANTS: readonly VariantName[] = (() => {
  const seen = new Set<string>();
  const chosen: VariantName[] = [];
  for (const variant of KNOWN_VARIANTS) {
    if (seen.has(variant.dimension)) continue;
    seen.add(variant.dimension);
    chosen.push(variant.name);
  }
  return chosen;
})();

/** How long the timing variants take, in ms; a matrix may shorten them in combination. */
export interface VariantTiming {
  /** slow-sync-wipe: how long a wipe takes before it is answered. */
  wipeMs: number;
  /** slow-shutdown: from the answer to going down. */
  shutdownMs: number;
  /** long-init: how long getmediadevices answers DEVICE_INIT_ERROR after a boot. */
  initMs: number;
  /** slow-boot: how long a reboot keeps the device down. */
  bootMs: number;
  /** mq-consumer-late: from the API being ready after a reboot to the MQ consumer starting. */
  consumerLateMs: number;
}

// Long enough to cross the variant matrix's 2 s request timeout and reply window (a wipe must get the wipe
// window; an MQ command published before the consumer is back must be waited for, not judged late) and many
// times the default device's, short enough that a suite of 30 reboots stays within CI time.
export const DEFAULT_VARIANT_TIMING: Readonly<VariantTiming> = {
  wipeMs: 2_500,
  shutdownMs: 800,
  initMs: 1_000,
  bootMs: 1_500,
  consumerLateMs: 2_500,
};

const KNOWN_NAMES: ReadonlyMap<string, (typeof KNOWN_VARIANTS)[number]> = new Map(
  KNOWN_VARIANTS.map((variant) => [variant.name, variant]),
);

/** The variants switched on for one device. */
export class Variants {
  private readonly active: ReadonlySet<VariantName>;

  private constructor(active: ReadonlySet<VariantName>) {
    this.active = active;
  }

  /**
   * Validates the names: an unknown one throws, listing the known ones; two of one dimension throw (they are
   * alternatives, the device cannot do both).
   */
  static parse(names: readonly string[]): Variants {
    const unknown = names.filter((name) => !KNOWN_NAMES.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `unknown variant${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; known variants: ${[...KNOWN_NAMES.keys()].join(', ')}`,
      );
    }
    const byDimension = new Map<string, string>();
    for (const name of new Set(names)) {
      const dimension = KNOWN_NAMES.get(name)?.dimension ?? '';
      const other = byDimension.get(dimension);
      if (other) {
        throw new Error(`variants "${other}" and "${name}" are alternatives (${dimension}): choose one`);
      }
      byDimension.set(dimension, name);
    }
    return new Variants(new Set(names as readonly VariantName[]));
  }

  /** `behaviour` with every active variant's changes on top. */
  applyTo(behaviour: DeviceBehaviour): DeviceBehaviour {
    return KNOWN_VARIANTS.filter((variant) => this.active.has(variant.name)).reduce(
      (next, variant) => withChanges(next, variant.changes),
      behaviour,
    );
  }

  list(): VariantName[] {
    return [...this.active];
  }
}
