import { ConformanceError } from '../src/errors/conformance-error.ts';
import type { Profile } from '../src/results/types.ts';
import type { AmqpSettings } from '../src/run/execute-run.ts';
import { redactUrl } from '../src/transports/amqp-transport.ts';
import { POLICY_FLAGS } from './policy-options.ts';

/** The flags of `run` (design §7), parsed and checked: bad values are exit 2 with the reason. */
export const RUN_FLAGS = {
  target: { type: 'string' },
  'system-port': { type: 'string' },
  amqp: { type: 'string' },
  'command-queue': { type: 'string' },
  'up-queue': { type: 'string' },
  'reply-within': { type: 'string' },
  license: { type: 'string' },
  'callback-host': { type: 'string' },
  'callback-listen': { type: 'string' },
  'callback-port': { type: 'string' },
  'platform-login': { type: 'string' },
  suite: { type: 'string' },
  only: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  profile: { type: 'string' },
  'state-adapter': { type: 'string' },
  'down-within': { type: 'string' },
  'up-within': { type: 'string' },
  'quiet-ms': { type: 'string' },
  'probe-ms': { type: 'string' },
  timeout: { type: 'string' },
  'wipe-within': { type: 'string' },
  concurrency: { type: 'string' },
  'record-source': { type: 'string' },
  out: { type: 'string' },
  reporter: { type: 'string' },
  specs: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  quiet: { type: 'boolean' },
  resume: { type: 'string' },
  'rerun-failed': { type: 'string' },
  ledger: { type: 'string' },
  'no-ledger': { type: 'boolean' },
  ...POLICY_FLAGS,
} as const;

export const KNOWN_REPORTERS = ['console', 'json', 'junit', 'html'];

/** Parses a non-negative integer flag; `undefined` when absent. */
export function intFlag(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new ConformanceError('CONFIG_INVALID', `--${name} ${value}: want a whole number ≥ ${min}`);
  }
  return n;
}

/** Parses a port flag: a whole number from 0 to 65535, as the config file's ports; `undefined` when absent. */
export function portFlag(name: string, value: string | undefined): number | undefined {
  const n = intFlag(name, value);
  if (n !== undefined && n > 65535) {
    throw new ConformanceError('CONFIG_INVALID', `--${name} ${value}: want a port from 0 to 65535`);
  }
  return n;
}

/** Checks a device's API address (an http:// URL, the only kind a run supports) before anything runs. */
export function targetFlag(value: string, where?: string): string {
  const named = `${where ? `${where}: target` : '--target'} ${value}`;
  if (!URL.canParse(value)) {
    throw new ConformanceError('CONFIG_INVALID', `${named} is not a URL (want e.g. http://192.168.1.20:5555)`);
  }
  // A URL of another scheme (https://, ftp://) is a URL all the same: say what is wrong with it.
  if (new URL(value).protocol !== 'http:') {
    throw new ConformanceError('CONFIG_INVALID', `${named}: only http:// targets are supported`);
  }
  return value;
}

export function profileFlag(value: string | undefined): Profile {
  if (value === undefined || value === 'strict') return 'strict';
  if (value === 'lenient') return 'lenient';
  throw new ConformanceError('CONFIG_INVALID', `--profile ${value}: want strict or lenient`);
}

/** Splits `--reporter a,b` and `--only x --only y,z` into lists. */
export function listFlag(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v: string) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function reportersFlag(value: string | undefined, available: readonly string[]): string[] {
  const chosen = value === undefined ? [...available] : listFlag(value);
  const unknown = chosen.filter((r) => !available.includes(r));
  if (unknown.length) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--reporter ${unknown.join(',')}: known reporters are ${available.join(', ')}`,
    );
  }
  return chosen;
}

/** The MQ flags: defaults follow sophon-api.md (command queue `queue-dev-<key>`, up queue `upload-queue`). */
export function amqpFlags(values: {
  amqp?: string | undefined;
  'command-queue'?: string | undefined;
  'up-queue'?: string | undefined;
  'reply-within'?: string | undefined;
  license?: string | undefined;
  'callback-host'?: string | undefined;
  'callback-listen'?: string | undefined;
  'callback-port'?: string | undefined;
  'platform-login'?: string | undefined;
}): AmqpSettings | undefined {
  if (values.amqp === undefined) {
    const stray = (['command-queue', 'up-queue', 'reply-within', 'callback-host', 'platform-login'] as const).find(
      (f) => values[f] !== undefined,
    );
    if (stray) throw new ConformanceError('CONFIG_INVALID', `--${stray} needs --amqp URL`);
    return undefined;
  }
  if (!/^amqps?:\/\//.test(values.amqp)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--amqp ${redactUrl(values.amqp)}: want amqp://user:pass@host:5672/vhost`,
    );
  }
  const commandQueue = values['command-queue'] ?? (values.license ? `queue-dev-${values.license}` : undefined);
  if (!commandQueue) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      '--amqp needs --command-queue Q (or --license KEY for the default queue-dev-KEY)',
    );
  }
  const callbackPort = portFlag('callback-port', values['callback-port']);
  const platformLogin = loginPathFlag(values['platform-login']);
  return {
    url: values.amqp,
    commandQueue,
    upQueue: values['up-queue'] ?? 'upload-queue',
    replyWithinMs: intFlag('reply-within', values['reply-within'], 1) ?? 10_000,
    licenseKey: values.license,
    callback: {
      ...(values['callback-listen'] ? { listenHost: values['callback-listen'] } : {}),
      ...(values['callback-host'] ? { advertisedHost: values['callback-host'] } : {}),
      ...(callbackPort !== undefined ? { port: callbackPort } : {}),
    },
    ...(platformLogin ? { platformLogin } : {}),
  };
}

/** `--platform-login PATH`: a path of its own on the callback receiver (not `/`, not under /callback/). */
export function loginPathFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const path = value.replace(/\/+$/, '');
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]+$/.test(path) || path === '/callback' || path.startsWith('/callback/')) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--platform-login ${value}: want a path such as /api/device/login (no query, not / or under /callback/)`,
    );
  }
  return path;
}
