// The proof that a lab spreads over machines: six reference devices, three shards each run by its own
// `sophon-conformance run` process (the three ways a CI system or Kubernetes names a shard), then `merge`.
// The fleet answer is checked against the six devices' own reports, and the refusals against real shards.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeCommand } from '../../cli/commands/merge-command.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import type { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { FleetSummary, LabSummary } from '../../src/results/fleet-types.ts';
import type { Report } from '../../src/results/types.ts';
import { FAST_WINDOW_FLAGS, PROJECT_ROOT } from '../helpers/run-against-device.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'sophon-conformance.mjs');
// A narrow, fast selection that still spans four clauses and meets each fault below.
const ONLY = [
  'http.wipedata.content-type.text-plain',
  'http.wipedata.content-type.missing',
  'http.wipedata.arguments.missing-*',
  'http.wipedata.body.truncated',
  'http.wipedata.method.get',
];
// Devices 1, 3 and 4 are healthy; 2, 5 and 6 each break a different clause.
const FAULTS: Record<number, string> = {
  2: 'accepts-text-plain',
  5: 'message-not-naming-missing',
  6: 'ok-on-malformed-json',
};

const scratch = mkdtempSync(join(tmpdir(), 'sophon-fleet-'));
const devices: RunningDevice[] = [];
const lab = join(scratch, 'lab.yaml');
const shardDir = (k: number) => join(scratch, 'fleet', `shard-${k}`);

