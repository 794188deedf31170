import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { BIN, runCli } from '../helpers/cli-process.ts';

// The console as a person sees it, against a reference device that boots in 4 s as a (fast) real one would:
// through a real pseudo-terminal (tmux), the status line is redrawn in place through the reboot; piped, the
// same run prints plain lines, a heartbeat while the device is down, and not one escape code.

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const BOOT_MS = 4_000;
const CASE = 'http.wipedata.flags.users';
let device: RunningDevice;
const dir = mkdtempSync(join(tmpdir(), 'sophon-live-'));

beforeAll(async () => {
  device = await startDevice({ port: 0, systemPort: 0, dataDir: join(dir, 'device'), bootMs: BOOT_MS });
});

afterAll(async () => {
  await device.close();
  rmSync(dir, { recursive: true, force: true });
});

function runArgs(out: string, ...more: string[]): string[] {
  return [
    'run',
    '--target',
    device.url,
    '--system-port',
    String(device.systemPort),
    '--only',
    CASE,
    '--down-within',
    '5000',
    '--up-within',
    '30000',
    '--quiet-ms',
    '300',
    '--reporter',
    'console,json',
    '--out',
    join(dir, out),
    ...more,
  ];
}

describe('the live console', () => {
  it.skipIf(!hasTmux)('on a terminal redraws one status line in place through the reboot', async () => {
    const socket = `sophon-test-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const quoted = [process.execPath, BIN, ...runArgs('tty')].map((a) => `'${a}'`).join(' ');
    tmux('new-session', '-d', '-x', '200', '-y', '40', '-s', 'run', `${quoted}; echo "exit $?"; sleep 60`);
    const screens: string[] = [];
    try {
      const deadline = performance.now() + 45_000;
      while (performance.now() < deadline) {
        const screen = tmux('capture-pane', '-p', '-e', '-t', 'run');
        screens.push(screen);
        if (/exit \d/.test(screen)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    }
    const plain = (screen: string) => stripVTControlCharacters(screen);
    const during = screens.map(plain).find((s) => s.includes('waiting for the device to come back'));
    expect(during, screens.map(plain).join('\n=====\n')).toBeDefined();
    // One status line, in place: the case count, the id, the phase with the down time and its window, time spent.
    const status = (during as string).split('\n').filter((line) => line.startsWith('[1/1] '));
    expect(status).toHaveLength(1);
    expect(status[0]).toMatch(
      /^\[1\/1\] http\.wipedata\.flags\.users · waiting for the device to come back \(down \d+\.\d s after the answer; \d+ s of 30 s\) · 0:\d\d elapsed · /,
    );
    // The status line moved on through the boot (seconds counted up) and is gone once the run is over.
    const seconds = screens
      .map(plain)
      .flatMap((s) => [...s.matchAll(/come back \(down [\d.]+ s after the answer; (\d+) s of 30 s\)/g)])
      .map((m) => Number(m[1]));
    expect(Math.max(...seconds)).toBeGreaterThanOrEqual(2);
    const last = screens.at(-1) as string;
    expect(plain(last)).toMatch(/PASS http\.wipedata\.flags\.users/);
    expect(plain(last)).toMatch(/exit 0/);
    expect(plain(last)).not.toMatch(/^\[1\/1\]/m);
    // Colours on a terminal: the verdict is green.
    expect(last).toContain('\u001b[32mPASS\u001b[39m');
  });

  it('piped prints plain lines with a heartbeat during the reboot, and no escape code', async () => {
    const run = await runCli(runArgs('piped'), { env: { ...process.env, SOPHON_HEARTBEAT_MS: '1000' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toMatch(
      /^… \[1\/1\] http\.wipedata\.flags\.users · waiting for the device to come back \(down [\d.]+ s after the answer; \d+ s of 30 s\)/m,
    );
    expect(run.stdout).toMatch(/^PASS http\.wipedata\.flags\.users/m);
  });

  it('--quiet prints only the summary; FORCE_COLOR colours it even piped, NO_COLOR wins over it', async () => {
    const quiet = ['--only', 'http.wipedata.content-type.text-plain', '--quiet'];
    const forced = await runCli([...runArgs('quiet'), ...quiet], { env: { ...process.env, FORCE_COLOR: '1' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).not.toMatch(/PASS http\.wipedata/);
    expect(forced.stdout).not.toMatch(/sophon-conformance \d/);
    expect(forced.stdout).toContain('Gate: \u001b[32mPASS\u001b[39m (exit 0)');
    const none = await runCli([...runArgs('quiet'), ...quiet], {
      env: { ...process.env, FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    expect(none.stdout).toMatch(/^Gate: PASS \(exit 0\)$/m);
    expect(none.stdout).not.toContain('\u001b');
  });
});
