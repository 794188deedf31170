import { createHash } from 'node:crypto';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { request } from 'undici';

/** The exchange the platform hands at the login (mq_exchange). */
export interface LoginExchange {
  name: string;
  type: string;
  /** Only check that it exists (mq_exchange_passive), instead of declaring it. */
  passive: boolean;
  durable: boolean;
  autoDelete: boolean;
  arguments: Record<string, unknown> | undefined;
  /** Bind the command queue to it (mq_unneed_bind_exchange false, the page's default). */
  bind: boolean;
}

/** What a login hands the device, as it uses it: where the broker is and which queues are its own. */
export interface LoginSettings {
  /** mq_login_token: carried with the device's later calls to the platform. */
  token: string;
  /** amqp://mq_username:mq_password@mq_server_ip:mq_server_port/mq_vhost */
  url: string;
  /** mq_down_queue */
  commandQueue: string;
  /** mq_up_queue; absent: replies go only where a command's notify_path says. */
  upQueue: string | undefined;
  exchange: LoginExchange;
}

const LOGIN_TIMEOUT_MS = 3_000;

// 可选 fields may be left out or null ("''不为空，None才为空": null is not given); when given, of the page's type.
const optional = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

/**
 * The login answer as the page (V6R2C01 MQ section 4, 管理平台系统登录接口) tables it: every 必选 field required
 * with its type, every 可选 one typed when it comes; fields the page does not list are ignored.
 */
const LOGIN_ANSWER = Type.Object({
  mq_login_status: Type.Integer(),
  mq_login_token: Type.String(),
  mq_img_server_addr: optional(Type.String()),
  history_event_upload_url: optional(Type.String()),
  history_report_period: optional(Type.Integer({ minimum: 1 })),
  media_device_monitor_url: optional(Type.String()),
  media_device_monitor_report_period: optional(Type.Integer()),
  device_monitor_url: optional(Type.String()),
  device_monitor_report_period: optional(Type.Integer()),
  mq_server_configs: Type.Object({
    mq_server_ip: Type.String({ minLength: 1 }),
    mq_server_port: Type.Integer({ minimum: 1, maximum: 65_535 }),
    mq_username: Type.String(),
    mq_password: Type.String(),
    mq_exchange: Type.Object({
      mq_exchange_name: Type.String({ minLength: 1 }),
      mq_exchange_type: Type.String({ minLength: 1 }),
      mq_exchange_passive: Type.Boolean(),
      mq_exchange_durable: Type.Boolean(),
      mq_exchange_auto_delete: Type.Boolean(),
      mq_exchange_arguments: optional(Type.Record(Type.String(), Type.Unknown())),
    }),
    mq_down_queue: Type.String({ minLength: 1 }),
    mq_up_queue: optional(Type.String({ minLength: 1 })),
    mq_fiqa_down_queue: optional(Type.String()),
    mq_fiqa_up_queue: optional(Type.String()),
    mq_unneed_bind_exchange: optional(Type.Boolean()),
    mq_vhost: optional(Type.String({ minLength: 1 })),
    mq_upload_vhost: optional(Type.String({ minLength: 1 })),
  }),
});

// The page's meanings of mq_login_status, for the device's log.
const STATUS_MEANING: Record<number, string> = {
  600000: '请求的授权码不存在: the license key is unknown',
  600002: '请求的授权码已经注册: the license key is already registered',
  500001: '设置mq参数过程错误: error while setting the MQ parameters',
};

/** The device's serial number (device_sn): stable for its license key, the shape of the page's example. */
export function serialNumberFor(licenseKey: string): string {
  return `RD${createHash('sha256').update(licenseKey).digest('hex').slice(0, 15).toUpperCase()}`;
}

/**
 * Logs in at the platform's login URL as the page documents it: a GET with `mq_license_key` and `device_sn` in
 * the query. Resolves with the handed settings; rejects, saying why, when the platform refuses or answers
 * anything a device written from the page cannot use.
 */
export async function logIn(
  loginUrl: string,
  licenseKey: string,
  serialNumber: string,
  signal: AbortSignal,
): Promise<LoginSettings> {
  const url = new URL(loginUrl);
  url.searchParams.set('mq_license_key', licenseKey);
  url.searchParams.set('device_sn', serialNumber);
  const response = await request(url, {
    method: 'GET',
    signal,
    headersTimeout: LOGIN_TIMEOUT_MS,
    bodyTimeout: LOGIN_TIMEOUT_MS,
    reset: true,
  });
  const text = await response.body.text();
  // 请求失败：返回HTTP状态码非200。
  if (response.statusCode !== 200) throw new Error(`the platform refused the login: HTTP ${response.statusCode}`);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`the login answer is not JSON: ${text.slice(0, 80)}`);
  }
  return readLoginAnswer(answer);
}

/** The settings of a login answer, read as strictly as the page demands; throws saying what is wrong. */
export function readLoginAnswer(answer: unknown): LoginSettings {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw new Error('the login answer is not a JSON object');
  }
  // The status first: a refused login carries no settings to judge.
  const status = (answer as { mq_login_status?: unknown }).mq_login_status;
  if (status === undefined) throw new Error('the login answer has no mq_login_status (必选)');
  if (!Number.isInteger(status)) throw new Error(`mq_login_status ${JSON.stringify(status)} is not an int`);
  if (status !== 0) {
    throw new Error(
      `the platform refused the login: mq_login_status ${status} (${STATUS_MEANING[status as number] ?? 'not a documented code'})`,
    );
  }
  const error = Value.Errors(LOGIN_ANSWER, answer).First();
  if (error) {
    const field = error.path.split('/').filter(Boolean).join('.');
    throw new Error(
      `the login answer cannot be used: ${field} ${error.message.replace(/^Expected required property$/, 'is missing (必选)').toLowerCase()}`,
    );
  }
  const valid = answer as Static<typeof LOGIN_ANSWER>;
  const configs = valid.mq_server_configs;
  const vhost = configs.mq_vhost ?? '/';
  const uploadVhost = configs.mq_upload_vhost ?? '/';
  // The reference device replies on the one connection it consumes on; a real one would open a second.
  if (configs.mq_up_queue && uploadVhost !== vhost) {
    throw new Error(
      `mq_upload_vhost "${uploadVhost}" is not mq_vhost "${vhost}": this device replies on its one connection`,
    );
  }
  const host = configs.mq_server_ip.includes(':') ? `[${configs.mq_server_ip}]` : configs.mq_server_ip;
  const user = `${encodeURIComponent(configs.mq_username)}:${encodeURIComponent(configs.mq_password)}`;
  const exchange = configs.mq_exchange;
  return {
    token: valid.mq_login_token,
    url: `amqp://${user}@${host}:${configs.mq_server_port}/${encodeURIComponent(vhost)}`,
    commandQueue: configs.mq_down_queue,
    upQueue: configs.mq_up_queue ?? undefined,
    exchange: {
      name: exchange.mq_exchange_name,
      type: exchange.mq_exchange_type,
      passive: exchange.mq_exchange_passive,
      durable: exchange.mq_exchange_durable,
      autoDelete: exchange.mq_exchange_auto_delete,
      arguments: exchange.mq_exchange_arguments ?? undefined,
      bind: configs.mq_unneed_bind_exchange !== true,
    },
  };
}
