/**
 * Every setting of a run, declared once: its flag, environment variable, config-file key, default, parser,
 * unit, help and documentation line. `run --help`, the config file's schema and template, and the CLI
 * reference page (docs/cli.md) are generated from this table (settings-docs.ts), and `buildRunSettings`
 * (build-run-settings.ts) is the one place a run's defaults are applied. A new setting is one entry here and
 * the code that uses it.
 */

/** How a setting's text is parsed (parse-setting.ts): each kind has one parser and one schema. */
export type SettingKind =
  | 'http-url'
  | 'amqp-url'
  | 'port'
  | 'int'
  | 'string'
  | 'list'
  | 'path'
  | 'name-or-path'
  | 'profile'
  | 'reporters'
  | 'login-path'
  /** A file (relative to a config file) or a URL such as postgres://…, or `off`. */
  | 'path-or-url';

/** Where a setting shows in `run --help` and the reference page. */
export type SettingGroup = 'device' | 'selection' | 'windows' | 'mq' | 'evidence' | 'output' | 'policy';

/** One setting of `run`. */
export interface SettingDeclaration {
  /** The command-line flag, without `--`. */
  flag: string;
  /** The SOPHON_* environment variable; absent for a setting only a flag gives. */
  env?: string;
  /** Its place in the config file; absent for a setting only a flag (or variable) gives. */
  key?: readonly [string] | readonly [string, string];
  kind: SettingKind;
  /** The default, in the setting's own type; absent: no default (required, or derived, as `help` says). */
  default?: string | number | readonly string[];
  /** Smallest accepted value of a number. */
  min?: number;
  /** The unit of a number, for the help and the reference page. */
  unit?: 'ms' | 'cases' | 'times';
  /** The flag may be given several times (a list). */
  multiple?: boolean;
  /** It means something only with a broker (--amqp): from a file or the environment it waits for one. */
  mqOnly?: boolean;
  /** What stands for the value in the help, e.g. `MS`, `URL`. */
  value: string;
  group: SettingGroup;
  /** `run --help`: first line, then continuation lines. `(default …)` is appended from `default`. */
  help: readonly string[];
  /** What the default means when it is not a plain value (e.g. "a free one"). */
  defaultText?: string;
}

/** The reports a run can write. */
export const KNOWN_REPORTERS = ['console', 'json', 'junit', 'html'] as const;

/**
 * Default windows, in milliseconds. Real hardware sets them: reboots take 30–60 s, and a wipe on a full device
 * answers only once the data is gone (design §5).
 */
