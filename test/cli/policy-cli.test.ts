import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redactedConfig } from '../../api/policy-options.ts';
import { main } from '../../cli/main.ts';
import type { RunningDevice } from '../../reference-device/start-device.ts';
import { startDevice } from '../../reference-device/start-device.ts';
import { readArchive } from '../../src/bundle/verify-bundle.ts';
import type { Report } from '../../src/results/types.ts';
import type { RunSettings } from '../../src/run/execute-run.ts';
import { FAST_WINDOW_FLAGS } from '../helpers/run-against-device.ts';

// In process (spawning the CLI costs seconds of start-up per call): main() as the binary runs it, with
// what it prints captured.
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const work = mkdtempSync(join(tmpdir(), 'sophon-policy-cli-'));
let healthy: RunningDevice;
let broken: RunningDevice; // events wipes also delete identities: http.wipedata.flags.events fails

beforeAll(async () => {
  const start = (faults: string[], name: string) =>
    startDevice({ port: 0, systemPort: 0, dataDir: join(work, name), bootMs: 40, faults });
  [healthy, broken] = await Promise.all([start([], 'healthy'), start(['events-deletes-identities'], 'broken')]);
});

afterAll(async () => {
  await Promise.all([healthy?.close(), broken?.close()]);
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** `run` against a device with the reference device's fast windows; reports go to a folder of their own. */
async function run(device: RunningDevice, out: string, ...args: string[]) {
  const result = await cli(
    'run',
    '--target',
    device.url,
    '--system-port',
    String(device.systemPort ?? 0),
    ...FAST_WINDOW_FLAGS,
    '--out',
    join(work, out),
    ...args,
  );
  const report = (() => {
    try {
      return JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as Report;
    } catch {
      return undefined;
    }
  })();
  return { ...result, report };
}

const EVENTS = ['--only', 'http.wipedata.flags.events'];

describe('capabilities (--capabilities)', () => {
  it('without a manifest assumes every capability: the faulted case fails, and the report says so', async () => {
    const r = await run(broken, 'caps-none', ...EVENTS);
    expect(r.code).toBe(1);
    expect(r.report?.results[0]?.verdict).toBe('fail');
    expect(r.report?.capabilities).toMatchObject({ mode: 'assumed', declared: { 'can-seed-records': true } });
    expect(r.stdout).toMatch(/Capabilities: no manifest given, every capability assumed/);
  });

  it('a case needing an undeclared capability is not-applicable with the reason instead of failing', async () => {
    const manifest = file('caps.yaml', 'capabilities:\n  mq-channel: true\n  can-seed-records: false\n');
    const r = await run(broken, 'caps-declared', ...EVENTS, '--capabilities', manifest);
    expect(r.code).toBe(0);
    const result = r.report?.results[0];
    expect(result?.verdict).toBe('not-applicable');
    expect(result?.message).toMatch(/does not declare capability can-seed-records .* in .*caps\.yaml/);
    expect(r.report?.capabilities).toMatchObject({
      mode: 'declared',
      declared: { 'mq-channel': true, 'can-seed-records': false, 'reboots-after-mq-wipe': false },
      notApplicable: ['http.wipedata.flags.events'],
    });
    expect(r.stdout).toMatch(
      /Capabilities \(.*caps\.yaml\): mq-channel yes, reboots-after-mq-wipe no, can-seed-records no/,
    );
    expect(readFileSync(join(work, 'caps-declared', 'junit.xml'), 'utf8')).toMatch(
      /<skipped message="the target does not declare/,
    );
  });

  it('a typo in the manifest is exit 2 naming the file and line', async () => {
    const manifest = file('caps-typo.yaml', 'capabilities: [mq-chanel]\n');
    const r = await run(broken, 'caps-typo', ...EVENTS, '--capabilities', manifest);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /CONFIG_INVALID \S*caps-typo\.yaml:1:\d+: capability manifest: unknown capability "mq-chanel"/,
    );
  });

  it('--list shows what each case requires', async () => {
    const r = await cli('run', '--list', '--only', 'http.wipedata.flags.events', '--only', 'amqp.wipedata.reboot');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^http\.wipedata\.flags\.events {2}MUST {2}\[destructive,reboot,flags,events\] {2}requires can-seed-records {2}/m,
    );
    expect(r.stdout).toMatch(
      /^amqp\.wipedata\.reboot\.consumer-back {2}MUST .* requires mq-channel,reboots-after-mq-wipe/m,
    );
  });
});

