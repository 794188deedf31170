import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { runSuiteAgainst } from '../helpers/run-against-device.ts';

// HTTP-13 (本API在返回后会自动重启主机): the host reboots. A device that goes down and comes back while its uptime
// keeps counting only restarted its API; one whose uptime counts whole minutes and booted moments before cannot
// show either, and passes on down-then-up with that said.
async function run(ids: string[], faults: string[], variants: string[] = []): Promise<Report> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-test-device-'));
  const device = await startDevice({ port: 0, systemPort: 0, dataDir, bootMs: 40, faults, variants });
  try {
    return await runSuiteAgainst(device, { selection: { ids } });
  } finally {
    await device.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('a reboot is a reboot of the host', { timeout: 60_000 }, () => {
  it('fails a wipe after which only the API restarted, with both uptimes', async () => {
    const report = await run(['http.wipedata.flags.events'], ['api-restart-only']);
    const [result] = report.results;
    expect(result?.verdict).toBe('fail');
    expect(result?.message).toMatch(
      /^reboot: expected answers first, then the host reboots .*; received the API restarted, the host did not: uptime kept counting \(3 h 57 min \d+ s before, 3 h 57 min \d+ s after, [\d.]+(–[\d.]+)? s apart\); down \+\d+ ms, up \+\d+ ms, ready \+\d+ ms after the response$/,
    );
    expect(result?.evidence.reboot).toMatchObject({
      outcome: 'rebooted',
      uptimeBefore: '3 hours, 57 minutes',
      uptimeAfter: '3 hours, 57 minutes',
      identity: { verdict: 'kept-counting' },
    });
  });

  it('at minute resolution passes the first reboot as proven and a fast second one as unproven, saying so', async () => {
    const report = await run(
      ['http.wipedata.flags.events', 'http.wipedata.flags.users'],
      [],
      ['uptime-vendor-format-only'],
    );
    // The plan runs flags.users before flags.events.
    const [first, second] = ['http.wipedata.flags.users', 'http.wipedata.flags.events'].map((id) =>
      report.results.find((r) => r.id === id),
    );
    expect([first?.verdict, second?.verdict]).toEqual(['pass', 'pass']);
    expect(first?.evidence.reboot?.identity?.verdict).toBe('reset');
    expect(first?.message).not.toMatch(/uptime/);
    expect(second?.evidence.reboot?.identity?.verdict).toBe('indeterminate');
    expect(second?.message).toMatch(
      /uptime cannot tell a reboot from an API restart here \(0 min before, 0 min after, .* counted in whole minutes\): the reboot rests on down and up alone, not on uptime/,
    );
  });

  it('the same fault at minute resolution is still caught: the host had been up for hours', async () => {
    const report = await run(['http.wipedata.flags.events'], ['api-restart-only'], ['uptime-clock-format']);
    expect(report.results[0]?.verdict).toBe('fail');
    expect(report.results[0]?.message).toMatch(/uptime kept counting \(3 h 57 min before, 3 h 57 min after/);
  });
});
