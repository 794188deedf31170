import { describe, expect, it } from 'vitest';
import { declaredCatches } from '../../matrix/kill-matrix.ts';
import { caughtIds, FAST_WINDOWS, runSuiteAgainst, withDevice } from '../helpers/run-against-device.ts';

describe('the HTTP suite end to end against the reference device', () => {
  it('passes every case on the healthy device, with every HTTP clause covered', async () => {
    const report = await withDevice([], (device) => runSuiteAgainst(device));
    const notPassed = report.results.filter((r) => r.verdict !== 'pass').map((r) => `${r.id}: ${r.message}`);
    expect(notPassed).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary.total).toBeGreaterThanOrEqual(60);
    expect(report.clauses.filter((c) => c.verdict === 'uncovered')).toEqual([]);
    const users = report.results.find((r) => r.id === 'http.wipedata.flags.users');
    expect(users?.evidence.reboot?.outcome).toBe('rebooted');
    expect(users?.evidence.state?.before?.permissions.count).toBeGreaterThan(0);
    expect(users?.evidence.state?.after?.permissions.count).toBe(0);
    // A case that may reboot is watched for the whole down window only while an outcome that allows a reboot
    // still fits the answer: {"users":false} accepted may reboot; a BOM body refused must stay up.
    const watched = (id: string) => report.results.find((r) => r.id === id)?.evidence.reboot?.watchedMs ?? 0;
    expect(watched('http.wipedata.flags-false.users')).toBeGreaterThanOrEqual(FAST_WINDOWS.downWithinMs);
    expect(report.results.find((r) => r.id === 'http.wipedata.body.utf8-bom')?.evidence.outcome).toBe('rejected');
    expect(watched('http.wipedata.body.utf8-bom')).toBeGreaterThanOrEqual(FAST_WINDOWS.quietMs);
    expect(watched('http.wipedata.body.utf8-bom')).toBeLessThan(FAST_WINDOWS.downWithinMs);
  });

  // Each broken device must fail exactly the HTTP cases its fault declares (reference-device/faults.ts,
  // the same list the kill matrix holds), every failure saying what was expected and what came instead.
  const broken: { fault: string; says: RegExp }[] = [
    {
      fault: 'ok-on-malformed-json',
      says: /error\.status: expected a non-200 status for an error; received status 200/,
    },
    {
      fault: 'users-keeps-permissions',
      says: /state\.permissions: expected permission groups emptied \(2 before\); received 2 left/,
    },
    {
      fault: 'reboots-before-answering',
      says: /reboot: expected the full response first, then a reboot; received rebooted before \(or while\) answering/,
    },
  ];
  // Four whole suite runs at once: on a loaded machine (CI runs Node 22 and 24 beside the main suite) one takes
  // well over vitest's default minute.
  it.concurrent.each(broken)(
    'fails exactly the cases that catch $fault',
    async ({ fault, says }) => {
      const report = await withDevice([fault], (device) => runSuiteAgainst(device));
      const expected = declaredCatches(
        fault,
        report.results.map((r) => r.id),
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(caughtIds(report)).toEqual(expected);
      expect(report.exitCode).toBe(1);
      for (const result of report.results.filter((r) => r.verdict === 'fail')) {
        expect(result.message, result.id).toMatch(says);
      }
    },
    240_000,
  );
});