describe('waivers (--waivers)', () => {
  const waiver = (expires: string, pattern = 'http.wipedata.flags.events') =>
    `- case: ${pattern}\n  reason: vendor ticket SE-42\n  expires: ${expires}\n`;

  it('a waived failure stays a visible fail but does not fail the gate', async () => {
    const r = await run(broken, 'waived', ...EVENTS, '--waivers', file('w-ok.yaml', waiver('2099-12-31')));
    expect(r.code).toBe(0);
    const result = r.report?.results[0];
    expect(result).toMatchObject({
      verdict: 'fail',
      waived: { reason: 'vendor ticket SE-42', expires: '2099-12-31', status: 'waived' },
    });
    expect(r.report?.summary).toMatchObject({ fail: 1, waived: 1 });
    expect(r.stdout).toMatch(/FAIL http\.wipedata\.flags\.events .*WAIVED until 2099-12-31: vendor ticket SE-42/);
    expect(r.stdout).toMatch(/Gate: PASS \(exit 0\)/);
  });

  it('an expired waiver fails the run, and the report says the waiver expired', async () => {
    const r = await run(broken, 'expired', ...EVENTS, '--waivers', file('w-old.yaml', waiver('2020-01-31')));
    expect(r.code).toBe(1);
    expect(r.report?.results[0]?.waived?.status).toBe('expired');
    expect(r.report?.waivers?.entries[0]).toMatchObject({ expired: true, cases: ['http.wipedata.flags.events'] });
    expect(r.stdout).toMatch(/waiver expired 2020-01-31: http\.wipedata\.flags\.events fails the gate/);
  });

  it('a waived case that passes now is reported as no longer needed', async () => {
    const r = await run(healthy, 'unneeded', ...EVENTS, '--waivers', file('w-pass.yaml', waiver('2099-12-31')));
    expect(r.code).toBe(0);
    expect(r.report?.summary.waiversNoLongerNeeded).toBe(1);
    expect(r.stdout).toMatch(/waiver no longer needed: http\.wipedata\.flags\.events now passes/);
  });

  it('a waiver that matches no case of the suite is exit 2 with file and entry, before the target is touched', async () => {
    const w = file('w-typo.yaml', `${waiver('2099-12-31')}${waiver('2099-12-31', 'http.wipedata.flag.events')}`);
    const r = await cli('run', '--target', 'http://127.0.0.1:1', '--waivers', w);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /CONFIG_INVALID \S*w-typo\.yaml:4:3: waiver #2 \(case "http\.wipedata\.flag\.events"\) matches no case in suite certification/,
    );
  });
});

describe('--repeat', () => {
  it('runs each case N times, seeding again each time, and records every verdict', async () => {
    const r = await run(healthy, 'repeat', ...EVENTS, '--repeat', '2');
    expect(r.code).toBe(0);
    expect(r.report?.repeat).toBe(2);
    expect(r.report?.results[0]).toMatchObject({ verdict: 'pass', repeats: ['pass', 'pass'] });
    expect(r.report?.results[0]?.flaky).toBeUndefined();
    expect(r.report?.summary.flaky).toBe(0);
    expect(r.stdout).toMatch(/Repeated 2 times: 0 flaky cases/);
    expect((await cli('run', '--target', healthy.url, '--repeat', '0')).stderr).toMatch(
      /--repeat 0: want a whole number from 1 to 100/,
    );
  });
});

describe('how many cases share the device (--concurrency)', () => {
  it('shares the device among refused requests by default, and runs every case alone at 1', async () => {
    const only = ['--only', 'http.wipedata.content-type.*'];
    const shared = (r: Report['results'][number]) => (r.evidence.notes ?? []).some((n) => /shared with other/.test(n));
    const byDefault = await run(healthy, 'concurrency-default', ...only);
    const one = await run(healthy, 'concurrency-1', ...only, '--concurrency', '1');
    expect([byDefault.code, one.code]).toEqual([0, 0]);
    expect(byDefault.report?.results.filter(shared).length).toBeGreaterThan(0);
    expect(one.report?.results.filter(shared)).toEqual([]);
    expect(one.report?.results.map((r) => r.verdict)).toEqual(byDefault.report?.results.map((r) => r.verdict));
    const zero = await cli('run', '--target', healthy.url, '--concurrency', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--concurrency 0/);
  });
});

