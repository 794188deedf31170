import { tcpConnect } from '../src/transports/tcp-connect.ts';

/** The broker used unless told otherwise (the project's CI and dev machines run one here). */
export const DEFAULT_BROKER = 'amqp://guest:guest@127.0.0.1:5672';

/** Whether something accepts TCP connections at the broker URL's host and port. */
export function brokerAnswers(url: string): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname;
    port = Number(parsed.port || 5672);
  } catch {
    return Promise.resolve(false);
  }
  return tcpConnect(host, port, 1_000).then((answer) => answer === true);
}

// A reference device's private queues are the matrices' (api/private-queues.ts); the demo and tests use them here too.
export {
  deletePrivateQueues,
  deleteQueues,
  type PrivateQueues,
  privateQueues,
} from './private-queues.ts';
