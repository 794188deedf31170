import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCommand } from '../../cli/commands/init-command.ts';
import { loadConfig } from '../../src/settings/load-config.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sophon-conformance.mjs');

const quiet = { write: () => true } as unknown as NodeJS.WriteStream;

function cli(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('sophon-conformance init', () => {
  it('writes a commented config file that is valid as written and points editors at the schema', {
    timeout: 120_000,
  }, () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sophon-init-'));
    const init = cli(cwd, 'init');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('wrote sophon-conformance.config.yaml');
    const path = join(cwd, 'sophon-conformance.config.yaml');
    const text = readFileSync(path, 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
    expect(schema).toBeDefined();
    expect(existsSync(schema?.startsWith('/') ? schema : join(cwd, schema ?? ''))).toBe(true);
    expect(text).toContain('# target: http://');
    // The defaults it sets change nothing: the run sees the certification suite.
    expect(loadConfig(path).config).toMatchObject({ suite: 'certification', profile: 'strict', systemPort: 8888 });
    expect(cli(cwd, 'run', '--list').stdout).toMatch(/cases in suite certification\n$/);
    // A second init in the same folder keeps the file.
    const again = cli(cwd, 'init');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/sophon-conformance\.config\.yaml already exists; not overwritten \(--force/);
  });

  it('refuses to overwrite an existing file unless --force is given', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sophon-init-')), 'sophon-conformance.config.yaml');
    writeFileSync(path, 'suite: smoke\n');
    expect(initCommand([path], quiet, quiet)).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('suite: smoke\n');
    expect(initCommand([path, '--force'], quiet, quiet)).toBe(0);
    expect(readFileSync(path, 'utf8')).toMatch(/^# yaml-language-server/);
  });

  it('writes another file name when given one, for run --config', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sophon-init-')), 'lab-2.yaml');
    expect(initCommand([path], quiet, quiet)).toBe(0);
    expect(existsSync(path)).toBe(true);
    expect(loadConfig(path).config.windows).toEqual({
      downWithin: 30000,
      upWithin: 180000,
      quiet: 5000,
      probe: 20,
      timeout: 10000,
      wipeWithin: 180000,
      replyWithin: 10000,
    });
  });
});
