import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { deadLetterQueue } from '../reference-device/mq-consumer.ts';

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
