import { expect, it } from 'vitest';
import { runMqSuite } from '../helpers/run-against-device.ts';

// consumer-back sends a wipe without message_id before its command. On a device whose replies come late
// (fault mq-reply-late: 3 s), that reply may miss the wait set for it and land inside the command's reply
// window; matched by timing alone it was taken for the command's reply and the case passed. The windows here
// make the before-reply miss its wait every time, as a loaded machine did now and then.
it('a late reply to a command sent before is never taken for the command’s own reply', {
  timeout: 60_000,
}, async () => {
  const report = await runMqSuite(['mq-reply-late'], {
    selection: { ids: ['amqp.wipedata.reboot.consumer-back'] },
    wipeWithinMs: 1_000,
    downWithinMs: 1_000,
  });
  const result = report.results[0];
  expect(result?.id).toBe('amqp.wipedata.reboot.consumer-back');
  expect(result?.verdict).toBe('fail');
  expect(result?.evidence.notes?.join('\n')).toMatch(/did not come within \d+ ms: only a reply that names the command/);
});
