import { randomBytes } from 'node:crypto';
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
  /** When given (--license), a device presenting another key is answered mq_login_status 600000, no settings. */
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
/** The request parameters the login page documents (both 必选), in the query of a GET. */
export const DOCUMENTED_LOGIN_PARAMETERS = ['mq_license_key', 'device_sn'] as const;
/** mq_login_status of a login the platform accepts, and of a license key it does not know (600000). */
export const LOGIN_OK = 0;
export const LOGIN_KEY_UNKNOWN = 600_000;
// Field names compared lowercase with `_`, `-` and spaces removed: serial_number = serialNumber = serial-number.
// `dev_sno` is the key in the page's own example (http://ip:port/login?dev_sno=xxxx&device_sn=…).
const LICENSE_NAMES = ['mqlicensekey', 'licensekey', 'license', 'devsno'];
const SERIAL_NAMES = ['devicesn', 'serialnumber', 'sn', 'serial', 'deviceserial', 'deviceserialnumber', 'serialno'];

/**
 * Plays the management platform's login URL (MQ_LOGIN_URL; V6R2C01 MQ section 4, 管理平台系统登录接口, and
 * sophon-api.md "MQ channel conventions"), so a device pointed at it is handed the run's broker settings.
 *
 * The page documents a GET with `mq_license_key` and `device_sn` in the query. That is what the endpoint
 * expects, and the record says which of the two came as documented; other shapes a real device may send are
 * still read (any method; the parameters from the query, a JSON or a form body, any case or separator style,
 * `dev_sno` as in the page's example, one level of wrapping such as `{"data":{…}}`), and noted.
 *
 * The answer is the page's, field for field: 200 with `mq_login_status` 0, a `mq_login_token`, and
 * `mq_server_configs` (server, port, user, password, `mq_exchange` with its five `mq_exchange_*` keys and
 * `mq_exchange_arguments: null`, `mq_down_queue`, and the optional `mq_up_queue`, `mq_vhost`,
 * `mq_upload_vhost`, `mq_unneed_bind_exchange`), beside the optional `mq_img_server_addr` and
 * `history_report_period`. Refusals, decided from the page: a request without a key is a failed request,
 * which the page writes as a non-200 status (400); a key other than the run's --license is answered 200 with
 * `mq_login_status` 600000 (请求的授权码不存在), the page's own code for it, an empty token and no settings.
 * A missing `device_sn` is noted, not refused: the run is about the MQ channel, not the platform's bookkeeping.
 * Every call is recorded, with the broker password and the token as `***`.
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

  /** Whether a device has been handed the broker settings. */
  get loggedIn(): boolean {
    return this.logins.some((login) => login.accepted);
  }

  /** Answers one login and records it. */
  handle(request: LoginRequest): { status: number; body: Record<string, unknown> } {
    const text = request.body.toString('utf8');
    const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');
    const queryParams = Object.fromEntries(query);
    const params: Record<string, unknown> = { ...queryParams, ...parseBody(text, request.headers) };
    const licenseKey = pick(params, LICENSE_NAMES);
    const serialNumber = pick(params, SERIAL_NAMES);
    const present = DOCUMENTED_LOGIN_PARAMETERS.filter((name) => (query.get(name) ?? '') !== '');
    const missing = DOCUMENTED_LOGIN_PARAMETERS.filter((name) => !present.includes(name));
    const notes: string[] = [];
    if (request.method !== 'GET') notes.push(`sent ${request.method}; the page documents a GET`);
    for (const name of missing) {
      const found = name === 'mq_license_key' ? licenseKey : serialNumber;
      notes.push(`no ${name} in the query${found === undefined ? '' : ` (read ${found} from another field)`}`);
    }
    let answer: { status: number; body: Record<string, unknown> };
    if (licenseKey === undefined) {
      answer = {
        status: 400,
        body: { message: 'mq_license_key is required: GET <login URL>?mq_license_key=KEY&device_sn=SN' },
      };
    } else if (this.settings.licenseKey !== undefined && licenseKey !== this.settings.licenseKey) {
      answer = {
        status: 200,
        body: {
          mq_login_status: LOGIN_KEY_UNKNOWN,
          mq_login_token: '',
          message: `mq_license_key ${licenseKey} is not the one this run checks (--license)`,
        },
      };
    } else {
      const configs = this.brokerSettings(licenseKey);
      if (isLoopback(String(configs.mq_server_ip)) && !isLoopback(request.from)) {
        notes.push(
          `handed broker host ${configs.mq_server_ip}, a loopback address, to a device at ${request.from}: give --amqp an address the device reaches`,
        );
      }
      answer = {
        status: 200,
        body: {
          mq_login_status: LOGIN_OK,
          mq_login_token: randomBytes(16).toString('hex'),
          // "": images at relative addresses are fetched from mq_server_ip (the page's rule).
          mq_img_server_addr: '',
          // The documented default. The upload URLs (history_event_upload_url, …) are left out on purpose: a
          // device would post records and status there, and the receiver is the run's, not a platform.
          history_report_period: 5,
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
      url: hide(request.url, secrets),
      query: mask(queryParams),
      documented: { present: [...present], missing: [...missing] },
      headers: { ...request.headers },
      body: hide(text.slice(0, BODY_KEPT), secrets),
      params: mask(params),
      ...(licenseKey !== undefined ? { licenseKey } : {}),
      ...(serialNumber !== undefined ? { serialNumber } : {}),
      accepted: answer.status === 200 && answer.body.mq_login_status === LOGIN_OK,
      answer: { status: answer.status, body: withoutSecrets(answer.body) },
      ...(notes.length ? { notes } : {}),
    });
    this.logins.push(record);
    this.settings.onLogin?.(record);
    return answer;
  }

  /**
   * mq_server_configs from the run's settings. The exchange is the page example's (`exchange-dev-<key>`, topic,
   * durable, not passive, not auto-deleted), with `mq_unneed_bind_exchange: true` as there: the run publishes
   * straight to the command queue, so a device need not bind it. Replies are read in the run's own vhost, so
   * mq_upload_vhost is mq_vhost.
   */
  brokerSettings(licenseKey: string): Record<string, unknown> {
    const url = new URL(this.settings.brokerUrl);
    const vhost = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/';
    return {
      mq_server_ip: url.hostname.replace(/^\[|\]$/g, ''),
      mq_server_port: Number(url.port || (url.protocol === 'amqps:' ? 5671 : 5672)),
      mq_username: decodeURIComponent(url.username || 'guest'),
      mq_password: decodeURIComponent(url.password || 'guest'),
      mq_exchange: {
        mq_exchange_name: `exchange-dev-${licenseKey}`,
        mq_exchange_type: 'topic',
        mq_exchange_passive: false,
        mq_exchange_durable: true,
        mq_exchange_auto_delete: false,
        mq_exchange_arguments: null,
      },
      mq_down_queue: this.settings.commandQueue,
      mq_up_queue: this.settings.upQueue,
      mq_unneed_bind_exchange: true,
      mq_vhost: vhost,
      mq_upload_vhost: vhost,
    };
  }
}

