import { createHash } from 'node:crypto';
import { composeBehaviour } from './compose-behaviour.ts';
import { Faults, KNOWN_FAULTS } from './faults.ts';
import { deadLetterQueue, type MqSettings } from './mq-consumer.ts';
import { DeviceLifecycle, type LifecycleEvent } from './reboot.ts';
import { DEFAULT_VARIANT_TIMING, KNOWN_VARIANTS, Variants, type VariantTiming } from './variants.ts';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './vendor-server.ts';

export type { HttpLimits, LifecycleEvent, VariantTiming };
export { KNOWN_FAULTS, KNOWN_VARIANTS };

/** How to run the reference device. */
export interface DeviceOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** API port, default 5555; 0 = ephemeral (then reboots come back on the same port). */
  port?: number;
  /** System API port, default 8888; 0 = ephemeral (same rule). */
  systemPort?: number;
  /** Where the store lives; created if missing. */
  dataDir: string;
  /** Default: generated once and persisted in the store (stable across reboots). */
  licenseKey?: string;
  /** The firmware version getsoftwareversion reports, to simulate builds (default: the reference device's own). */
  firmware?: string;
  /** How long the device is fully down during a reboot, default 300 ms. */
  bootMs?: number;
  /** After listening again, getmediadevices answers DEVICE_INIT_ERROR this long, default 50 ms. */
  initMs?: number;
  /** Gap between the wipe response being fully sent and going down, default 20 ms. */
  rebootDelayMs?: number;
  /**
   * Slow clients and big bodies, per listener: headers within `headersTimeoutMs` (default 5 s), the
   * whole request within `requestTimeoutMs` (10 s; not below headersTimeoutMs), idle sockets closed
   * after `connectionTimeoutMs` (30 s), bodies up to `bodyLimit` bytes (1 MiB; larger: 413 envelope).
   */
  limits?: Partial<HttpLimits>;
  /** Named fault injections (faults.ts); an unknown name throws, listing the known ones. */
  faults?: string[];
  /**
   * Named behaviours the documents allow, instead of the default ones (variants.ts); an unknown name, or two
   * alternatives of one dimension, throws. A fault wins where both touch the same behaviour.
   */
  variants?: string[];
  /** How long the timing variants take (defaults in variants.ts); bootMs and friends above still apply otherwise. */
  variantTiming?: Partial<VariantTiming>;
  /** Called on every lifecycle step, the first boot included. */
  onLifecycle?: (event: LifecycleEvent) => void;
  /**
   * The MQ command channel (absent: none). The device declares `commandQueue` (durable, dead-lettering
   * to `<commandQueue>.dead`), that dead-letter queue and `upQueue` (durable, no arguments), and consumes
   * `commandQueue` with manual acks, `prefetch` (default 1) at a time.
   */
  amqp?: AmqpOptions;
  /**
   * The management platform's login URL (MQ_LOGIN_URL; variant platform-login-strict, which it switches on):
   * instead of `amqp`, each boot logs in there with a GET as the vendor's login page documents, reads the answer
   * as strictly as the page demands (trying again every second until it can use one), then connects to the
   * broker it was handed, declares its command queue (mq_down_queue) and replies on mq_up_queue.
   */
  login?: LoginOptions;
}

/** Where the device logs in for its MQ settings. */
export interface LoginOptions {
  /** http(s):// URL of the platform's login endpoint. */
  url: string;
  /** Unacknowledged commands the broker hands the device at once (default 1). */
  prefetch?: number;
  /** Where the MQ consumer's diagnostics go (default stderr, prefixed "reference device:"). */
  log?: (message: string) => void;
}

/** Where the device's MQ channel lives. */
export interface AmqpOptions {
  /** amqp://user:pass@host:port/vhost (or amqps://). */
  url: string;
  commandQueue: string;
  upQueue: string;
  /** Default 1. */
  prefetch?: number;
  /** Where the MQ consumer's diagnostics go (default stderr, prefixed "reference device:"). */
  log?: (message: string) => void;
}

/** A running reference device. */
export interface RunningDevice {
  /** http://<host>:<port> */
  url: string;
  /** http://<host>:<systemPort> */
  systemUrl: string;
  port: number;
  systemPort: number;
  licenseKey: string;
  /** How many reboots so far (counted when the device goes down). */
  reboots(): number;
  /** Stops everything, even mid-reboot; no timers left behind. */
  close(): Promise<void>;
}

/**
 * Starts the reference device and resolves once it is ready (listening, past initialisation, and
 * consuming its command queue when `amqp` is given). Rejects if it cannot: a port taken, a damaged
 * store, a broker that cannot be used (the message names the URL, without its password).
 */
