import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLab, isLabRun, parseLab } from '../../api/lab/lab-run.ts';
import { assignShards, chooseShard, labHash, shardWeights } from '../../src/lab/lab-shards.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sophon-shards-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const shard = (flags: { shard?: string[]; shards?: string[] }, env: NodeJS.ProcessEnv = {}) =>
  chooseShard({ shard: flags.shard ?? [], shards: flags.shards ?? [], env });

/** The devices of each shard, by index, for `count` shards. */
function slices(weights: number[], count: number): number[][] {
  const of = assignShards(weights, count);
  return Array.from({ length: count }, (_, k) => of.flatMap((s, i) => (s === k + 1 ? [i] : [])));
}

describe('choosing a shard', () => {
  it('reads --shard K/N, SOPHON_SHARD and JOB_COMPLETION_INDEX with --shards N as the same choice', () => {
    expect(shard({ shard: ['2/3'] })).toMatchObject({ index: 2, count: 3 });
    expect(shard({}, { SOPHON_SHARD: '3/3' })).toMatchObject({ index: 3, count: 3 });
    // Kubernetes counts completions from 0; shards count from 1.
    expect(shard({ shards: ['3'] }, { JOB_COMPLETION_INDEX: '0' })).toMatchObject({ index: 1, count: 3 });
    expect(shard({ shards: ['3'] }, { JOB_COMPLETION_INDEX: '2' })).toMatchObject({ index: 3, count: 3 });
    // Given twice the same way, they agree; no shard at all is the whole lab.
    expect(shard({ shard: ['1/2'] }, { SOPHON_SHARD: '1/2' })).toMatchObject({ index: 1, count: 2 });
    expect(shard({})).toBeUndefined();
    expect(shard({}, { SOPHON_SHARD: '' })).toBeUndefined();
    // JOB_COMPLETION_INDEX alone means nothing: every Indexed Job sets it, --shards says we use it.
    expect(shard({}, { JOB_COMPLETION_INDEX: '1' })).toBeUndefined();
  });

  it.each([
    [{ shard: ['0/3'] }, {}, /--shard 0\/3: K must be from 1 to 3/],
    [{ shard: ['4/3'] }, {}, /--shard 4\/3: K must be from 1 to 3/],
    [{ shard: ['1/0'] }, {}, /--shard 1\/0: N must be at least 1/],
    [{ shard: ['two'] }, {}, /--shard two: want K\/N/],
    [{ shard: ['1/3', '2/3'] }, {}, /--shard is given 2 times/],
    [{}, { SOPHON_SHARD: '2-3' }, /SOPHON_SHARD=2-3: want K\/N/],
    [{ shard: ['1/3'] }, { SOPHON_SHARD: '2/3' }, /--shard 1\/3 and SOPHON_SHARD=2\/3 ask for different shards/],
    [{ shard: ['1/3'] }, { SOPHON_SHARD: '1/4' }, /ask for different shards/],
    [{ shards: ['3'] }, {}, /--shards 3 needs JOB_COMPLETION_INDEX/],
    [{ shards: ['0'] }, { JOB_COMPLETION_INDEX: '0' }, /--shards 0: want a whole number ≥ 1/],
    [{ shards: ['3'] }, { JOB_COMPLETION_INDEX: '3' }, /JOB_COMPLETION_INDEX=3 with --shards 3: want 0 to 2/],
    [{ shards: ['3'] }, { JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX=x/],
    [{ shard: ['1/3'], shards: ['3'] }, { JOB_COMPLETION_INDEX: '1' }, /ask for different shards/],
  ])('refuses %j with %j as exit 2 with one line', (flags, env, message) => {
    let thrown: unknown;
    try {
      shard(flags, env);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe('CONFIG_INVALID');
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('\n');
  });
});

describe('slicing a lab', () => {
  it('deals devices without expected times round-robin, every device in exactly one shard', () => {
    expect(slices([1, 1, 1, 1, 1, 1, 1], 3)).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    // More shards than devices: the extra shards are empty, never a device in two.
    expect(slices([1, 1], 4)).toEqual([[0], [1], [], []]);
    expect(assignShards([1, 1, 1], 1)).toEqual([1, 1, 1]);
  });

  it('balances by expected run time: each device goes to the least-loaded shard', () => {
    // Minutes: one long device, then short ones; the long one's shard gets no more until the others catch up.
    const minutes = [90, 30, 30, 30, 30, 30, 30];
    const of = assignShards(
      minutes.map((m) => m * 60),
      3,
    );
    const load = [1, 2, 3].map((k) => minutes.reduce((sum, m, i) => sum + (of[i] === k ? m : 0), 0));
    expect(of).toEqual([1, 2, 3, 2, 3, 2, 3]);
    expect(load).toEqual([90, 90, 90]);
    // Round-robin would have put 150 minutes on the long device's shard and 90 on the others.
    expect(slices(new Array(7).fill(1), 3)[0]).toEqual([0, 3, 6]);
    // The bound greedy scheduling gives: no shard above the lightest by more than the longest device.
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(Math.max(...minutes));
  });

  it('keeps every device in its shard when devices are appended to the lab, with or without times', () => {
    for (const count of [2, 3, 5]) {
      const weights = [40, 55, 12, 40, 38, 90, 40, 41, 3, 60, 44, 40];
      for (let n = 1; n < weights.length; n++) {
        const before = assignShards(weights.slice(0, n), count);
        const after = assignShards(weights, count);
        expect(after.slice(0, n)).toEqual(before);
      }
      const even = new Array(12).fill(1);
      expect(assignShards(even, count).slice(0, 7)).toEqual(assignShards(even.slice(0, 7), count));
    }
  });

  it('weighs expected minutes as whole seconds, and wants them for every device or none', () => {
    expect(shardWeights([{ name: 'a' }, { name: 'b' }])).toEqual([1, 1]);
    expect(
      shardWeights([
        { name: 'a', expectedMinutes: 40 },
        { name: 'b', expectedMinutes: 0.5 },
      ]),
    ).toEqual([2400, 30]);
    expect(() => shardWeights([{ name: 'a', expectedMinutes: 40 }, { name: 'b' }])).toThrow(
      /device b has no expected-minutes while 1 others do/,
    );
  });

  it('gives a lab an identity that changes with any device and not with anything else', () => {
    const lab = [
      { name: 'a', target: 'http://10.0.0.1:5555', flags: [] },
      { name: 'b', target: 'http://10.0.0.2:5555', flags: ['--system-port', '0'] },
    ];
    expect(labHash(lab)).toBe(labHash(structuredClone(lab)));
    expect(labHash([...lab, { name: 'c', target: 'http://10.0.0.3:5555', flags: [] }])).not.toBe(labHash(lab));
    expect(labHash([lab[0] as (typeof lab)[0], { ...(lab[1] as (typeof lab)[0]), expectedMinutes: 40 }])).not.toBe(
      labHash(lab),
    );
  });
});

describe('a lab file with shards', () => {
  const lab = join(scratch, 'lab.yaml');
  writeFileSync(
    lab,
    [
      'expected-minutes: 40',
      'devices:',
      '  - { name: bench-a, target: "http://10.0.0.5:5555", expected-minutes: 90 }',
      '  - { name: bench-b, target: "http://10.0.0.6:5555" }',
      '  - { name: bench-c, target: "http://10.0.0.7:5555", expected-minutes: 30 }',
      '  - { name: bench-d, target: "http://10.0.0.8:5555" }',
      '',
    ].join('\n'),
  );

  it('is a lab run whenever a shard is asked for, even of one device', () => {
    expect(isLabRun(['--target', 'http://a:5555', '--shard', '1/2'], {})).toBe(true);
    expect(isLabRun(['--target', 'http://a:5555', '--shards=2'], {})).toBe(true);
    expect(isLabRun(['--target', 'http://a:5555'], { SOPHON_SHARD: '1/2' })).toBe(true);
    expect(isLabRun(['--target', 'http://a:5555'], {})).toBe(false);
  });

  it('takes the lab-wide expected time for devices without their own, and slices by it', () => {
    const parsed = parseLab(['--lab', lab, '--suite', 'smoke', '--shard', '2/2', '--out', '/tmp/x'], () => 'no', {});
    expect(parsed.devices.map((d) => [d.name, d.expectedMinutes])).toEqual([
      ['bench-a', 90],
      ['bench-b', 40],
      ['bench-c', 30],
      ['bench-d', 40],
    ]);
    expect(parsed.common).toEqual(['--suite', 'smoke']);
    expect(parsed.shard).toMatchObject({ index: 2, count: 2 });
    const { lab: info, members } = describeLab(parsed, {});
    // a(90) → 1; b(40) → 2; c(30) → 2 (40 < 90); d(40) → 2 (70 < 90): 90 against 110.
    expect(info.devices.map((d) => d.shard)).toEqual([1, 2, 2, 2]);
    expect(members.map((d) => d.name)).toEqual(['bench-b', 'bench-c', 'bench-d']);
    expect(info).toMatchObject({ shard: { index: 2, count: 2 }, suite: 'smoke', profile: 'strict' });
    expect(info.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(info.cases).toBeGreaterThan(0);
  });

  it('names the default output folder after the shard, and refuses what a lab cannot take', () => {
    expect(parseLab(['--lab', lab, '--shard', '1/2'], () => '/tmp/run-lab', {}).outDir).toBe(
      '/tmp/run-lab-shard-1-of-2',
    );
    const bad = join(scratch, 'bad.yaml');
    writeFileSync(bad, 'devices:\n  - { target: "http://a:5555", expected-minutes: soon }\n');
    expect(() => parseLab(['--lab', bad], () => 'x', {})).toThrow(/expected-minutes soon: want a number of minutes/);
    writeFileSync(bad, 'device:\n  - { target: "http://a:5555" }\n');
    expect(() => parseLab(['--lab', bad], () => 'x', {})).toThrow(/want "devices:"/);
    writeFileSync(bad, 'devices:\n  - { target: "http://a:5555" }\nshards: 3\n');
    expect(() => parseLab(['--lab', bad], () => 'x', {})).toThrow(/unknown top-level key "shards"/);
    expect(() => parseLab(['--target', 'http://a:5555,name=specs', '--shard', '1/1'], () => 'x', {})).toThrow(
      /device name "specs" is taken/,
    );
    expect(() => parseLab(['--lab', lab, '--bundle', 'shard.zip'], () => 'x', {})).toThrow(/want a \.tar\.gz/);
    const mixed = join(scratch, 'mixed.yaml');
    writeFileSync(
      mixed,
      'devices:\n  - { target: "http://a:5555", expected-minutes: 10 }\n  - target: http://b:5555\n',
    );
    expect(() =>
      describeLab(
        parseLab(['--lab', mixed, '--shard', '1/2'], () => 'x', {}),
        {},
      ),
    ).toThrow(/device b-5555 has no expected-minutes/);
  });
});