describe('certification bundle (--bundle, verify)', () => {
  it('records the settings used with passwords and the license key redacted', () => {
    const config = redactedConfig({
      target: 'http://admin:hunter2@192.168.1.20:5555',
      amqp: {
        url: 'amqp://user:s3cret@broker:5672/v',
        commandQueue: 'q',
        upQueue: 'u',
        replyWithinMs: 1,
        licenseKey: 'LIC-1',
      },
    } as unknown as RunSettings);
    const text = JSON.stringify(config);
    expect(text).not.toMatch(/hunter2|s3cret|LIC-1/);
    expect(config).toMatchObject({
      target: 'http://admin:***@192.168.1.20:5555',
      amqp: { url: 'amqp://user:***@broker:5672/v' },
    });
  });

  const keys = generateKeyPairSync('ed25519');
  const signKey = file('sign.pem', keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const pubKey = file('sign.pub.pem', keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const otherPub = file(
    'other.pub.pem',
    generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  );

  it('a signed bundle of a passing run verifies: exit 0 with gate, counts, tool, target and date', async () => {
    const bundle = join(work, 'pass.tar.gz');
    const r = await run(healthy, 'bundle-pass', ...EVENTS, '--bundle', bundle, '--sign-key', signKey);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`certification bundle: ${bundle}`);
    const config = JSON.parse((await readArchive(bundle)).get('config.json')?.toString() ?? '{}');
    expect(config).toMatchObject({
      target: healthy.url,
      suite: 'certification',
      selection: { only: ['http.wipedata.flags.events'] },
    });
    const v = await cli('verify', bundle, '--pubkey', pubKey);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(
      /intact \(\d+ files match MANIFEST\.sha256; spec hash [0-9a-f]{12} matches the bundled specs\)/,
    );
    expect(v.stdout).toMatch(/signature: valid Ed25519 signature by SHA256:/);
    expect(v.stdout).toMatch(/report: gate PASS \(exit 0\); 1 cases: 1 pass, 0 fail/);
    expect(v.stdout).toMatch(
      new RegExp(`tool sophon-conformance \\S+; target ${healthy.url}; .*run \\d{4}-\\d\\d-\\d\\dT`),
    );
    const wrongKey = await cli('verify', bundle, '--pubkey', otherPub);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stdout).toMatch(/signature of MANIFEST\.sha256 does not verify/);
  });

  it('a bundle of a failing run is intact but exits 1; a tampered one exits 2', async () => {
    const bundle = join(work, 'fail.tar.gz');
    const r = await run(broken, 'bundle-fail', ...EVENTS, '--bundle', bundle);
    expect(r.code).toBe(1);
    const v = await cli('verify', bundle);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/report: gate FAIL \(exit 1\)/);
    expect(v.stdout).toMatch(/signature: none; an unsigned bundle proves integrity only, not origin/);

    // Flip the verdict to a pass in report.json and pack it again, manifest untouched.
    const files = await readArchive(bundle);
    const dir = join(work, 'tamper');
    for (const [name, bytes] of files) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(
        join(dir, name),
        name === 'report.json' ? bytes.toString().replace('"verdict": "fail"', '"verdict": "pass"') : bytes,
      );
    }
    const tampered = join(work, 'tampered.tar.gz');
    await create({ gzip: true, file: tampered, cwd: dir, portable: true }, [...files.keys()]);
    const t = await cli('verify', tampered);
    expect(t.code).toBe(2);
    expect(t.stdout).toMatch(/TAMPERED OR UNREADABLE \(exit 2\)\n {2}- report\.json: sha256/);
    const junk = file('junk.tar.gz', 'not a bundle');
    expect((await cli('verify', junk)).code).toBe(2);
  });
});
