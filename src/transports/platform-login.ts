import { isSecretName, REDACTED, redactDeep } from '../results/redact.ts';
import type { PlatformLoginRecord } from '../results/types.ts';

/** What the login endpoint hands a device: the run's own MQ channel (MQ-1). */
export interface PlatformLoginSettings {
  /** The endpoint's path on the callback receiver, e.g. /api/device/login. */
  path: string;
  /** The run's --amqp URL: host, port, user, password and vhost come from it. */
  brokerUrl: string;
  /** mq_down_queue: the queue the run publishes commands to. */
  commandQueue: string;
  /** mq_up_queue: the queue the run reads replies from. */
  upQueue: string;
  /** When given (--license), a device presenting another key is refused. */
  licenseKey?: string | undefined;
  /** Called after each login has been answered (already redacted). */
  onLogin?: ((login: PlatformLoginRecord) => void) | undefined;
}

/** The request as the receiver saw it. */
export interface LoginRequest {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: Buffer;
  from: string;
}

const BODY_KEPT = 64 * 1024;
// Field names compared lowercase with `_`, `-` and spaces removed: serial_number = serialNumber = serial-number.
const LICENSE_NAMES = ['mqlicensekey', 'licensekey', 'license'];
const SERIAL_NAMES = ['serialnumber', 'sn', 'devicesn', 'serial', 'deviceserial', 'deviceserialnumber', 'serialno'];

/**
 * Plays the management platform's login URL (MQ_LOGIN_URL, sophon-api.md "MQ channel conventions"), so a
 * real device pointed at it is handed the run's broker settings.
 *
 * The documents give the fields, not the envelope, so the endpoint takes the most tolerant reasonable
 * shape (README "Pointing a real device at the checker"): any method; `mq_license_key` and a serial number
 * (`serial_number`, `sn`, `device_sn`, … in any case or separator style) read from the query string, a JSON
 * body or a form-urlencoded body (the body wins over the query; one level of wrapping such as
 * `{"data":{…}}` is looked into). It answers 200
 * `{"result":true,"code":"EXECUTE_SUCCESS","message":…,"mq_server_configs":{…}}` in the platform's
 * `result/code/message` style, and 400 with `result:false` and `MISSING_ARGUMENTS` (no key) or
 * `INVALID_ARGUMENTS` (a key other than --license). A missing serial number is noted, not refused.
 * Every call is recorded, with the broker password as `***`.
 */
export class PlatformLogin {
  readonly path: string;
  readonly logins: PlatformLoginRecord[] = [];

  constructor(private readonly settings: PlatformLoginSettings) {
    this.path = normalizePath(settings.path);
  }

