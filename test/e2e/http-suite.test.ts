import { describe, expect, it } from 'vitest';
import { failedIds, runSuiteAgainst, withDevice } from '../helpers/run-against-device.ts';

const USERS_WIPES = [
  'http.wipedata.flags.users',
  'http.wipedata.flags.all',
  'http.wipedata.flags.users-beside-false',
  'http.wipedata.flags.all-beside-false',
  'http.wipedata.combination.users-events',
  'http.wipedata.combination.users-all',
  'http.wipedata.combination.events-all',
  'http.wipedata.combination.all-three',
  'http.wipedata.content-type.charset-utf-8',
  'http.wipedata.content-type.charset-no-space',
  'http.wipedata.content-type.upper-case',
];

const ALL_WIPES = [...USERS_WIPES, 'http.wipedata.flags.events', 'http.wipedata.flags.events-beside-false'];

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
  });

  // Each broken device must fail exactly the cases that look at its defect, saying what was expected.
  const faults: { fault: string; fails: string[]; says: RegExp }[] = [
    {
      fault: 'ok-on-malformed-json',
      fails: [
        'http.wipedata.body.empty',
        'http.wipedata.body.trailing-comma',
        'http.wipedata.body.truncated',
        'http.wipedata.body.unquoted-key',
        'http.wipedata.body.vendor-example-comment',
      ],
      says: /error\.status: expected a non-200 status for an error; received status 200/,
    },
    {
      fault: 'users-keeps-permissions',
      fails: USERS_WIPES,
      says: /state\.permissions: expected permission groups emptied \(2 before\); received 2 left/,
    },
    {
      fault: 'reboots-before-answering',
      fails: ALL_WIPES,
      says: /reboot: expected the full response first, then a reboot; received rebooted before \(or while\) answering/,
    },
  ];
  it.concurrent.each(faults)('fails exactly the cases that catch $fault', async ({ fault, fails, says }) => {
    const report = await withDevice([fault], (device) => runSuiteAgainst(device));
    expect(failedIds(report)).toEqual([...fails].sort());
    expect(report.exitCode).toBe(1);
    for (const result of report.results.filter((r) => r.verdict === 'fail')) {
      expect(result.message, result.id).toMatch(says);
    }
  });
});