/** Runs the CLI in a process of its own; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const inherited = { ...process.env };
  for (const name of ['SOPHON_SHARD', 'JOB_COMPLETION_INDEX']) delete inherited[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...inherited, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

const shardArgs = (out: string, extra: string[] = []) => [
  'run',
  '--lab',
  lab,
  '--suite',
  'smoke',
  ...ONLY.flatMap((id) => ['--only', id]),
  ...FAST_WINDOW_FLAGS,
  '--reporter',
  'json,html',
  '--out',
  out,
  ...extra,
];

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

const results: { code: number; out: string }[] = [];

beforeAll(async () => {
  for (let i = 1; i <= 6; i++) {
    const faults = FAULTS[i] ? [FAULTS[i] as string] : [];
    devices.push(
      await startDevice({ port: 0, systemPort: 0, dataDir: join(scratch, `device-${i}`), bootMs: 40, faults }),
    );
  }
  writeFileSync(
    lab,
    `expected-minutes: 40\ndevices:\n${devices
      .map((d, i) => `  - { name: lab-${i + 1}, target: "${d.url}", system-port: ${d.systemPort} }\n`)
      .join('')}`,
  );
  // The three shards at once, each its own process, each told its slice another way.
  results.push(
    ...(await Promise.all([
      cli(shardArgs(shardDir(1), ['--shard', '1/3'])),
      cli(shardArgs(shardDir(2)), { SOPHON_SHARD: '2/3' }),
      cli(shardArgs(join(scratch, 'pod-2'), ['--shards', '3', '--bundle', join(scratch, 'shard-3.tar.gz')]), {
        JOB_COMPLETION_INDEX: '2',
      }),
    ])),
  );
}, 120_000);

afterAll(async () => {
  await Promise.all(devices.map((d) => d.close()));
  rmSync(scratch, { recursive: true, force: true });
});

describe('a lab of six devices in three shards, merged', () => {
  it('runs each device in exactly one shard, two devices a shard', () => {
    // Shard 1 holds two healthy devices; shards 2 and 3 each hold a faulty one.
    expect(results.map((r) => r.code)).toEqual([0, 1, 1]);
    const summaries = [shardDir(1), shardDir(2), join(scratch, 'pod-2')].map(
      (dir) => JSON.parse(readFileSync(join(dir, 'lab-summary.json'), 'utf8')) as LabSummary,
    );
    expect(summaries.map((s) => s.devices.map((d) => d.name))).toEqual([
      ['lab-1', 'lab-4'],
      ['lab-2', 'lab-5'],
      ['lab-3', 'lab-6'],
    ]);
    expect(summaries.map((s) => s.lab?.shard)).toEqual([
      { index: 1, count: 3 },
      { index: 2, count: 3 },
      { index: 3, count: 3 },
    ]);
    // Every shard knows the whole lab, with the same hash.
    expect(new Set(summaries.map((s) => s.lab?.hash)).size).toBe(1);
    expect(summaries[0]?.lab?.devices.map((d) => d.shard)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(results[0]?.out).toContain('lab run on 2 devices (shard 1/3: 2 of the lab');
    expect(existsSync(join(scratch, 'shard-3.tar.gz'))).toBe(true);
  });

  it('gives one fleet answer that agrees with every device report', async () => {
    const out = join(scratch, 'fleet');
    const console = capture();
    const code = await mergeCommand([out, shardDir(1), shardDir(2), join(scratch, 'shard-3.tar.gz')], console.out);
    expect(code).toBe(1);
    const fleet = JSON.parse(readFileSync(join(out, 'fleet-summary.json'), 'utf8')) as FleetSummary;
    expect(fleet.complete).toBe(true);
    expect(fleet.exitCode).toBe(1);
    expect(fleet.summary).toEqual({ devices: 6, pass: 3, fail: 3, incomplete: 0, notRun: 0, missing: 0 });
    expect(fleet.shards.map((s) => [s.index, s.integrity])).toEqual([
      [1, 'folder'],
      [2, 'folder'],
      [3, 'manifest'],
    ]);
    for (const device of fleet.devices) {
      // The report each device's own run wrote, wherever its shard put it (the bundle unpacked under OUT).
      const report = JSON.parse(readFileSync(join(out, device.json ?? 'none'), 'utf8')) as Report;
      expect(device.exitCode, device.name).toBe(report.exitCode);
      expect(device.summary).toEqual(report.summary);
      expect(device.firmware).toEqual(report.device?.firmware);
      expect(device.clauses).toEqual(
        Object.fromEntries(report.clauses.filter((c) => c.verdict !== 'uncovered').map((c) => [c.id, c.verdict])),
      );
      expect(device.problems.map((p) => p.id)).toEqual(
        report.results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable').map((r) => r.id),
      );
      expect(existsSync(join(out, device.href ?? 'none'))).toBe(true);
    }
    const failing = Object.fromEntries(fleet.devices.map((d) => [d.name, d.problems.map((p) => p.id)]));
    expect(failing).toEqual({
      'lab-1': [],
      'lab-2': ['http.wipedata.content-type.text-plain'],
      'lab-3': [],
      'lab-4': [],
      'lab-5': [
        'http.wipedata.arguments.missing-empty-object',
        'http.wipedata.arguments.missing-typo-user',
        'http.wipedata.arguments.missing-capitalised-users',
      ],
      'lab-6': ['http.wipedata.body.truncated'],
    });
    // Which device fails which clause: HTTP-2 only on the device that takes text/plain, HTTP-3 only on the one
    // that answers malformed JSON with 200.
    const clause = (id: string) => fleet.clauses.find((c) => c.id === id);
    expect(clause('HTTP-2')?.fail).toEqual(['lab-2']);
    expect(clause('HTTP-3')?.fail).toEqual(['lab-6']);
    expect([...(clause('HTTP-4')?.fail ?? []), ...(clause('HTTP-4')?.warn ?? [])]).toEqual(['lab-5']);
    expect(fleet.firmware).toEqual([
      {
        version: 'reference-device 0.1.0',
        devices: ['lab-1', 'lab-2', 'lab-3', 'lab-4', 'lab-5', 'lab-6'],
        exitCode: 1,
      },
    ]);
    expect(console.text()).toMatch(/fleet: 3 pass, 3 fail, 0 incomplete, 0 not run, 0 missing; exit 1/);
    expect(readFileSync(join(out, 'fleet.html'), 'utf8')).toContain('id="fleet-data"');
  });

  it('names a missing shard and exits 2', async () => {
    const console = capture();
    const out = join(scratch, 'half');
    expect(await mergeCommand([out, shardDir(1), join(scratch, 'shard-3.tar.gz')], console.out)).toBe(2);
    expect(console.text()).toContain('MISSING shard 2/3: lab-2, lab-5');
    const fleet = JSON.parse(readFileSync(join(out, 'fleet-summary.json'), 'utf8')) as FleetSummary;
    expect(fleet.missingShards).toEqual([{ index: 2, devices: ['lab-2', 'lab-5'] }]);
  });

  it('refuses a shard that ran another spec hash', async () => {
    // The same cases, one comment added to the clause catalogue: another spec hash, as another checkout would have.
    const specs = join(scratch, 'other-specs');
    cpSync(join(PROJECT_ROOT, 'specs'), join(specs, 'specs'), { recursive: true });
    cpSync(join(PROJECT_ROOT, 'suites'), join(specs, 'suites'), { recursive: true });
    const clauses = join(specs, 'specs', 'clauses.yaml');
    writeFileSync(clauses, `${readFileSync(clauses, 'utf8')}\n# edited on another branch\n`);
    const other = join(scratch, 'other-shard-2');
    const run = await cli(shardArgs(other, ['--shard', '2/3', '--specs', specs]));
    expect(run.code).toBe(1);
    let refused: unknown;
    try {
      await mergeCommand([join(scratch, 'mixed'), shardDir(1), other, join(scratch, 'shard-3.tar.gz')], capture().out);
    } catch (error) {
      refused = error;
    }
    // main() prints it as one line and exits 2, as for every ConformanceError.
    expect((refused as ConformanceError).describe()).toMatch(
      /^MERGE_REFUSED: shards ran different spec hashes: .*shard-1 \(shard 1\/3\) [0-9a-f]{12}…, .*other-shard-2 \(shard 2\/3\) [0-9a-f]{12}…; run every shard from the same specs$/,
    );
    expect(existsSync(join(scratch, 'mixed', 'fleet-summary.json'))).toBe(false);
  }, 60_000);
});
