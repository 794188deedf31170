import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceFromTarget, isLabRun, parseLab, worstExit } from '../../api/lab/lab-run.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import type { Report } from '../../src/results/types.ts';
import { FAST_WINDOW_FLAGS, withDevice } from '../helpers/run-against-device.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sophon-lab-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A console that keeps what it is given. */
function capture(): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = {
    isTTY: false,
    write: (chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

const CASES = ['http.wipedata.body.truncated', 'http.wipedata.content-type.text-plain', 'http.wipedata.flags.events'];

describe('lab mode: run against several devices at once', () => {
  it('writes a report per device and a summary, and exits with the worst device', async () => {
    const out = join(scratch, 'lab');
    const console = capture();
    const code = await withDevice([], (healthy) =>
      withDevice(['ok-on-malformed-json'], (broken) =>
        runCommand(
          [
            '--target',
            `${healthy.url},system=${healthy.systemPort},name=healthy`,
            '--target',
            `${broken.url},system=${broken.systemPort},name=broken`,
            ...CASES.flatMap((id) => ['--only', id]),
            ...FAST_WINDOW_FLAGS,
            '--reporter',
            'console,json',
            '--out',
            out,
          ],
          console.out,
        ),
      ),
    );
    expect(code).toBe(1);

    const report = (name: string) => JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8')) as Report;
    const verdicts = (r: Report) => Object.fromEntries(r.results.map((c) => [c.id, c.verdict]));
    expect(verdicts(report('healthy'))).toEqual({
      'http.wipedata.body.truncated': 'pass',
      'http.wipedata.content-type.text-plain': 'pass',
      'http.wipedata.flags.events': 'pass',
    });
    expect(verdicts(report('broken'))).toEqual({
      'http.wipedata.body.truncated': 'fail',
      'http.wipedata.content-type.text-plain': 'pass',
      'http.wipedata.flags.events': 'pass',
    });

    const summary = JSON.parse(readFileSync(join(out, 'lab-summary.json'), 'utf8'));
    expect(summary.exitCode).toBe(1);
    expect(
      summary.devices.map((d: { name: string; exitCode: number; summary: { fail: number } }) => [
        d.name,
        d.exitCode,
        d.summary.fail,
      ]),
    ).toEqual([
      ['healthy', 0, 0],
      ['broken', 1, 1],
    ]);
    // Each device's console lines carry its name; the summary names both and the worst exit.
    expect(console.text()).toMatch(/^\[broken \] FAIL http\.wipedata\.body\.truncated/m);
    expect(console.text()).toMatch(/^\[healthy\] PASS http\.wipedata\.body\.truncated/m);
    expect(console.text()).toMatch(/lab: 2 devices, exit 1/);
  }, 60_000);

  it('records a device that cannot be reached as exit 2, and 2 is the worst', async () => {
    const out = join(scratch, 'unreachable');
    const console = capture();
    const code = await withDevice([], (healthy) =>
      runCommand(
        [
          '--target',
          `${healthy.url},system=${healthy.systemPort},name=up`,
          '--target',
          'http://127.0.0.1:1,system=0,name=gone',
          '--only',
          'http.wipedata.content-type.text-plain',
          ...FAST_WINDOW_FLAGS,
          '--reporter',
          'json',
          '--out',
          out,
        ],
        console.out,
      ),
    );
    expect(code).toBe(2);
    const summary = JSON.parse(readFileSync(join(out, 'lab-summary.json'), 'utf8'));
    expect(summary.devices.map((d: { exitCode: number }) => d.exitCode)).toEqual([0, 2]);
    expect(summary.devices[1].error).toMatch(/TARGET_UNREACHABLE/);
  }, 60_000);

  it('reads devices from --target syntax and from a lab file', () => {
    expect(isLabRun(['--target', 'http://a:5555'])).toBe(false);
    expect(isLabRun(['--target', 'http://a:5555', '--target', 'http://b:5555'])).toBe(true);
    expect(isLabRun(['--target=http://a:5555,system=8888'])).toBe(true);
    expect(isLabRun(['--lab', 'lab.yaml'])).toBe(true);
    expect(deviceFromTarget('http://10.0.0.5:5555,system=9999,up-queue=replies-5')).toEqual({
      name: '10.0.0.5-5555',
      target: 'http://10.0.0.5:5555',
      flags: ['--system-port', '9999', '--up-queue', 'replies-5'],
    });
    expect(() => deviceFromTarget('http://a:5555,out=/tmp/x')).toThrow(/not a per-device setting/);
    expect(() => deviceFromTarget('http://a:5555,system')).toThrow(/not KEY=VALUE/);

    const lab = join(scratch, 'lab.yaml');
    writeFileSync(
      lab,
      'devices:\n  - { name: bench-a, target: "http://10.0.0.5:5555", system-port: 8888 }\n  - target: http://10.0.0.6:5555\n    command-queue: queue-dev-6\n',
    );
    const parsed = parseLab(['--lab', lab, '--suite', 'smoke', '--out', '/tmp/lab-out'], () => 'unused');
    expect(parsed.outDir).toBe('/tmp/lab-out');
    expect(parsed.common).toEqual(['--suite', 'smoke']);
    expect(parsed.devices).toEqual([
      { name: 'bench-a', target: 'http://10.0.0.5:5555', flags: ['--system-port', '8888'] },
      { name: '10.0.0.6-5555', target: 'http://10.0.0.6:5555', flags: ['--command-queue', 'queue-dev-6'] },
    ]);
    // Exit codes: could not run (2) > a MUST failed (1) > incomplete (3) > green (0).
    expect(worstExit([0, 3, 1])).toBe(1);
    expect(worstExit([1, 2, 0])).toBe(2);
    expect(worstExit([0, 3])).toBe(3);
    expect(worstExit([])).toBe(0);
  });
});
