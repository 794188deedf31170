// The lab through the programmatic API: devices with their own settings as values, never argv.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LabEvent, runLab } from '../../api/lab/run-lab.ts';
import { describeLab } from '../../src/lab/describe-lab.ts';
import { deviceFlags, type LabDevice, loadLab } from '../../src/lab/lab-file.ts';
import { labHash } from '../../src/lab/lab-shards.ts';
import type { LabSummary } from '../../src/results/fleet-types.ts';
import type { Report } from '../../src/results/types.ts';
import { FAST_WINDOWS, withDevice } from '../helpers/run-against-device.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sophon-lab-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SHARED = {
  only: 'http.wipedata.body.truncated',
  'down-within': FAST_WINDOWS.downWithinMs,
  'up-within': FAST_WINDOWS.upWithinMs,
  'quiet-ms': FAST_WINDOWS.quietMs,
  'probe-ms': FAST_WINDOWS.probeIntervalMs,
  reporter: 'json',
};

describe('loadLab: a lab file as devices with their own settings', () => {
  it('reads each device as name, target, settings by flag name and expected minutes', () => {
    const file = join(scratch, 'lab.yaml');
    writeFileSync(
      file,
      [
        'expected-minutes: 40',
        'devices:',
        '  - { name: cam, target: "http://10.0.0.5:5555", system: 9999, up-queue: replies-5 }',
        '  - { name: cam, target: "http://10.0.0.6:5555", timeout: 2000, expected-minutes: 15 }',
        '',
      ].join('\n'),
    );
    expect(loadLab(file).devices).toEqual([
      {
        name: 'cam',
        target: 'http://10.0.0.5:5555',
        values: { 'system-port': '9999', 'up-queue': 'replies-5' },
        expectedMinutes: 40,
      },
      { name: 'cam-2', target: 'http://10.0.0.6:5555', values: { timeout: '2000' }, expectedMinutes: 15 },
    ]);
  });

  it('refuses a key that is not a setting of a device, naming the file and the device', () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(file, 'devices:\n  - { target: "http://a:5555", resume: /tmp/x }\n');
    expect(() => loadLab(file)).toThrow(/bad\.yaml: devices\[0\]: "resume" is not a per-device setting/);
    writeFileSync(file, 'devices:\n  - { target: "http://a:5555", out: /tmp/x }\n');
    expect(() => loadLab(file)).toThrow(/"out" is not a per-device setting/);
  });

  it("keeps a lab's identity as the flags written: the hash of a lab file does not change with the model", () => {
    const device: LabDevice = { name: 'b', target: 'http://10.0.0.2:5555', values: { 'system-port': '0' } };
    expect(deviceFlags(device)).toEqual(['--system-port', '0']);
    const { lab } = describeLab([device], { suite: 'smoke' });
    expect(lab.hash).toBe(labHash([{ name: 'b', target: 'http://10.0.0.2:5555', flags: ['--system-port', '0'] }]));
  });
});

describe('runLab: every device through the API', () => {
  it('runs each device with the shared settings and its own, reports per device, and exits with the worst', async () => {
    const out = join(scratch, 'lab');
    const events: string[] = [];
    const outcome = await withDevice([], (healthy) =>
      withDevice(['ok-on-malformed-json'], (broken) =>
        runLab(
          {
            devices: [
              { name: 'healthy', target: healthy.url, values: { 'system-port': healthy.systemPort } },
              {
                name: 'broken',
                target: broken.url,
                // A list setting of a device adds to the shared one, as a flag given twice does.
                values: { 'system-port': broken.systemPort, only: 'http.wipedata.content-type.text-plain' },
              },
              // A bad setting stops that device (exit 2, the reason) and no other.
              { name: 'typo', target: healthy.url, values: { timeout: 'soon' } },
            ],
            shared: SHARED,
            out,
          },
          (event: LabEvent) => {
            if (event.type === 'device-event' && event.event.type === 'result') {
              events.push(`${event.device.name} ${event.event.result.id} ${event.event.result.verdict}`);
            } else if (event.type === 'device-end') events.push(`${event.device.name} end ${event.result.exitCode}`);
            else if (event.type !== 'device-event') events.push(event.type);
          },
        ),
      ),
    );
    expect(outcome.exitCode).toBe(2);
    const summary = JSON.parse(readFileSync(outcome.summaryPath, 'utf8')) as LabSummary;
    expect(summary).toEqual(outcome.summary);
    expect(summary.devices.map((d) => [d.name, d.exitCode, d.summary?.fail])).toEqual([
      ['healthy', 0, 0],
      ['broken', 1, 1],
      ['typo', 2, undefined],
    ]);
    expect(summary.devices[2]?.error).toMatch(/--timeout soon: want a whole number/);
    const report = (name: string) => JSON.parse(readFileSync(join(out, name, 'report.json'), 'utf8')) as Report;
    expect(report('healthy').results.map((r) => r.id)).toEqual(['http.wipedata.body.truncated']);
    expect(Object.fromEntries(report('broken').results.map((r) => [r.id, r.verdict]))).toEqual({
      'http.wipedata.body.truncated': 'fail',
      'http.wipedata.content-type.text-plain': 'pass',
    });
    // Only the reports asked for: json, no html.
    expect(existsSync(join(out, 'healthy', 'report.html'))).toBe(false);
    // Per-device events: the lab starts, each device's results come before its end, the lab ends last.
    expect(events[0]).toBe('lab-start');
    expect(events.at(-1)).toBe('end');
    expect(events).toContain('healthy http.wipedata.body.truncated pass');
    expect(events.indexOf('broken http.wipedata.body.truncated fail')).toBeLessThan(events.indexOf('broken end 1'));
    expect(events).toContain('typo end 2');
  }, 60_000);

  it('runs only the devices of its shard, and records the whole lab', async () => {
    const out = join(scratch, 'shard');
    const outcome = await withDevice([], (device) =>
      runLab({
        devices: [
          { name: 'a', target: 'http://127.0.0.1:1', values: {} },
          { name: 'b', target: device.url, values: { 'system-port': device.systemPort } },
        ],
        shared: SHARED,
        out,
        shard: { index: 2, count: 2 },
      }),
    );
    expect(outcome.exitCode).toBe(0);
    expect(outcome.summary.devices.map((d) => d.name)).toEqual(['b']);
    expect(outcome.summary.lab?.devices).toEqual([
      { name: 'a', shard: 1 },
      { name: 'b', shard: 2 },
    ]);
    expect(existsSync(join(out, 'a'))).toBe(false);
  }, 60_000);

  it('refuses an unknown shared setting before any device is touched', async () => {
    await expect(
      runLab({
        devices: [{ name: 'a', target: 'http://127.0.0.1:1', values: {} }],
        shared: { tiemout: 1 } as never,
        out: join(scratch, 'x'),
      }),
    ).rejects.toThrow(/unknown setting tiemout/);
    expect(existsSync(join(scratch, 'x'))).toBe(false);
  });
});
