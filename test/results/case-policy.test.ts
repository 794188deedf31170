import { describe, expect, it } from 'vitest';
import { renderCaseLines, renderSummary } from '../../reports/render-console.ts';
import { renderJunit } from '../../reports/render-junit.ts';
import { loadCapabilityManifest, notApplicableReason } from '../../src/plan/load-capabilities.ts';
import { checkWaiversMatch, loadWaivers } from '../../src/plan/load-waivers.ts';
import { buildReport, exitCodeFor, summarize } from '../../src/results/build-report.ts';
import type { CaseResult, Verdict } from '../../src/results/types.ts';
import { type CasePolicy, runPlannedCase, withPolicy } from '../../src/run/case-policy.ts';
import type { CaseRun } from '../../src/run/case-steps.ts';
import type { RunContext } from '../../src/run/run-context.ts';
import type { LoadedCase } from '../../src/specs/load-specs.ts';
import { eventsWipePassing, textPlainFailing, usersWipeFailing } from '../fixtures/reports/sample-reports.ts';
import { tempSpecRoot } from '../helpers/temp-specs.ts';

const style = { color: false };

function file(text: string, name = 'f.yaml'): string {
  return `${tempSpecRoot({ [name]: text })}/${name}`;
}

function reportOf(results: CaseResult[], extra: Partial<Parameters<typeof buildReport>[0]> = {}) {
  return buildReport({
    tool: 'sophon-conformance',
    version: 'test',
    target: 'http://127.0.0.1:5555',
    profile: 'strict',
    suite: 'certification',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    complete: true,
    specHash: 'x',
    clauses: [],
    results,
    ...extra,
  });
}

const WAIVERS = (expires: string) => `- case: http.wipedata.flags.users
  reason: vendor ticket SE-123, firmware 3.3 fixes it
  expires: ${expires}
`;