export async function startDevice(options: DeviceOptions): Promise<RunningDevice> {
  const faults = Faults.parse(options.faults ?? []);
  // A login URL is the platform-login-strict device; the variant without one has nowhere to log in.
  const variantNames = options.variants ?? [];
  if (variantNames.includes('platform-login-strict') && options.login === undefined) {
    throw new Error('variant platform-login-strict needs login.url (device --login-url URL): where to log in');
  }
  if (options.login !== undefined && options.amqp !== undefined) {
    throw new Error('give amqp or login, not both: a device that logs in is handed its broker and queues there');
  }
  const variants = Variants.parse(
    options.login && !variantNames.includes('platform-login-strict')
      ? [...variantNames, 'platform-login-strict']
      : variantNames,
  );
  const behaviour = composeBehaviour(faults, variants);
  const { slow } = behaviour;
  const timing = { ...DEFAULT_VARIANT_TIMING, ...options.variantTiming };
  const host = options.host ?? '127.0.0.1';
  const lifecycle = new DeviceLifecycle({
    host,
    port: nonNegative('port', options.port ?? 5555),
    systemPort: nonNegative('systemPort', options.systemPort ?? 8888),
    dataDir: options.dataDir,
    licenseKey:
      options.licenseKey ?? (behaviour.mq.licenseKeyStyle === 'serial' ? serialStyleKey(options.dataDir) : undefined),
    bootMs: nonNegative('bootMs', slow.boot ? timing.bootMs : (options.bootMs ?? 300)),
    initMs: nonNegative('initMs', slow.init ? timing.initMs : (options.initMs ?? 50)),
    rebootDelayMs: nonNegative('rebootDelayMs', slow.shutdown ? timing.shutdownMs : (options.rebootDelayMs ?? 20)),
    wipeMs: nonNegative('variantTiming.wipeMs', slow.wipe ? timing.wipeMs : 0),
    consumerLateMs: nonNegative('variantTiming.consumerLateMs', slow.consumerStart ? timing.consumerLateMs : 0),
    limits: httpLimits(options.limits ?? {}),
    firmware: options.firmware,
    behaviour,
    onLifecycle: options.onLifecycle,
    amqp: options.login ? loginSettings(options.login) : options.amqp ? amqpSettings(options.amqp) : undefined,
  });
  await lifecycle.start();
  const { port, systemPort } = lifecycle.ports;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    systemUrl: `http://${urlHost}:${systemPort}`,
    port,
    systemPort,
    licenseKey: lifecycle.licenseKey,
    reboots: () => lifecycle.reboots,
    close: () => lifecycle.close(),
  };
}

// A serial-style key (variant license-key-serial-style): the family's serial-like key ("BIWPEZ000120190816123727"), the same for
// the same data folder so that a restart keeps it, as the persisted key would.
function serialStyleKey(dataDir: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(dataDir).digest('hex').slice(0, 15)}`)
    .toString()
    .padStart(18, '0');
  return `BIWPEZ${digits.slice(0, 18)}`;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function httpLimits(given: Partial<HttpLimits>): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`limits.${name} must be a positive integer, got ${value}`);
  }
  // Node refuses a header deadline later than the request deadline.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(
      `limits.headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed limits.requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}

// Queue names the broker would refuse, or that would mix the device's queues up, fail here, by name.
function amqpSettings(options: AmqpOptions): MqSettings {
  const { url, commandQueue, upQueue } = options;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error('amqp.url must be an amqp:// or amqps:// URL');
  }
  if (protocol !== 'amqp:' && protocol !== 'amqps:') {
    throw new Error(`amqp.url must be an amqp:// or amqps:// URL, got ${protocol}`);
  }
  for (const [name, queue] of [
    ['commandQueue', commandQueue],
    ['upQueue', upQueue],
  ] as const) {
    if (typeof queue !== 'string' || queue.trim() === '')
      throw new Error(`amqp.${name} must be a non-empty queue name`);
    if (Buffer.byteLength(queue) > 250) throw new Error(`amqp.${name} is longer than 250 bytes`);
    if (queue.startsWith('amq.'))
      throw new Error(`amqp.${name} "${queue}": names starting with "amq." are the broker's`);
  }
  if (commandQueue === upQueue) throw new Error(`amqp.commandQueue and amqp.upQueue are both "${upQueue}"`);
  if (upQueue === deadLetterQueue(commandQueue)) {
    throw new Error(`amqp.upQueue "${upQueue}" is the command queue's dead-letter queue`);
  }
  return {
    channel: { url, commandQueue, upQueue },
    prefetch: prefetchOf('amqp', options.prefetch),
    ...(options.log ? { log: options.log } : {}),
  };
}

function loginSettings(options: LoginOptions): MqSettings {
  let protocol: string;
  try {
    protocol = new URL(options.url).protocol;
  } catch {
    throw new Error('login.url must be an http:// or https:// URL');
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(`login.url must be an http:// or https:// URL, got ${protocol}`);
  }
  return {
    channel: { loginUrl: options.url },
    prefetch: prefetchOf('login', options.prefetch),
    ...(options.log ? { log: options.log } : {}),
  };
}

function prefetchOf(where: string, given: number | undefined): number {
  const prefetch = given ?? 1;
  if (!Number.isInteger(prefetch) || prefetch < 1 || prefetch > 65_535) {
    throw new Error(`${where}.prefetch must be an integer from 1 to 65535, got ${prefetch}`);
  }
  return prefetch;
}
