import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { deadLetterQueue } from '../reference-device/mq-consumer.ts';
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

/** Removes a run's own queues from the broker, so nothing is left behind. */
export async function deleteQueues(url: string, names: string[]): Promise<void> {
  const model = await amqp.connect(url).catch(() => undefined);
  if (!model) return;
  try {
    const channel = await model.createChannel();
    channel.on('error', () => {});
    for (const name of names) await channel.deleteQueue(name).catch(() => {});
  } finally {
    await model.close().catch(() => {});
  }
}

/** A command queue and an up queue no one else uses: `<prefix>-<random>-commands` / `-replies`. */
export interface PrivateQueues {
  commandQueue: string;
  upQueue: string;
}

export function privateQueues(prefix: string): PrivateQueues {
  const tag = randomBytes(4).toString('hex');
  return { commandQueue: `${prefix}-${tag}-commands`, upQueue: `${prefix}-${tag}-replies` };
}

/** Deletes a reference device's queues: the two it was given and the dead-letter queue it declared. */
export function deletePrivateQueues(url: string, queues: PrivateQueues): Promise<void> {
  return deleteQueues(url, [queues.commandQueue, deadLetterQueue(queues.commandQueue), queues.upQueue]);
}
