import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { SCENARIOS } from './scenarios.ts';
import { startHostileTarget } from './servers.ts';

// A target that cannot be checked at all is exit 2 with one line that says what it does instead,
// within the preflight window (plus two probes), never a hang.

// main() in this process, as bin/ calls it: the exit code it returns and what it wrote on stderr.
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('targets that cannot be checked at the start', () => {
  const cases: { name: string; says: RegExp }[] = [
    {
      name: 'http.refused',
      says: /^TARGET_UNREACHABLE: http:\/\/127\.0\.0\.1:\d+ is unreachable at the start of the run \(ECONNREFUSED\)$/,
    },
    {
      name: 'http.hang-everywhere',
      says: /accepts connections but its API is not ready within 2000 ms \(getconfigs: no complete response within 1000 ms, before the status line and headers were complete\)$/,
    },
    {
      name: 'http.garbage-everywhere',
      says: /\(getconfigs: the target did not answer with HTTP \(.*; first bytes 00 fd 13 37 7f/,
    },
    {
      name: 'http.tls-everywhere',
      says: /\(getconfigs: the target answered with TLS, not HTTP \(a TLS handshake record; .*\): is this an https port\?\)$/,
    },
  ];
  it.concurrent.each(cases)(
    '$name: exit 2, one line saying why, within the preflight window',
    async ({ name, says }) => {
      const scenario = SCENARIOS.find((s) => s.name === name);
      const result = await scenario?.run();
      expect(result?.exitCode, result?.line).toBe(2);
      expect(result?.line).toMatch(says);
      expect(result?.hung, `ran ${result?.wallMs} ms against a budget of ${result?.budgetMs} ms`).toBe(false);
    },
  );

  it('through the command line: exit 2 and exactly one line on stderr (a TLS port)', async () => {
    const target = await startHostileTarget({ mode: 'tls', scope: 'all' });
    try {
      const run = await cli(['run', '--target', target.url, '--system-port', '0', '--reporter', 'console']);
      expect(run.code).toBe(2);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^sophon-conformance: TARGET_UNREACHABLE: .*answered with TLS, not HTTP/);
    } finally {
      await target.close();
    }
  });

  it('an https:// target is refused before anything is sent', async () => {
    const run = await cli(['run', '--target', 'https://127.0.0.1:1', '--system-port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'sophon-conformance: CONFIG_INVALID: --target https://127.0.0.1:1: only http:// targets are supported',
    );
  });
});
