import { afterEach, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli-process.ts';

// The reference device in the foreground, as a person runs it beside a checker: a line when a wipe reboots
// it and when it is back (none with --quiet), and --boot-ms beats the slow-boot variant's own boot time.

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** Starts `device` with these flags; resolves with its API URL and a way to wait for a stdout line. */
async function device(...flags: string[]) {
  let stdout = '';
  const waiters = new Set<() => void>();
  const run = runCli(['device', '--port', '0', '--system-port', '0', ...flags], {
    killAfterMs: 60_000,
    onStdout: (text) => {
      stdout += text;
      for (const wake of waiters) wake();
    },
  });
  stops.push(() => run.child.kill('SIGTERM'));
  const waitFor = (pattern: RegExp, withinMs = 15_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const found = pattern.exec(stdout);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in:\n${stdout}`)), withinMs);
      waiters.add(check);
      check();
    });
  const url = (await waitFor(/ready: api (http:\/\/\S+)/))[1] as string;
  return { url, waitFor, output: () => stdout, run: run as Promise<CliRun> };
}

const wipe = (url: string) =>
  fetch(`${url}/sophon/v2/face/wipedata`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"users":true}',
  }).then((r) => r.json());

describe('device', () => {
  it('prints a line when a wipe reboots it and when it is back; --boot-ms beats slow-boot (1.5 s)', async () => {
    const d = await device('--variant', 'slow-boot', '--boot-ms', '2500');
    expect(await wipe(d.url)).toEqual({ result: true });
    await d.waitFor(/^[\d:.]+ wipedata answered: rebooting \(API and system ports closed\)$/m);
    const back = await d.waitFor(/^[\d:.]+ back: ready again (\d+) ms after going down$/m);
    expect(Number(back[1])).toBeGreaterThanOrEqual(2500);
    expect(Number(back[1])).toBeLessThan(6_000);
    expect(d.output().trim().split('\n')).toHaveLength(4);
  }, 30_000);

  it('--quiet prints the ready line only', async () => {
    const d = await device('--quiet', '--boot-ms', '100');
    await wipe(d.url);
    // Back once the API answers again after the reboot.
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`${d.url}/sophon/v2/face/getconfigs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(d.output().trim().split('\n')).toEqual([expect.stringMatching(/^sophon reference device ready: /)]);
  }, 30_000);
});
