import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/results/types.ts';
import { executeRun } from '../../src/run/execute-run.ts';
import { FakeDevice, type FakeFaults } from '../helpers/fake-device.ts';
import { PROJECT_ROOT } from '../helpers/run-against-device.ts';

// Real cases of the project's own specs, run through the whole run (preflight, seeding through the sophon-http
// adapter, the request, the reboot watch, the state after, the MQ reply) against a device in memory: no socket.
const CASES = [
  'http.wipedata.flags.users',
  'http.wipedata.content-type.text-plain',
  'amqp.wipedata.reply.message-id-echoed',
];

const devices: FakeDevice[] = [];
afterEach(() => {
  for (const d of devices.splice(0)) d.close();
});

function runAgainst(faults: FakeFaults = {}): Promise<{ report: Report; device: FakeDevice }> {
  const device = new FakeDevice(faults);
  devices.push(device);
  return executeRun({
    root: PROJECT_ROOT,
    target: 'http://device.fake:5555',
    systemPort: undefined,
    suite: 'certification',
    selection: { only: CASES },
    profile: 'strict',
    stateAdapter: 'sophon-http',
    downWithinMs: 1_000,
    upWithinMs: 2_000,
    quietMs: 50,
    probeIntervalMs: 5,
    requestTimeoutMs: 1_000,
    preflightMs: 1_000,
    amqp: { url: 'amqp://broker.fake', commandQueue: 'cmd', upQueue: 'up', replyWithinMs: 500 },
    tool: { name: 'sophon-conformance', version: 'test' },
    signal: new AbortController().signal,
    transports: device.transports,
  }).then((report) => ({ report, device }));
}

const verdicts = (report: Report) => Object.fromEntries(report.results.map((r) => [r.id, r.verdict]));

describe('the run through injected transports', () => {
  it('passes every case against a fake device that keeps the contract', async () => {
    const { report, device } = await runAgainst();
    expect(verdicts(report)).toEqual({
      'http.wipedata.flags.users': 'pass',
      'http.wipedata.content-type.text-plain': 'pass',
      'amqp.wipedata.reply.message-id-echoed': 'pass',
    });
    expect(report.complete).toBe(true);
    expect(device.reboots).toBe(1);
  });

  it('fails the case a broken fake breaks, saying what it expected and what came', async () => {
    const { report } = await runAgainst({ anyContentType: true, replyWithoutMessageId: true });
    expect(verdicts(report)).toEqual({
      'http.wipedata.flags.users': 'pass',
      'http.wipedata.content-type.text-plain': 'fail',
      // MQ-7 is a SHOULD: a reply that does not name its command is a warning.
      'amqp.wipedata.reply.message-id-echoed': 'warn',
    });
    const refused = report.results.find((r) => r.id === 'http.wipedata.content-type.text-plain');
    expect(refused?.message).toBe(
      'error.status: expected a non-200 status for an error; received status 200 (+5 more)',
    );
    // The wipe it carried out is caught by what it did too, not only by its answer.
    expect(refused?.checks.filter((c) => c.result === 'fail').map((c) => `${c.check}: ${c.received}`)).toEqual([
      'error.status: status 200',
      'error.envelope: {"result":true}',
      expect.stringMatching(/^reboot: rebooted: down \+\d+ ms/),
      'state.identities: 0 after, 2 deleted',
      'state.permissions: 0 after, 2 deleted',
      'state.mediaDevices: 0 after, 2 deleted',
      'status: status 200',
    ]);
    const echoed = report.results.find((r) => r.id === 'amqp.wipedata.reply.message-id-echoed');
    expect(echoed?.message).toMatch(
      /^reply\.message_id: expected message_id "[0-9a-f-]{36}" at the top level, in ext_data or as the AMQP correlation_id; received message_id undefined/,
    );
  });
});
