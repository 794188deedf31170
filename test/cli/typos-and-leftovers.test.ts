import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { oneErrorLine } from '../helpers/cli-process.ts';

// What a QA engineer meets on a bad day: a mistyped flag is answered with the flag meant, and a run that could
// not start (exit 2) leaves no empty folder behind.

const work = mkdtempSync(join(tmpdir(), 'sophon-typos-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('an unknown flag', () => {
  it('names the nearest flag of that command, or the one it begins', async () => {
    const want = (command: string, typo: string, meant: string) =>
      `sophon-conformance: CONFIG_INVALID: unknown option ${typo}: did you mean ${meant}? (sophon-conformance ${command} --help lists its options)`;
    expect(await oneErrorLine(['run', '--targte', 'http://127.0.0.1:1'], work)).toBe(
      want('run', '--targte', '--target'),
    );
    expect(await oneErrorLine(['run', '--tagg', 'negative'], work)).toBe(want('run', '--tagg', '--tag'));
    expect(await oneErrorLine(['doctor', '--sytem-port=1'], work)).toBe(
      want('doctor', '--sytem-port', '--system-port'),
    );
    expect(await oneErrorLine(['serve', '--prot', '0'], work)).toBe(want('serve', '--prot', '--port'));
    expect(await oneErrorLine(['device', '--boot', '10'], work)).toBe(want('device', '--boot', '--boot-ms'));
    expect(await oneErrorLine(['validate', '--spec', '.'], work)).toBe(want('validate', '--spec', '--specs'));
    expect(await oneErrorLine(['kill-matrix', '--faul', 'x'], work)).toBe(want('kill-matrix', '--faul', '--fault'));
  });

  it('suggests nothing when no flag is near: another word is not a typo', async () => {
    expect(await oneErrorLine(['run', '--colour'], work)).toBe(
      'sophon-conformance: CONFIG_INVALID: unknown option --colour (sophon-conformance run --help lists its options)',
    );
  });
});

describe('a run that cannot start', () => {
  it('leaves no empty folder: neither the one it was given nor the default timestamped one', async () => {
    const out = join(work, 'runs', 'today', 'first');
    const line = await oneErrorLine(['run', '--target', 'http://127.0.0.1:1', '--out', out, '--timeout', '500'], work);
    expect(line).toMatch(/^sophon-conformance: /);
    expect(existsSync(join(work, 'runs'))).toBe(false);
    await oneErrorLine(['run', '--target', 'http://127.0.0.1:1', '--timeout', '500'], work);
    expect(existsSync(join(work, 'reports'))).toBe(false);
  });

  it('keeps a folder that was there before, and anything in it', async () => {
    const out = join(work, 'kept');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await oneErrorLine(['run', '--target', 'http://127.0.0.1:1', '--out', out, '--timeout', '500'], work);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    const empty = join(work, 'empty-before');
    mkdirSync(empty);
    await oneErrorLine(['run', '--target', 'http://127.0.0.1:1', '--out', empty, '--timeout', '500'], work);
    expect(existsSync(empty)).toBe(true);
  });
});
