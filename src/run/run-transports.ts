import { type AmqpEndpoint, AmqpSession } from '../transports/amqp-transport.ts';
import { CallbackReceiver, type CallbackReceiverOptions } from '../transports/callback-receiver.ts';
import { type ApiCall, callApi } from '../transports/device-api.ts';
import { type HttpExchange, type HttpRequestSpec, type SendOptions, sendHttp } from '../transports/http-transport.ts';
import type { ReplyInbox } from '../transports/reply-inbox.ts';
import { tcpConnect } from '../transports/tcp-connect.ts';
import { type PortProbe, portProbe } from './reboot-watcher.ts';

/** What a case does with the MQ session: publish, look at the command queue, clean up (amqp-transport.ts). */
export type MqSession = Pick<
  AmqpSession,
  | 'endpoint'
  | 'lost'
  | 'consumersAtOpen'
  | 'publish'
  | 'purgeCommands'
  | 'commandConsumers'
  | 'commandQueueNow'
  | 'close'
>;

/** What a case does with the notify_path receiver (callback-receiver.ts). */
export type CallbackChannel = Pick<CallbackReceiver, 'urlFor' | 'unreachableUrl' | 'unfinished' | 'loginUrl' | 'close'>;

/**
 * How the run reaches the device and the broker. The run uses only these, so a test can run real cases against
 * in-memory fakes; REAL_TRANSPORTS go over the network. (The platform login's broker probes, await-platform-login.ts,
 * and the doctor's checks go over the network always.)
 */
export interface RunTransports {
  /** One HTTP exchange, recorded as evidence: a case's request, the clean wipe, the preflight's last look. */
  readonly sendHttp: (spec: HttpRequestSpec, options: SendOptions) => Promise<HttpExchange>;
  /** One management-API call: readiness, uptime, the firmware version, the sophon-http state adapter's reads and seeding. */
  readonly callApi: ApiCall;
  /** A TCP connect to the API port: `true`, or why not (the reboot watch and the preflight). */
  readonly tcpConnect: (host: string, port: number, timeoutMs: number) => Promise<true | string>;
  /** Opens the MQ session (consuming the up queue into `inbox`). */
  readonly openMqSession: (endpoint: AmqpEndpoint, inbox: ReplyInbox) => Promise<MqSession>;
  /** Starts the notify_path receiver (putting callbacks into `inbox`). */
  readonly startCallbacks: (inbox: ReplyInbox, options: CallbackReceiverOptions) => Promise<CallbackChannel>;
}

/** The transports of a run against a real device and broker. */
export const REAL_TRANSPORTS: RunTransports = {
  sendHttp,
  callApi,
  tcpConnect,
  openMqSession: (endpoint, inbox) => AmqpSession.open(endpoint, inbox),
  startCallbacks: (inbox, options) => CallbackReceiver.start(inbox, options),
};

/** What the reboot watch and the readiness waits take from the transports: the management API and the port probe. */
export function watchTransports(transports: RunTransports): { api: ApiCall; probe: PortProbe } {
  return { api: transports.callApi, probe: portProbe(transports.tcpConnect) };
}
