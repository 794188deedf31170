import { ConformanceError } from '../errors/conformance-error.ts';
import { redactUrl } from '../results/redact.ts';
import type { Profile } from '../results/types.ts';
import { KNOWN_REPORTERS } from './run-settings-registry.ts';

// The parsers of the settings' kinds (run-settings-registry.ts). Each takes the text as typed (a flag, a
// SOPHON_* variable or a config value in flag form) and throws CONFIG_INVALID naming the flag: exit 2.

/** Parses a whole number ≥ `min`; `undefined` when absent. */
export function intFlag(name: string, value: string | number | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new ConformanceError('CONFIG_INVALID', `--${name} ${value}: want a whole number ≥ ${min}`);
  }
  return n;
}

/** Parses a port: a whole number from 0 to 65535, as the config file's ports; `undefined` when absent. */
export function portFlag(name: string, value: string | number | undefined): number | undefined {
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

/** Checks a broker address: amqp:// or amqps://. The password never reaches the message. */
export function amqpUrlFlag(value: string): string {
  if (!/^amqps?:\/\//.test(value)) {
    throw new ConformanceError('CONFIG_INVALID', `--amqp ${redactUrl(value)}: want amqp://user:pass@host:5672/vhost`);
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

/** `--reporter a,b`: each one a known reporter; absent: all of them. */
export function reportersFlag(
  value: string | readonly string[] | undefined,
  available: readonly string[] = KNOWN_REPORTERS,
): string[] {
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
