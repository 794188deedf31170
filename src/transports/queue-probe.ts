import { redactUrl } from '../results/redact.ts';

/** How long one look may take: a broker that stops answering must not hold the wait past its window. */
const LOOK_WITHIN_MS = 5_000;

/**
 * How many consumers a queue has now (the broker's passive declare), or undefined when it does not exist.
 * One connection per look, closed after it: the look changes nothing on the broker (no queue declared, none
 * purged), so a device declaring its queues in the meantime is never disturbed. Throws when the broker cannot
 * be reached, with the URL's password hidden.
 */
export async function queueConsumers(url: string, queue: string): Promise<number | undefined> {
  const { default: amqp } = await import('amqplib');
  let model: Awaited<ReturnType<typeof amqp.connect>>;
  try {
    model = await amqp.connect(url, { timeout: LOOK_WITHIN_MS });
  } catch (error) {
    throw new Error(`cannot connect to ${redactUrl(url)}: ${(error as Error).message}`);
  }
  model.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${redactUrl(url)} did not answer within ${LOOK_WITHIN_MS} ms`)),
      LOOK_WITHIN_MS,
    );
  });
  try {
    const look = async () => {
      // A passive declare of a missing queue closes its channel: that is the answer "no such queue".
      const channel = await model.createChannel();
      channel.on('error', () => {});
      try {
        return (await channel.checkQueue(queue)).consumerCount;
      } catch {
        return undefined;
      }
    };
    return await Promise.race([look(), late]);
  } finally {
    clearTimeout(timer);
    await Promise.race([model.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  }
}
