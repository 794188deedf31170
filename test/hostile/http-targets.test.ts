import { describe, expect, it } from 'vitest';
import { HTTP_CASES, SCENARIOS, type Scenario, SLACK_MS } from './scenarios.ts';

// Hostile HTTP targets (servers.ts) in front of a healthy reference device: only the wipedata answer
// is spoiled. Whatever the target does, the run ends, no exposed case passes, no exchange outlives its
// timeout by more than SLACK_MS, and each verdict's message names what happened.

const byName = (name: string): Scenario => {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
};

describe('hostile HTTP targets', () => {
  it('the relay itself is harmless: both cases pass through it (control)', async () => {
    const result = await byName('http.healthy').run();
    const verdicts = result.report?.results.map((r) => `${r.id}: ${r.verdict} ${r.message}`).sort();
    expect(verdicts).toEqual([...HTTP_CASES].sort().map((id) => expect.stringMatching(new RegExp(`^${id}: pass`))));
    expect(result.exitCode).toBe(0);
  });

  // Never a pass: a fail or could-not-test, except where the documents allow the behaviour at SHOULD level.
  const cases: { name: string; says: RegExp; verdicts?: string[] }[] = [
    {
      name: 'http.hang',
      says: /no complete response within 2000 ms, before the status line and headers were complete/,
    },
    { name: 'http.drip', says: /no complete response within 2000 ms/ },
    { name: 'http.reset', says: /connection closed before a complete response .*after status \d+ and \d+ body bytes/ },
    { name: 'http.garbage', says: /the target did not answer with HTTP .*first bytes 00 / },
    { name: 'http.huge', says: /response body longer than 1048576 bytes: the checker stopped reading it/ },
    {
      name: 'http.wrong-content-type',
      says: /content-type: expected content-type application\/json; received content-type text\/html/,
      // HTTP-11 decision: the answer's Content-Type is a SHOULD (the documents pin the JSON body, not its label).
      verdicts: ['warn'],
    },
    { name: 'http.tls', says: /the target answered with TLS, not HTTP .*is this an https port\?/ },
  ];
  // Concurrent: each scenario has its own device and ports, and spends most of its time waiting.
  it.concurrent.each(cases)(
    '$name: never a pass, never past the timeout, and the message says why',
    async ({ name, says, verdicts = ['fail', 'could-not-test'] }) => {
      const result = await byName(name).run();
      const exposed = result.exposed.map((e) => `${e.id}: ${e.verdict} ${e.message}`);
      expect(result.falsePasses, exposed.join('\n')).toBe(0);
      expect(result.exposed.length).toBeGreaterThan(0);
      for (const e of result.exposed) {
        expect(verdicts, `${e.id}: ${e.message}`).toContain(e.verdict);
        expect(e.message, e.id).toMatch(says);
      }
      expect(verdicts.includes('warn') ? [0] : [1, 3]).toContain(result.exitCode);
      expect(result.hung).toBe(false);
      expect(result.requestOverrunMs).toBeLessThanOrEqual(SLACK_MS);
      if (name === 'http.drip' || name === 'http.hang') {
        // The timeout bounds the whole exchange, not the gaps between bytes: one byte a second never
        // trips undici's headersTimeout/bodyTimeout, yet the exchange ends at the timeout.
        expect(result.requestOverrunMs).toBeGreaterThanOrEqual(-50);
      }
      // The report never carries more than the evidence cap of a hostile body.
      expect(JSON.stringify(result.report).length).toBeLessThan(1_000_000);
    },
  );
});