  /** Whether a request URL (path and query) is for this endpoint; a trailing slash is tolerated. */
  matches(url: string): boolean {
    return normalizePath(url.split(/[?#]/, 1)[0] ?? '') === this.path;
  }

  /** Answers one login and records it. */
  handle(request: LoginRequest): { status: number; body: Record<string, unknown> } {
    const text = request.body.toString('utf8');
    const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');
    const params: Record<string, unknown> = { ...Object.fromEntries(query), ...parseBody(text, request.headers) };
    const licenseKey = pick(params, LICENSE_NAMES);
    const serialNumber = pick(params, SERIAL_NAMES);
    const notes: string[] = [];
    let answer: { status: number; body: Record<string, unknown> };
    if (licenseKey === undefined) {
      answer = failure('MISSING_ARGUMENTS', 'mq_license_key is required');
    } else if (this.settings.licenseKey !== undefined && licenseKey !== this.settings.licenseKey) {
      answer = failure('INVALID_ARGUMENTS', `mq_license_key ${licenseKey} is not the one this run checks`);
    } else {
      if (serialNumber === undefined) notes.push('no serial number (serial_number, sn, device_sn) in the request');
      const configs = this.brokerSettings(licenseKey);
      if (isLoopback(String(configs.mq_server_ip)) && !isLoopback(request.from)) {
        notes.push(
          `handed broker host ${configs.mq_server_ip}, a loopback address, to a device at ${request.from}: give --amqp an address the device reaches`,
        );
      }
      answer = {
        status: 200,
        body: {
          result: true,
          code: 'EXECUTE_SUCCESS',
          message: 'login succeeded: MQ settings of the sophon-conformance run',
          mq_server_configs: configs,
        },
      };
    }
    const secrets = secretValues(params);
    // redactDeep hides secret-named headers and URL passwords; the body's own secrets are hidden here.
    const record: PlatformLoginRecord = redactDeep({
      at: new Date().toISOString(),
      from: request.from,
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      body: hide(text.slice(0, BODY_KEPT), secrets),
      params: mask(params),
      ...(licenseKey !== undefined ? { licenseKey } : {}),
      ...(serialNumber !== undefined ? { serialNumber } : {}),
      accepted: answer.status === 200,
      answer: { status: answer.status, body: withoutPassword(answer.body) },
      ...(notes.length ? { notes } : {}),
    });
    this.logins.push(record);
    this.settings.onLogin?.(record);
    return answer;
  }

  /** mq_server_configs from the run's settings (exchange `exchange-dev-<key>`, topic, durable, per sophon-api.md). */
  brokerSettings(licenseKey: string): Record<string, unknown> {
    const url = new URL(this.settings.brokerUrl);
    const vhost = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/';
    return {
      mq_server_ip: url.hostname.replace(/^\[|\]$/g, ''),
      mq_server_port: Number(url.port || (url.protocol === 'amqps:' ? 5671 : 5672)),
      mq_username: decodeURIComponent(url.username || 'guest'),
      mq_password: decodeURIComponent(url.password || 'guest'),
      mq_vhost: vhost,
      mq_exchange: { name: `exchange-dev-${licenseKey}`, type: 'topic', durable: true, auto_delete: false },
      mq_down_queue: this.settings.commandQueue,
      mq_up_queue: this.settings.upQueue,
    };
  }
}

/** A one-line account of a login for the console; never carries the password. */
export function describeLogin(login: PlatformLoginRecord): string {
  const who = `device ${login.licenseKey ?? '(no mq_license_key)'}${login.serialNumber ? ` (sn ${login.serialNumber})` : ''}`;
  const configs = login.answer.body.mq_server_configs as Record<string, unknown> | undefined;
  const notes = login.notes?.length ? `; note: ${login.notes.join('; ')}` : '';
  if (!login.accepted || !configs) {
    return `platform login: ${who} from ${login.from} refused: ${String(login.answer.body.code)} (${String(login.answer.body.message)})${notes}`;
  }
  const exchange = (configs.mq_exchange as { name?: unknown } | undefined)?.name;
  return (
    `platform login: ${who} logged in from ${login.from}: handed broker ${String(configs.mq_server_ip)}:${String(configs.mq_server_port)}` +
    ` vhost ${String(configs.mq_vhost)} user ${String(configs.mq_username)}, queues ${String(configs.mq_down_queue)} (down) /` +
    ` ${String(configs.mq_up_queue)} (up), exchange ${String(exchange)}${notes}`
  );
}

function failure(code: string, message: string): { status: number; body: Record<string, unknown> } {
  return { status: 400, body: { result: false, code, message } };
}

function withoutPassword(body: Record<string, unknown>): Record<string, unknown> {
  const configs = body.mq_server_configs as Record<string, unknown> | undefined;
  return configs ? { ...body, mq_server_configs: { ...configs, mq_password: REDACTED } } : body;
}

function normalizePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

// JSON by content type or by look, then form-urlencoded; anything else gives no parameters.
function parseBody(text: string, headers: Record<string, unknown>): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed) return {};
  const type = String(headers['content-type'] ?? '').toLowerCase();
  if (type.includes('json') || trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return isObject(parsed) ? parsed : {};
    } catch {
      return {};
    }
  }
  if (type.includes('x-www-form-urlencoded') || /^[^=&\s]+=[^\s]*$/.test(trimmed)) {
    return Object.fromEntries(new URLSearchParams(trimmed));
  }
  return {};
}

// A field by any of its names at the top level, else one level down ({"data": {...}}).
function pick(params: Record<string, unknown>, names: readonly string[]): string | undefined {
  const find = (object: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(object)) {
      if (!names.includes(key.toLowerCase().replace(/[-_\s]/g, ''))) continue;
      if (typeof value === 'string' && value.length > 0) return value;
      if (typeof value === 'number') return String(value);
    }
    return undefined;
  };
  const top = find(params);
  if (top !== undefined) return top;
  for (const value of Object.values(params)) {
    if (!isObject(value)) continue;
    const nested = find(value);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

// Values of secret-named fields (a device may send a password of its own), to mask in the raw body.
function secretValues(params: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (object: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(object)) {
      if (isSecretName(key) && (typeof value === 'string' || typeof value === 'number')) {
        if (String(value).length >= 4) found.push(String(value));
      } else if (isObject(value)) walk(value);
    }
  };
  walk(params);
  return found.sort((a, b) => b.length - a.length);
}

// Secret-named fields as `***`, at any depth.
function mask(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => [
      key,
      isSecretName(key) ? REDACTED : isObject(value) ? mask(value) : value,
    ]),
  );
}

function hide(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLoopback(host: string): boolean {
  return /^(127\.|::1$|::ffff:127\.|localhost$)/i.test(host);
}
