import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, extract } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../api/lab/merge-shards.ts';
import { mergeCommand } from '../../cli/commands/merge-command.ts';
import { writeLabBundle } from '../../src/bundle/write-lab-bundle.ts';
import type { FleetSummary, LabSummary } from '../../src/results/fleet-types.ts';
import type { Report } from '../../src/results/types.ts';
import { loadSpecs } from '../../src/specs/load-specs.ts';
import { type FixtureDevice, sampleLab, writeShardFolders } from '../fixtures/reports/fleet-shards.ts';
import { PROJECT_ROOT } from '../helpers/run-against-device.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sophon-merge-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const fresh = () => {
  const dir = join(scratch, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
};

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

async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('MERGE_REFUSED');
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('merge was not refused');
}

const LAB = sampleLab();

describe('merge: one fleet answer from the shards of a lab', () => {
  it('puts the six devices of three shards together, as their own reports say', async () => {
    const dir = fresh();
    const shards = writeShardFolders(dir, LAB, 3);
    const { fleet } = await mergeShards(dir, shards);
    expect(fleet.complete).toBe(true);
    expect(fleet.devices.map((d) => [d.name, d.shard, d.exitCode])).toEqual([
      ['bench-a', 1, 0],
      ['bench-b', 2, 1],
      ['bench-c', 3, 0],
      ['bench-d', 1, 3],
      ['bench-e', 2, 2],
      ['bench-f', 3, 0],
    ]);
    // A device that could not run is exit 2, and 2 is the worst: the fleet is not a pass.
    expect(fleet.exitCode).toBe(2);
    expect(fleet.summary).toEqual({ devices: 6, pass: 3, fail: 1, incomplete: 1, notRun: 1, missing: 0 });
    expect(fleet.devices.find((d) => d.name === 'bench-e')?.error).toMatch(/TARGET_UNREACHABLE/);

    // Each device's counts, clause verdicts and problems are its own report's.
    for (const device of LAB.filter((d) => d.report)) {
      const report = device.report as Report;
      const got = fleet.devices.find((d) => d.name === device.name);
      expect(got?.summary).toEqual(report.summary);
      expect(got?.clauses).toEqual(
        Object.fromEntries(report.clauses.filter((c) => c.verdict !== 'uncovered').map((c) => [c.id, c.verdict])),
      );
      expect(got?.problems.map((p) => p.id)).toEqual(
        report.results.filter((r) => ['fail', 'warn', 'could-not-test'].includes(r.verdict)).map((r) => r.id),
      );
      // The link is relative to fleet.html and reaches the device's own page.
      expect(existsSync(join(dir, got?.href ?? 'none'))).toBe(true);
    }
    const mixed = (LAB[1] as FixtureDevice).report as Report;
    for (const clause of fleet.clauses) {
      const failing = mixed.clauses.find((c) => c.id === clause.id)?.verdict === 'fail' ? ['bench-b'] : [];
      expect(clause.fail, clause.id).toEqual(failing);
    }
    expect(fleet.clauses.find((c) => c.id === 'HTTP-6')?.fail).toEqual(['bench-b']);

    // Grouped by the firmware each device reported; those that reported none (or never ran) last.
    expect(fleet.firmware).toEqual([
      { version: '2.1.0 · nnsdk 1.4', devices: ['bench-a', 'bench-c'], exitCode: 0 },
      { version: '2.2.0-rc1 · nnsdk 1.4', devices: ['bench-b', 'bench-d'], exitCode: 1 },
      { devices: ['bench-e', 'bench-f'], exitCode: 2 },
    ]);
    const written = JSON.parse(readFileSync(join(dir, 'fleet-summary.json'), 'utf8')) as FleetSummary;
    expect(written).toEqual(fleet);
    expect(readFileSync(join(dir, 'fleet.html'), 'utf8')).toContain('<script type="application/json" id="fleet-data">');
  });

  it('exits with the worst device: 1 when one fails, 0 when all pass', async () => {
    const dir = fresh();
    const console = capture();
    const two = writeShardFolders(join(dir, 'in'), LAB.slice(0, 3), 2);
    expect(await mergeCommand([join(dir, 'out'), ...two], console.out)).toBe(1);
    expect(console.text()).toMatch(/^bench-b {2}2\/2 +1 +5 +2 /m);
    expect(console.text()).toMatch(/fleet: 2 pass, 1 fail, 0 incomplete, 0 not run, 0 missing; exit 1/);
    const green = writeShardFolders(join(dir, 'green'), [LAB[0] as FixtureDevice, LAB[2] as FixtureDevice], 2);
    expect(await mergeCommand([join(dir, 'out-green'), ...green], capture().out)).toBe(0);
  });

  it('names a missing shard and its devices, and never goes green without it', async () => {
    const dir = fresh();
    const [one, two, three] = writeShardFolders(dir, LAB, 3) as [string, string, string];
    const console = capture();
    expect(await mergeCommand([dir, one, three], console.out)).toBe(2);
    const fleet = JSON.parse(readFileSync(join(dir, 'fleet-summary.json'), 'utf8')) as FleetSummary;
    expect(fleet.complete).toBe(false);
    expect(fleet.missingShards).toEqual([{ index: 2, devices: ['bench-b', 'bench-e'] }]);
    expect(fleet.devices.filter((d) => d.missing).map((d) => [d.name, d.missing])).toEqual([
      ['bench-b', 'shard-not-given'],
      ['bench-e', 'shard-not-given'],
    ]);
    expect(console.text()).toContain('MISSING shard 2/3: bench-b, bench-e');

    // Even when every device given passed: half a lab is exit 2.
    const green = writeShardFolders(join(dir, 'green'), [LAB[0] as FixtureDevice, LAB[2] as FixtureDevice], 2);
    expect(await mergeCommand([join(dir, 'green-out'), green[0] as string], capture().out)).toBe(2);

    // A device its shard says ran, whose report did not arrive, is missing too.
    rmSync(join(two, 'bench-b'), { recursive: true });
    const { fleet: lost } = await mergeShards(join(dir, 'lost'), [one, two, three]);
    expect(lost.exitCode).toBe(2);
    expect(lost.devices.find((d) => d.name === 'bench-b')).toMatchObject({ missing: 'report-absent', exitCode: 2 });
    expect(lost.summary.missing).toBe(1);
  });

  it('refuses shards that ran other specs, suites, profiles or cases, and writes nothing', async () => {
    const dir = fresh();
    const shards = writeShardFolders(join(dir, 'a'), LAB, 3);
    const other = (lab: Parameters<typeof writeShardFolders>[3]) =>
      writeShardFolders(join(dir, `b-${Object.keys(lab ?? {}).join('-')}`), LAB, 3, lab)[1] as string;
    const mixed = await refusal(() =>
      mergeShards(join(dir, 'out'), [shards[0] as string, other({ specHash: 'ab'.repeat(32) }), shards[2] as string]),
    );
    expect(mixed).toMatch(
      /shards ran different spec hashes: .*shard-1 \(shard 1\/3\) 3f1c9a0b7d2e…, .*shard-2 \(shard 2\/3\) abababababab…/,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(
      await refusal(() => mergeShards(join(dir, 'out'), [shards[0] as string, other({ suite: 'smoke' })])),
    ).toMatch(/shards ran different suites: .* "certification", .* "smoke"/);
    expect(
      await refusal(() => mergeShards(join(dir, 'out'), [shards[0] as string, other({ profile: 'lenient' })])),
    ).toMatch(/different profiles/);
    expect(
      await refusal(() =>
        mergeShards(join(dir, 'out'), [shards[0] as string, other({ cases: 3, planHash: 'c'.repeat(64) })]),
      ),
    ).toMatch(/shards planned different cases: .*; run every shard with the same --only and --tag/);
    expect(
      await refusal(() => mergeShards(join(dir, 'out'), [shards[0] as string, other({ hash: 'd'.repeat(64) })])),
    ).toMatch(/are shards of different labs/);
    const split = writeShardFolders(join(dir, 'four'), LAB, 4);
    expect(await refusal(() => mergeShards(join(dir, 'out'), [shards[0] as string, split[1] as string]))).toMatch(
      /split the lab differently/,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses overlapping shards and input that is not a shard', async () => {
    const dir = fresh();
    const [one, two] = writeShardFolders(join(dir, 'a'), LAB, 3) as [string, string];
    const again = writeShardFolders(join(dir, 'again'), LAB, 3)[0] as string;
    expect(await refusal(() => mergeShards(join(dir, 'out'), [one, two, again]))).toMatch(
      /shard 1\/3 is given twice: .*a\/shard-1 and .*again\/shard-1/,
    );
    expect(await refusal(() => mergeShards(join(dir, 'out'), [one, join(dir, 'nowhere')]))).toMatch(
      /nowhere does not exist/,
    );
    mkdirSync(join(dir, 'empty'));
    expect(await refusal(() => mergeShards(join(dir, 'out'), [join(dir, 'empty')]))).toMatch(
      /has no lab-summary\.json/,
    );
    // A lab summary from before shards existed.
    const old = join(dir, 'old');
    mkdirSync(old);
    const { lab: _, ...withoutLab } = JSON.parse(readFileSync(join(one, 'lab-summary.json'), 'utf8')) as LabSummary;
    writeFileSync(join(old, 'lab-summary.json'), JSON.stringify(withoutLab));
    expect(await refusal(() => mergeShards(join(dir, 'out'), [old]))).toMatch(/has no shard information/);
    // A device report that ran other specs than its shard says.
    const report = JSON.parse(readFileSync(join(two, 'bench-b', 'report.json'), 'utf8')) as Report;
    writeFileSync(join(two, 'bench-b', 'report.json'), JSON.stringify({ ...report, specHash: 'e'.repeat(64) }));
    expect(await refusal(() => mergeShards(join(dir, 'out'), [one, two]))).toMatch(
      /bench-b\/report\.json ran spec hash eeeeeeeeeeee…, its shard 3f1c9a0b7d2e…/,
    );
    // A lab summary naming a device outside its folder is not followed there.
    const hostile = join(dir, 'hostile');
    mkdirSync(hostile);
    const real = JSON.parse(readFileSync(join(one, 'lab-summary.json'), 'utf8')) as LabSummary;
    writeFileSync(
      join(hostile, 'lab-summary.json'),
      JSON.stringify({ ...real, devices: [{ ...real.devices[0], name: '../../etc' }, ...real.devices.slice(1)] }),
    );
    expect(await refusal(() => mergeShards(join(dir, 'out'), [hostile]))).toMatch(
      /device name "\.\.\/\.\.\/etc" is not a folder name/,
    );
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(await refusal(() => mergeShards(join(dir, 'out'), [join(dir, 'notes.txt')]))).toMatch(
      /neither a folder nor a \.tar\.gz bundle/,
    );
  });

  it('reads bundles: unpacks them under OUT, checks their manifest, and refuses a tampered one', async () => {
    const dir = fresh();
    // A bundle carries the specs its shard ran, so these shards ran the project's own.
    const specs = loadSpecs(PROJECT_ROOT);
    const [one, two, three] = writeShardFolders(join(dir, 'in'), LAB, 3, { specHash: specs.hash }) as [
      string,
      string,
      string,
    ];
    const summary = JSON.parse(readFileSync(join(two, 'lab-summary.json'), 'utf8')) as LabSummary;
    const bundle = join(dir, 'shard-2.tar.gz');
    await writeLabBundle(
      { path: bundle },
      {
        folder: two,
        devices: summary.devices.map((d) => d.name),
        specRoot: PROJECT_ROOT,
        specFiles: specs.files,
        specHash: summary.lab?.specHash ?? '',
        tool: { name: 'sophon-conformance', version: '0.1.0' },
        finishedAt: summary.finishedAt,
      },
    );
    const out = join(dir, 'fleet');
    const { fleet } = await mergeShards(out, [one, bundle, three]);
    expect(fleet.complete).toBe(true);
    expect(fleet.shards.map((s) => [s.index, s.integrity, s.folder])).toEqual([
      [1, 'folder', '../in/shard-1'],
      [2, 'manifest', 'shard-2'],
      [3, 'folder', '../in/shard-3'],
    ]);
    const b = fleet.devices.find((d) => d.name === 'bench-b');
    expect(b?.href).toBe('shard-2/bench-b/report.html');
    expect(existsSync(join(out, b?.href ?? 'none'))).toBe(true);
    // Merging again replaces what merge unpacked before; the unpacked folder is a shard folder like any other.
    expect((await mergeShards(out, [one, bundle, three])).fleet.exitCode).toBe(2);
    const again = await mergeShards(join(dir, 'again'), [one, join(out, 'shard-2'), three]);
    expect(again.fleet.shards[1]?.integrity).toBe('manifest');

    // One byte changed in a report, the archive rebuilt without a new manifest: refused, naming the file.
    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked);
    await extract({ file: bundle, cwd: unpacked });
    const json = join(unpacked, 'bench-b', 'report.json');
    writeFileSync(json, readFileSync(json, 'utf8').replace('"exitCode": 1', '"exitCode": 0'));
    const tampered = join(dir, 'tampered.tar.gz');
    await create({ gzip: true, file: tampered, cwd: unpacked }, readdirSync(unpacked));
    expect(await refusal(() => mergeShards(join(dir, 'fleet-2'), [one, tampered, three]))).toMatch(
      /tampered\.tar\.gz: bench-b\/report\.json does not match its sha256 in the manifest/,
    );

    // A plain archive of a shard folder (tar czf shard-3.tar.gz shard-3/) is read, with a note.
    const plain = join(dir, 'plain-3.tar.gz');
    await create({ gzip: true, file: plain, cwd: join(dir, 'in') }, ['shard-3']);
    const { fleet: fromPlain } = await mergeShards(join(dir, 'fleet-3'), [one, two, plain]);
    expect(fromPlain.shards[2]?.integrity).toBe('none');
    expect(fromPlain.notes.join(' ')).toContain('no MANIFEST.sha256 in');
    // The archive's one top folder is the shard: it is unpacked as OUT/plain-3/.
    const c = fromPlain.devices.find((d) => d.name === 'bench-c');
    expect(c?.href).toBe('plain-3/bench-c/report.html');
    expect(existsSync(join(dir, 'fleet-3', c?.href ?? 'none'))).toBe(true);
  });
});