/** A one-line account of a login for the console; never carries the password. */
export function describeLogin(login: PlatformLoginRecord): string {
  const who = `device ${login.licenseKey ?? '(no mq_license_key)'}${login.serialNumber ? ` (sn ${login.serialNumber})` : ''}`;
  const sent = `${login.method} ${login.url}`;
  const configs = login.answer.body.mq_server_configs as Record<string, unknown> | undefined;
  const notes = login.notes?.length ? `; note: ${login.notes.join('; ')}` : '';
  if (!login.accepted || !configs) {
    const status = login.answer.body.mq_login_status;
    const why = login.answer.status === 200 ? `mq_login_status ${String(status)}` : `HTTP ${login.answer.status}`;
    return `platform login: ${who} from ${login.from} refused (${sent}): ${why} (${String(login.answer.body.message)})${notes}`;
  }
  const exchange = (configs.mq_exchange as { mq_exchange_name?: unknown } | undefined)?.mq_exchange_name;
  return (
    `platform login: ${who} logged in from ${login.from} (${sent}): handed broker ${String(configs.mq_server_ip)}:${String(configs.mq_server_port)}` +
    ` vhost ${String(configs.mq_vhost)} user ${String(configs.mq_username)}, queues ${String(configs.mq_down_queue)} (down) /` +
    ` ${String(configs.mq_up_queue)} (up), exchange ${String(exchange)}${notes}`
  );
}

// The broker password and the token are the device's credentials: `***` in the record.
function withoutSecrets(body: Record<string, unknown>): Record<string, unknown> {
  const configs = body.mq_server_configs as Record<string, unknown> | undefined;
  return {
    ...body,
    ...(typeof body.mq_login_token === 'string' && body.mq_login_token !== '' ? { mq_login_token: REDACTED } : {}),
    ...(configs ? { mq_server_configs: { ...configs, mq_password: REDACTED } } : {}),
  };
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