export const RUN_SETTINGS = [
  {
    flag: 'target',
    env: 'SOPHON_TARGET',
    key: ['target'],
    kind: 'http-url',
    value: 'URL',
    group: 'device',
    help: [
      "the device's API (port 5555 by default on a device)",
      'repeat it (URL[,system=N][,name=NAME][,FLAG=VALUE]) or use --lab FILE to check',
      'several devices at once: <out>/<name>/ each, <out>/lab-summary.json, worst exit',
    ],
  },
  {
    flag: 'system-port',
    env: 'SOPHON_SYSTEM_PORT',
    key: ['systemPort'],
    kind: 'port',
    default: 8888,
    value: 'N',
    group: 'device',
    help: ["the device's system API port (getuptime, getsoftwareversion); 0 = none"],
  },
  {
    flag: 'suite',
    env: 'SOPHON_SUITE',
    key: ['suite'],
    kind: 'name-or-path',
    default: 'certification',
    value: 'NAME|FILE',
    group: 'selection',
    help: ['suite to run: certification, smoke, http, amqp, or a suite file'],
  },
  {
    flag: 'only',
    kind: 'list',
    multiple: true,
    value: 'ID-GLOB',
    group: 'selection',
    help: ['only these cases (glob over dotted ids, or an id prefix); repeatable'],
  },
  {
    flag: 'tag',
    kind: 'list',
    multiple: true,
    value: 'T',
    group: 'selection',
    help: ['only cases with this tag; repeatable'],
  },
  {
    flag: 'profile',
    env: 'SOPHON_PROFILE',
    key: ['profile'],
    kind: 'profile',
    default: 'strict',
    value: 'strict|lenient',
    group: 'selection',
    help: ["strict: the clauses to the letter; lenient: the documents' own inconsistencies warn"],
  },
  {
    flag: 'state-adapter',
    env: 'SOPHON_STATE_ADAPTER',
    key: ['stateAdapter'],
    kind: 'name-or-path',
    default: 'sophon-http',
    value: 'NAME|PATH',
    group: 'selection',
    help: ['sophon-http, none, or a module exporting createStateAdapter'],
  },
  {
    flag: 'down-within',
    env: 'SOPHON_DOWN_WITHIN',
    key: ['windows', 'downWithin'],
    kind: 'int',
    min: 1,
    unit: 'ms',
    default: 30_000,
    value: 'MS',
    group: 'windows',
    help: ['a wiped device must go down within this'],
  },
  {
    flag: 'up-within',
    env: 'SOPHON_UP_WITHIN',
    key: ['windows', 'upWithin'],
    kind: 'int',
    min: 1,
    unit: 'ms',
    default: 180_000,
    value: 'MS',
    group: 'windows',
    help: ['... and be ready again within this after going down'],
  },
  {
    flag: 'quiet-ms',
    env: 'SOPHON_QUIET_MS',
    key: ['windows', 'quiet'],
    kind: 'int',
    min: 0,
    unit: 'ms',
    default: 5_000,
    value: 'MS',
    group: 'windows',
    help: ['how long a device that must stay up is watched (at most --down-within)'],
  },
  {
    flag: 'probe-ms',
    env: 'SOPHON_PROBE_MS',
    key: ['windows', 'probe'],
    kind: 'int',
    min: 1,
    unit: 'ms',
    default: 20,
    value: 'MS',
    group: 'windows',
    help: ['reboot probe interval'],
  },
  {
    flag: 'timeout',
    env: 'SOPHON_TIMEOUT',
    key: ['windows', 'timeout'],
    kind: 'int',
    min: 100,
    unit: 'ms',
    default: 10_000,
    value: 'MS',
    group: 'windows',
    help: ['per-request timeout'],
  },
  {
    flag: 'wipe-within',
    env: 'SOPHON_WIPE_WITHIN',
    key: ['windows', 'wipeWithin'],
    kind: 'int',
    min: 100,
    unit: 'ms',
    default: 180_000,
    value: 'MS',
    group: 'windows',
    help: [
      'how long a wipe may take to be answered (HTTP) or replied to (MQ): the answer waits',
      'for the data to be deleted, tens of seconds on a full device',
    ],
  },
  {
    flag: 'concurrency',
    env: 'SOPHON_CONCURRENCY',
    key: ['concurrency'],
    kind: 'int',
    min: 1,
    unit: 'cases',
    default: 4,
    value: 'N',
    group: 'windows',
    help: ['cases that leave the device alone in flight together (1 = every case alone)'],
  },
  {
    flag: 'amqp',
    env: 'SOPHON_AMQP_URL',
    key: ['amqp', 'url'],
    kind: 'amqp-url',
    value: 'URL',
    group: 'mq',
    help: ["the broker of the device's MQ channel (amqp://user:pass@host:5672/vhost)"],
  },
  {
    flag: 'command-queue',
    env: 'SOPHON_COMMAND_QUEUE',
    key: ['amqp', 'commandQueue'],
    kind: 'string',
    mqOnly: true,
    value: 'Q',
    group: 'mq',
    defaultText: 'queue-dev-<license>',
    help: ["the device's command queue"],
  },
  {
    flag: 'up-queue',
    env: 'SOPHON_UP_QUEUE',
    key: ['amqp', 'upQueue'],
    kind: 'string',
    mqOnly: true,
    default: 'upload-queue',
    value: 'Q',
    group: 'mq',
    help: ['where the device publishes replies (use one no one else reads)'],
  },
  {
    flag: 'license',
    env: 'SOPHON_LICENSE',
    key: ['amqp', 'license'],
    kind: 'string',
    mqOnly: true,
    value: 'KEY',
    group: 'mq',
    help: ["the device's mq_license_key, when known (replies must carry it)"],
  },
  {
    flag: 'reply-within',
    env: 'SOPHON_REPLY_WITHIN',
    key: ['windows', 'replyWithin'],
    kind: 'int',
    min: 1,
    unit: 'ms',
    mqOnly: true,
    default: 10_000,
    value: 'MS',
    group: 'mq',
    help: ['how long an MQ reply may take'],
  },
  {
    flag: 'callback-host',
    env: 'SOPHON_CALLBACK_HOST',
    key: ['callback', 'host'],
    kind: 'string',
    mqOnly: true,
    value: 'HOST',
    group: 'mq',
    help: ['the address a device on another machine reaches our notify_path receiver at'],
  },
  {
    flag: 'callback-listen',
    env: 'SOPHON_CALLBACK_LISTEN',
    key: ['callback', 'listen'],
    kind: 'string',
    mqOnly: true,
    value: 'HOST',
    group: 'mq',
    defaultText: '127.0.0.1',
    help: ['interface the receiver listens on'],
  },
  {
    flag: 'callback-port',
    env: 'SOPHON_CALLBACK_PORT',
    key: ['callback', 'port'],
    kind: 'port',
    mqOnly: true,
    value: 'N',
    group: 'mq',
    defaultText: 'a free one',
    help: ['its port'],
  },
  {
    flag: 'platform-login',
    env: 'SOPHON_PLATFORM_LOGIN',
    key: ['callback', 'platformLogin'],
    kind: 'login-path',
    mqOnly: true,
    value: 'PATH',
    group: 'mq',
    help: [
      "the receiver also plays the management platform's login endpoint at PATH",
      "(e.g. /api/device/login) as the vendor's login page documents it: a device whose",
      "MQ_LOGIN_URL points there is handed the run's broker, queues and exchange-dev-<license>;",
      'the run waits up to --up-within for it to log in and consume its command queue;',
      'every login is in report.json',
    ],
  },
  {
    flag: 'record-source',
    env: 'SOPHON_RECORD_SOURCE',
    key: ['recordSource'],
    kind: 'string',
    value: 'URL',
    group: 'evidence',
    help: ['face video/photo the device can play to produce recognition records'],
  },
  {
    flag: 'out',
    env: 'SOPHON_OUT',
    key: ['out'],
    kind: 'path',
    value: 'DIR',
    group: 'output',
    defaultText: 'reports/out/<run>',
    help: ['where reports go'],
  },
  {
    flag: 'reporter',
    env: 'SOPHON_REPORTERS',
    key: ['reporters'],
    kind: 'reporters',
    default: KNOWN_REPORTERS,
    value: 'LIST',
    group: 'output',
    defaultText: 'all',
    help: ['console,json,junit,html'],
  },
  {
    flag: 'specs',
    env: 'SOPHON_SPECS',
    key: ['specs'],
    kind: 'path',
    value: 'DIR',
    group: 'output',
    defaultText: "the tool's own",
    help: ['folder holding specs/ and suites/'],
  },
  {
    flag: 'ledger',
    env: 'SOPHON_LEDGER',
    key: ['ledger'],
    kind: 'path-or-url',
    value: 'PATH|URL',
    group: 'output',
    defaultText: 'reports/ledger/ledger.sqlite',
    help: [
      'record the run into this results ledger (postgres://… for PostgreSQL; off: none; --no-ledger',
      'does the same); see: sophon-conformance ledger --help',
    ],
  },
  {
    flag: 'capabilities',
    env: 'SOPHON_CAPABILITIES',
    key: ['capabilities'],
    kind: 'path',
    value: 'FILE',
    group: 'policy',
    help: [
      'what the target supports (capabilities: [..] or name: true|false); cases needing an',
      'undeclared capability are not-applicable. Without it every capability is assumed',
    ],
  },
  {
    flag: 'waivers',
    env: 'SOPHON_WAIVERS',
    key: ['waivers'],
    kind: 'path',
    value: 'FILE',
    group: 'policy',
    help: [
      'known failures: [{ case: ID-GLOB, reason, expires: YYYY-MM-DD }]; a waived failure',
      'stays visible but does not fail the gate until it expires',
    ],
  },
] as const satisfies readonly SettingDeclaration[];

/** The flag name of a declared setting. */
export type SettingFlag = (typeof RUN_SETTINGS)[number]['flag'];

/** A declared setting by its flag. */
export function settingOf(flag: SettingFlag): SettingDeclaration {
  const found = (RUN_SETTINGS as readonly SettingDeclaration[]).find((s) => s.flag === flag);
  if (!found) throw new Error(`no setting --${flag}`);
  return found;
}

/** A declared setting's default, in its own type. */
export function defaultOf<T extends string | number | readonly string[]>(flag: SettingFlag): T {
  const value = settingOf(flag).default;
  if (value === undefined) throw new Error(`--${flag} has no default`);
  return value as T;
}
