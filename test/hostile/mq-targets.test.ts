import { describe, expect, it } from 'vitest';
import { brokerAnswers } from '../../api/broker.ts';
import { BROKER_URL, SCENARIOS, type Scenario } from './scenarios.ts';

// The MQ side of hostility: a broker that goes away or hangs mid-run (through a TCP proxy in front of
// the real RabbitMQ, which is never touched), and a device whose notify_path callback hangs. The cases
// it spoils are could-not-test or fail with the cause, the run ends, and the checker's own callback
// receiver never holds it up.

const hasBroker = await brokerAnswers(BROKER_URL);
const byName = (name: string): Scenario => {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
};

describe.skipIf(!hasBroker)('hostile MQ conditions', () => {
  it.concurrent.each([
    { name: 'amqp.broker-drop', lost: /the broker connection was lost.*(close|Unexpected)/i },
    // The stall is met by the look for the device's consumer before the publish (or, without one, by the confirm).
    {
      name: 'amqp.broker-stall',
      lost: /the broker did not confirm a publish within 5000 ms|did not answer .*the command queue's consumer within 5000 ms/,
    },
    // The command was confirmed, then the broker went silent: the purge after the case waited forever once. The
    // stall is now met by whichever comes first: the purge, or the watch of the command queue's consumer.
    {
      name: 'amqp.broker-stall-awaiting-reply',
      lost: /did not answer (purging the command queue|opening a channel to look for the command queue's consumer) within 5000 ms/,
    },
  ])('$name: the cases after it are could-not-test, saying the broker went away', async ({ name, lost }) => {
    const result = await byName(name).run();
    expect(result.line).toBeUndefined();
    expect(result.exposed.length).toBe(2);
    for (const e of result.exposed) {
      expect(e.verdict, e.message).toBe('could-not-test');
      expect(e.message).toMatch(/^could not test \(transport\): /);
      expect(e.message).toMatch(lost);
    }
    expect(result.falsePasses).toBe(0);
    expect(result.exitCode).toBe(3);
    expect(result.hung).toBe(false);
  });

  it.concurrent('amqp.callback-hang: a callback that never completes is no reply, and does not hold the run', async () => {
    const result = await byName('amqp.callback-hang').run();
    expect(result.detail?.callbacksStarted).toBe(1);
    const [hung] = result.exposed;
    expect(hung?.verdict).toBe('fail');
    expect(hung?.message).toMatch(
      /^reply: expected a reply on notify_path within 1500 ms; received no reply on notify_path; 1 request\(s\) to notify_path began but never completed/,
    );
    const notes = result.report?.results.find((r) => r.id === 'amqp.wipedata.reply.notify-path-only')?.evidence.notes;
    expect(notes?.join('\n')).toMatch(
      /notify_path: a request to \/callback\/\S+ began \d+ ms after the command and never completed/,
    );
    // The other case, on the up queue, is unaffected.
    const other = result.report?.results.find((r) => r.id !== 'amqp.wipedata.reply.notify-path-only');
    expect(other?.verdict, other?.message).toBe('pass');
    expect(result.exitCode).toBe(1);
    expect(result.hung).toBe(false);
  });
});
