import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { BIN } from '../helpers/cli-process.ts';

// Ctrl-C on a real terminal (tmux), where the status line's library (log-update → restore-cursor →
// signal-exit) has its own exit hook: the run must still stop after its step, write its partial reports and
// exit 3, as it does piped (test/hostile/interrupt.test.ts).

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const BOOT_MS = 3_000;
let device: RunningDevice;
const dir = mkdtempSync(join(tmpdir(), 'sophon-ctrl-c-'));

beforeAll(async () => {
  device = await startDevice({ port: 0, systemPort: 0, dataDir: join(dir, 'device'), bootMs: BOOT_MS });
});

afterAll(async () => {
  await device.close();
  rmSync(dir, { recursive: true, force: true });
});

// The run's exit, written by its parent: tmux's own pane status is not always recorded before the pane reads as
// dead. The parent ignores the terminal's Ctrl-C (it is the run's to handle) and only reports how the run ended.
const REPORT_EXIT = `
const { spawn } = require('node:child_process');
const [file, args] = [process.argv[2], JSON.parse(process.argv[3])];
process.on('SIGINT', () => {});
spawn(process.execPath, args, { stdio: 'inherit' }).on('exit', (code, signal) => {
  require('node:fs').writeFileSync(file, (code ?? '') + '/' + (signal ?? ''));
});`;

/** The run in a tmux pane that stays once the process is gone; its exit status (or signal) as `code/signal`. */
async function runInTerminal(out: string): Promise<{ screens: string[]; exit: string }> {
  const socket = `sophon-ctrl-c-${process.pid}-${out}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const exitFile = join(dir, `${out}.exit`);
  const wrapper = join(dir, 'report-exit.cjs');
  writeFileSync(wrapper, REPORT_EXIT);
  const args = [
    BIN,
    'run',
    '--target',
    device.url,
    '--system-port',
    String(device.systemPort),
    '--only',
    'http.wipedata.flags.*',
    '--down-within',
    '5000',
    '--up-within',
    '30000',
    '--quiet-ms',
    '300',
    '--out',
    join(dir, out),
  ];
  // Several arguments: tmux runs the process itself, no shell between it and the terminal's Ctrl-C.
  tmux(
    ...['-f', '/dev/null', 'new-session', '-d', '-x', '80', '-y', '30', '-s', 'run'],
    ...[process.execPath, wrapper, exitFile, JSON.stringify(args)],
  );
  tmux('set-option', '-t', 'run', 'remain-on-exit', 'on');
  const screens: string[] = [];
  const screen = () => {
    const text = stripVTControlCharacters(tmux('capture-pane', '-p', '-J', '-t', 'run'));
    screens.push(text);
    return text;
  };
  const dead = () => tmux('display-message', '-p', '-t', 'run', '#{pane_dead}').trim() === '1';
  try {
    // 80 columns: the live line's short wording of "waiting for the device to come back".
    const rebooting = await until(() => / · rebooting /.test(screen()), 45_000);
    expect(rebooting, screens.join('\n=====\n')).toBe(true);
    tmux('send-keys', '-t', 'run', 'C-c');
    const ended = await until(dead, 45_000);
    screen();
    expect(ended, screens.join('\n=====\n')).toBe(true);
    const written = await until(() => existsSync(exitFile), 5_000);
    expect(written, screens.join('\n=====\n')).toBe(true);
    return { screens, exit: readFileSync(exitFile, 'utf8') };
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  }
}

async function until(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

describe.skipIf(!hasTmux)('Ctrl-C on a terminal', () => {
  it('stops after the current step, writes the partial reports and exits 3', async () => {
    const { screens, exit } = await runInTerminal('once');
    const last = screens.at(-1) as string;
    expect(exit, last).toBe('3/');
    expect(last).toContain('SIGINT: stopping after the current step; writing a partial report');
    expect(last).toMatch(/Gate: INCOMPLETE \(exit 3\)/);
    expect(last).toContain(`continue it: sophon-conformance run --resume ${join(dir, 'once')}`);
    const report = JSON.parse(readFileSync(join(dir, 'once', 'report.json'), 'utf8'));
    expect(report.complete).toBe(false);
    expect(report.exitCode).toBe(3);
    expect(existsSync(join(dir, 'once', 'report.html'))).toBe(true);
    // --resume continues from the journal, which an interrupted run keeps.
    expect(existsSync(join(dir, 'once', 'journal.ndjson'))).toBe(true);
  });
});
