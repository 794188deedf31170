import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, extract } from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevice } from '../../reference-device/start-device.ts';
import { oneErrorLine, runCli } from '../helpers/cli-process.ts';
import { FAST_WINDOW_FLAGS } from '../helpers/run-against-device.ts';

// Bad input a new user types: exit 2 and one line saying what to do, never "internal error" and a stack,
// and in a lab nothing runs.

const work = mkdtempSync(join(tmpdir(), 'sophon-bad-flags-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const oneLine = (args: string[], cwd = work) => oneErrorLine(args, cwd);

describe('bad flags', () => {
  it('a target that is not a URL: one run, and a lab refused before any device runs', async () => {
    expect(await oneLine(['run', '--target', 'notaurl'])).toBe(
      'sophon-conformance: CONFIG_INVALID: --target notaurl is not a URL (want e.g. http://192.168.1.20:5555)',
    );
    const out = join(work, 'lab-out');
    expect(await oneLine(['run', '--target', 'notaurl', '--target', 'http://127.0.0.1:1', '--out', out])).toMatch(
      /--target notaurl: target notaurl is not a URL/,
    );
    const lab = join(work, 'lab.yaml');
    writeFileSync(
      lab,
      'devices:\n  - { name: cam-1, target: "http://127.0.0.1:1" }\n  - { name: cam-2, target: notaurl }\n',
    );
    expect(await oneLine(['run', '--lab', lab, '--out', out])).toMatch(
      /--lab .*lab\.yaml: devices\[1\] \(cam-2\): target notaurl is not a URL/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a port above 65535 is refused as the config file refuses it: device, run, doctor, serve', async () => {
    const want = (flag: string, value: string) =>
      `sophon-conformance: CONFIG_INVALID: --${flag} ${value}: want a port from 0 to 65535`;
    expect(await oneLine(['device', '--port', '99999'])).toBe(want('port', '99999'));
    expect(await oneLine(['device', '--port', '0', '--system-port', '99999'])).toBe(want('system-port', '99999'));
    const run = ['run', '--target', 'http://127.0.0.1:1', '--out', join(work, 'ports')];
    expect(await oneLine([...run, '--system-port', '99999'])).toBe(want('system-port', '99999'));
    expect(await oneLine([...run, '--amqp', 'amqp://127.0.0.1', '--license', 'k', '--callback-port', '99999'])).toBe(
      want('callback-port', '99999'),
    );
    expect(await oneLine(['doctor', '--target', 'http://127.0.0.1:1', '--system-port', '65536'])).toBe(
      want('system-port', '65536'),
    );
    expect(await oneLine(['serve', '--port', '70000'])).toBe(want('port', '70000'));
  });

  it('an unknown fault or variant lists the known names; device --list-faults / --list-variants describe them', async () => {
    expect(await oneLine(['device', '--port', '0', '--system-port', '0', '--fault', 'nosuch'])).toMatch(
      /^sophon-conformance: CONFIG_INVALID: --fault: unknown fault "nosuch"; known faults: accepts-text-plain, .*never-reboots.* \(sophon-conformance device --list-faults describes each\)$/,
    );
    expect(await oneLine(['device', '--port', '0', '--system-port', '0', '--variant', 'nosuch'])).toMatch(
      /^sophon-conformance: CONFIG_INVALID: --variant: unknown variant "nosuch"; known variants: .*slow-boot.*--list-variants/,
    );
    expect(await oneLine(['demo', '--fault', 'nosuch'])).toMatch(/--fault: unknown fault "nosuch"; known faults: /);
    const help = await runCli(['device', '--help']);
    expect(help.stdout).toMatch(/--list-faults/);
    expect(help.stdout).not.toMatch(/reference-device\//);
    const faults = await runCli(['device', '--list-faults']);
    expect(faults.code).toBe(0);
    expect(faults.stdout).toMatch(/^never-reboots +\S/m);
    const variants = await runCli(['device', '--list-variants']);
    expect(variants.code).toBe(0);
    expect(variants.stdout).toMatch(/^slow-boot +\S/m);
  });

  it('a --state-adapter module whose createStateAdapter throws: one line naming the module and its error', async () => {
    writeFileSync(
      join(work, 'adapter.mjs'),
      'export function createStateAdapter() { throw new Error("no credentials for the vendor API"); }\n',
    );
    const device = await startDevice({ port: 0, systemPort: 0, dataDir: join(work, 'adapter-device'), bootMs: 40 });
    try {
      const args = ['run', '--target', device.url, '--system-port', String(device.systemPort)];
      expect(await oneLine([...args, '--state-adapter', './adapter.mjs', '--out', join(work, 'adapter-out')])).toBe(
        'sophon-conformance: STATE_ADAPTER_INVALID: --state-adapter ./adapter.mjs: createStateAdapter threw: no credentials for the vendor API',
      );
    } finally {
      await device.close();
    }
  });

  it('doctor: --write-capabilities makes its folder; a --target that is not a URL is exit 2 (a bad flag)', async () => {
    expect(await oneLine(['doctor', '--target', 'notaurl'])).toBe(
      'sophon-conformance: CONFIG_INVALID: --target notaurl is not a URL (want e.g. http://192.168.1.20:5555)',
    );
    const device = await startDevice({ port: 0, systemPort: 0, dataDir: join(work, 'doctor-device'), bootMs: 40 });
    try {
      const manifest = join(work, 'no-such-folder', 'lab', 'capabilities.yaml');
      const run = await runCli([
        ...['doctor', '--target', device.url, '--system-port', String(device.systemPort), '--suite', 'smoke'],
        ...['--write-capabilities', manifest],
      ]);
      expect(run.stderr).toBe('');
      expect([0, 1], run.stdout).toContain(run.code);
      expect(run.stdout).toContain(`capability manifest: ${manifest}`);
      expect(readFileSync(manifest, 'utf8')).toMatch(/^capabilities:$/m);
    } finally {
      await device.close();
    }
  });

  it('run --list checks the other flags as a run does', async () => {
    expect(await oneLine(['run', '--list', '--timeout', 'abc'])).toMatch(
      /CONFIG_INVALID: --timeout abc: want a whole number/,
    );
    expect(await oneLine(['run', '--list', '--profile', 'weird'])).toMatch(/--profile weird: want strict or lenient/);
    expect(await oneLine(['run', '--list', '--reporter', 'pdf'])).toMatch(/--reporter pdf: known reporters are/);
    const list = await runCli(['run', '--list', '--suite', 'smoke', '--timeout', '2000'], { cwd: work });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/\d+ cases in suite smoke\n$/);
  });

  it('run --lab FILE --list lists the cases and the devices, and runs nothing', async () => {
    const lab = join(work, 'list-lab.yaml');
    writeFileSync(
      lab,
      'devices:\n  - { name: cam-1, target: "http://127.0.0.1:1" }\n  - { name: cam-2, target: "http://127.0.0.1:2" }\n',
    );
    const out = join(work, 'list-lab-out');
    const list = await runCli(['run', '--lab', lab, '--list', '--suite', 'smoke', '--out', out], { cwd: work });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /\d+ cases in suite smoke\non 2 devices: cam-1 http:\/\/127\.0\.0\.1:1, cam-2 http:\/\/127\.0\.0\.1:2\n$/,
    );
    expect(existsSync(out)).toBe(false);
    expect(await oneLine(['run', '--lab', lab, '--list', '--timeout', 'abc'])).toMatch(
      /--timeout abc: want a whole number/,
    );
  });

  it('verify checks a signed shard bundle of run --lab: intact, exit 0; a tampered one is exit 2', async () => {
    const keys = generateKeyPairSync('ed25519');
    const signKey = join(work, 'sign.pem');
    const pubKey = join(work, 'sign.pub.pem');
    writeFileSync(signKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(pubKey, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    const device = await startDevice({ port: 0, systemPort: 0, dataDir: join(work, 'lab-device'), bootMs: 40 });
    const bundle = join(work, 'shard-1.tar.gz');
    try {
      const run = await runCli([
        ...['run', '--target', `${device.url},system=${device.systemPort},name=cam`, '--shard', '1/1'],
        ...['--only', 'http.wipedata.flags.events', ...FAST_WINDOW_FLAGS, '--reporter', 'json'],
        ...['--out', join(work, 'shard-1'), '--bundle', bundle, '--sign-key', signKey],
      ]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    } finally {
      await device.close();
    }
    const verify = await runCli(['verify', bundle, '--pubkey', pubKey]);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/^lab bundle .*shard-1\.tar\.gz: intact \(\d+ files match MANIFEST\.sha256/);
    expect(verify.stdout).toMatch(/^signature: valid Ed25519 signature/m);
    expect(verify.stdout).toMatch(/^ {2}cam: exit 0; 1 pass, 0 fail/m);
    // The same bundle with cam's report edited: the manifest no longer matches.
    const unpacked = join(work, 'tampered');
    mkdirSync(unpacked);
    await extract({ file: bundle, cwd: unpacked });
    const report = join(unpacked, 'cam', 'report.json');
    writeFileSync(report, readFileSync(report, 'utf8').replace('"pass"', '"fail"'));
    const tampered = join(work, 'tampered.tar.gz');
    await create({ gzip: true, file: tampered, cwd: unpacked }, readdirSync(unpacked));
    const bad = await runCli(['verify', tampered, '--pubkey', pubKey]);
    expect(bad.code, bad.stdout).toBe(2);
    expect(bad.stdout).toMatch(/TAMPERED OR UNREADABLE \(exit 2\)\n {2}- cam\/report\.json: sha256 /);
  });

  it('a value that starts with a dash (--concurrency -1): one line, saying how to write it', async () => {
    expect(await oneLine(['run', '--target', 'http://127.0.0.1:1', '--concurrency', '-1'])).toBe(
      "sophon-conformance: CONFIG_INVALID: Option '--concurrency' argument is ambiguous. A value that starts with a dash is written --concurrency=VALUE",
    );
  });

  it('device and demo remove the temporary store they made: on stop, on a failed start; --data stays', async () => {
    const tmp = join(work, 'tmp');
    mkdirSync(tmp);
    const env = { ...process.env, TMPDIR: tmp };
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    try {
      const port = String((busy.address() as { port: number }).port);
      const failed = await runCli(['device', '--port', port, '--system-port', '0'], { env });
      expect(failed.stderr).toMatch(/is in use/);
    } finally {
      busy.close();
    }
    expect((await runCli(['demo', '--fault', 'nosuch'], { env })).code).toBe(2);
    expect(readdirSync(tmp)).toEqual([]);
    const stopped = async (extra: string[]) => {
      const device = runCli(['device', '--port', '0', '--system-port', '0', ...extra], {
        env,
        onStdout: (text) => {
          if (text.includes('ready')) device.child.kill('SIGTERM');
        },
      });
      const run = await device;
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    };
    expect(await stopped([])).toMatch(/ data .*sophon-device-/);
    expect(readdirSync(tmp)).toEqual([]);
    const data = join(work, 'kept-store');
    await stopped(['--data', data]);
    expect(existsSync(data)).toBe(true);
  });

  it('an interrupted demo advises running the demo again, not run --resume (its device is gone)', async () => {
    const out = join(work, 'demo-out');
    let stopping = false;
    const demo = runCli(['demo', '--amqp', 'amqp://guest:guest@127.0.0.1:1', '--out', out], {
      killAfterMs: 60_000,
      onStdout: (text) => {
        if (!stopping && /^PASS /m.test(text)) {
          stopping = true;
          demo.child.kill('SIGINT');
        }
      },
    });
    const run = await demo;
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toContain(
      `run it again: sophon-conformance demo --amqp amqp://guest:guest@127.0.0.1:1 --out ${out}`,
    );
    expect(run.stdout).not.toMatch(/--resume/);
  });
});