describe('capability manifests', () => {
  it('takes a list or a map and names what the target lacks', () => {
    const list = loadCapabilityManifest(file('capabilities: [mq-channel]\n'));
    expect(list.declared).toEqual({ 'mq-channel': true, 'reboots-after-mq-wipe': false, 'can-seed-records': false });
    const map = loadCapabilityManifest(file('capabilities:\n  mq-channel: true\n  can-seed-records: false\n'));
    expect(map.declared['can-seed-records']).toBe(false);
    expect(notApplicableReason(['mq-channel'], map)).toBeUndefined();
    expect(notApplicableReason(['can-seed-records'], map)).toMatch(
      /^the target does not declare capability can-seed-records \(Recognition records can be produced/,
    );
    // Without a manifest every capability is assumed: the plain run.
    expect(notApplicableReason(['can-seed-records'], undefined)).toBeUndefined();
  });

  it('refuses an unknown capability with file, line and the known names', () => {
    expect(() => loadCapabilityManifest(file('capabilities:\n  - mq-channel\n  - reboots-after-wipe\n'))).toThrow(
      /unknown capability "reboots-after-wipe"; known: mq-channel, reboots-after-mq-wipe, can-seed-records/,
    );
    try {
      loadCapabilityManifest(file('capabilities:\n  - mq-channel\n  - reboots-after-wipe\n'));
    } catch (error) {
      expect((error as { where?: string }).where).toMatch(/f\.yaml:3:5$/);
    }
    expect(() => loadCapabilityManifest(file('capabilities: { mq-channel: yes please }\n'))).toThrow(
      /want true or false/,
    );
  });
});

describe('waiver files', () => {
  it('loads entries and refuses bad dates and unknown keys, naming the entry', () => {
    expect(loadWaivers(file(WAIVERS('2099-12-31'))).waivers[0]).toMatchObject({
      case: 'http.wipedata.flags.users',
      expires: '2099-12-31',
    });
    expect(() => loadWaivers(file(WAIVERS('2099-02-30')))).toThrow(/waiver #1: "expires" must be a date YYYY-MM-DD/);
    expect(() =>
      loadWaivers(file(`${WAIVERS('2099-01-01')}- case: x\n  reason: y\n  expires: 2099-01-01\n  owner: me\n`)),
    ).toThrow(/waiver #2: unknown key "owner"/);
  });

  it('refuses a waiver that matches no case of the suite, with file:line', () => {
    const waivers = loadWaivers(
      file(`${WAIVERS('2099-12-31')}- case: http.wipedata.no-such.*\n  reason: typo\n  expires: 2099-12-31\n`),
    );
    expect(() => checkWaiversMatch(waivers, ['http.wipedata.flags.users'], 'certification')).toThrow(
      /waiver #2 \(case "http\.wipedata\.no-such\.\*"\) matches no case in suite certification/,
    );
    try {
      checkWaiversMatch(waivers, ['http.wipedata.flags.users'], 'certification');
    } catch (error) {
      expect((error as { where?: string }).where).toMatch(/f\.yaml:4:3$/);
    }
  });
});

describe('waivers in the result and the gate', () => {
  const policy = (expires: string): CasePolicy => ({
    waivers: loadWaivers(file(WAIVERS(expires))),
    today: '2026-06-01',
  });
  const run = (r: CaseResult): CaseRun => ({ verdict: { kind: r.verdict } as Verdict, evidence: r.evidence });

  it('keeps a waived failure visible but out of the gate', () => {
    const failing = usersWipeFailing();
    const waived = withPolicy(failing, run(failing), policy('2026-06-01'));
    expect(waived.verdict).toBe('fail');
    expect(waived.waived).toMatchObject({
      status: 'waived',
      expires: '2026-06-01',
      reason: expect.stringMatching(/SE-123/),
    });
    const report = reportOf([waived, eventsWipePassing()]);
    expect(report.summary).toMatchObject({ fail: 1, waived: 1, waiversExpired: 0 });
    expect(report.exitCode).toBe(0);
    expect(renderCaseLines(waived, style)[0]).toMatch(/WAIVED until 2026-06-01: vendor ticket SE-123/);
    const junit = renderJunit(report);
    expect(junit).toMatch(/failures="0" errors="0" skipped="1"/);
    expect(junit).toContain('FAIL (waived)');
  });

  it('counts a failure under an expired waiver as a plain failure and says so', () => {
    const failing = usersWipeFailing();
    const expired = withPolicy(failing, run(failing), policy('2026-05-31'));
    expect(expired.waived?.status).toBe('expired');
    const report = reportOf([expired], {
      waivers: {
        file: 'w.yaml',
        entries: [
          { case: 'http.wipedata.flags.users', reason: 'r', expires: '2026-05-31', expired: true, cases: [expired.id] },
        ],
      },
    });
    expect(report.summary).toMatchObject({ fail: 1, waived: 0, waiversExpired: 1 });
    expect(report.exitCode).toBe(1);
    expect(renderSummary(report, style).join('\n')).toMatch(
      /waiver expired 2026-05-31: http\.wipedata\.flags\.users fails the gate/,
    );
  });

  it('reports a waived case that passes now as no longer needed', () => {
    const passing = { ...eventsWipePassing(), id: 'http.wipedata.flags.users' };
    const unneeded = withPolicy(passing, run(passing), policy('2099-01-01'));
    expect(unneeded.waived?.status).toBe('no-longer-needed');
    const report = reportOf([unneeded], { waivers: { file: 'w.yaml', entries: [] } });
    expect(report.summary.waiversNoLongerNeeded).toBe(1);
    expect(renderSummary(report, style).join('\n')).toMatch(
      /waiver no longer needed: http\.wipedata\.flags\.users now passes/,
    );
  });

  it('leaves a plain run as it was: no waiver fields, the gate unchanged', () => {
    const failing = textPlainFailing();
    expect(withPolicy(failing, run(failing), {})).toEqual(failing);
    expect(exitCodeFor(summarize([failing]), true)).toBe(1);
  });
});

describe('repeats', () => {
  const ctx = { signal: new AbortController().signal } as RunContext;
  const planned = {
    transport: 'http',
    spec: { id: 'http.x.y', requires: undefined },
    source: 's',
  } as unknown as LoadedCase;
  const verdict = (kind: 'pass' | 'fail' | 'warn'): Verdict =>
    kind === 'pass' ? { kind, checks: [] } : { kind, failures: [], checks: [] };

  it('runs a case N times from its precondition and keeps the worst run, marking differing verdicts flaky', async () => {
    const kinds = ['pass', 'fail', 'pass'] as const;
    let calls = 0;
    const run = await runPlannedCase(planned, ctx, { repeat: 3 }, async () => {
      const kind = kinds[calls++] ?? 'pass';
      return { verdict: verdict(kind), evidence: { notes: [`run ${calls}`] } };
    });
    expect(calls).toBe(3);
    expect(run.verdict.kind).toBe('fail');
    expect(run.evidence.notes).toEqual(['run 2']);
    expect(run.repeats).toEqual(['pass', 'fail', 'pass']);
    const result = withPolicy({ ...usersWipeFailing(), message: 'status: expected 200' }, run, { repeat: 3 });
    expect(result).toMatchObject({ flaky: true, repeats: ['pass', 'fail', 'pass'] });
    expect(result.message).toMatch(/^flaky over 3 runs \(pass, fail, pass\); worst: status/);
    const report = reportOf([result], { repeat: 3 });
    expect(report.summary.flaky).toBe(1);
    expect(report.exitCode).toBe(1);
    expect(renderSummary(report, style).join('\n')).toMatch(
      /Repeated 3 times: 1 flaky cases\n {2}flaky: http\.wipedata\.flags\.users/,
    );
  });

  it('a steady case has its repeats but is not flaky', async () => {
    const run = await runPlannedCase(planned, ctx, { repeat: 2 }, async () => ({
      verdict: verdict('pass'),
      evidence: {},
    }));
    const result = withPolicy(eventsWipePassing(), run, { repeat: 2 });
    expect(result.repeats).toEqual(['pass', 'pass']);
    expect(result.flaky).toBeUndefined();
  });

  it('a case needing an undeclared capability is not-applicable and is never run', async () => {
    const needs = { ...planned, spec: { ...planned.spec, requires: ['mq-channel'] } } as unknown as LoadedCase;
    const manifest = loadCapabilityManifest(file('capabilities: []\n'));
    let calls = 0;
    const run = await runPlannedCase(needs, ctx, { capabilities: manifest, repeat: 3 }, async () => {
      calls++;
      return { verdict: verdict('fail'), evidence: {} };
    });
    expect(calls).toBe(0);
    expect(run.verdict).toMatchObject({
      kind: 'not-applicable',
      reason: expect.stringMatching(/capability mq-channel/),
    });
  });
});
