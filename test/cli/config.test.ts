import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/commands/run-command.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { loadConfig } from '../../src/settings/load-config.ts';
import { resolveRunValues, SETTINGS } from '../../src/settings/resolve-run-values.ts';
import { configSchemaText } from '../../src/settings/write-config-schema.ts';

const PROJECT = join(import.meta.dirname, '..', '..');
const BIN = join(PROJECT, 'bin', 'sophon-conformance.mjs');

/** A fresh working folder holding the given files. */
function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sophon-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The CLI in `cwd` with only these SOPHON_* variables set. */
function cli(cwd: string, env: Record<string, string>, ...args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOPHON_')));
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `run --list` in this process, with only these SOPHON_* variables set; returns what it printed. */
async function listInProcess(args: string[], env: Record<string, string>): Promise<string> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('SOPHON_')) delete process.env[key];
  Object.assign(process.env, env);
  let text = '';
  const write = (chunk: string) => {
    text += chunk;
    return true;
  };
  const out = { write, isTTY: false } as unknown as NodeJS.WriteStream;
  try {
    expect(await runCommand(['--list', ...args], out)).toBe(0);
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  return text;
}

function resolveError(run: () => unknown): ConformanceError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConformanceError) return error;
    throw error;
  }
  throw new Error('accepted a bad setting');
}

const LAB = `target: http://127.0.0.1:1
systemPort: 0
suite: smoke
profile: lenient
amqp: { url: 'amqp://guest:guest@127.0.0.1:5672', license: KEY-1 }
windows: { downWithin: 1000, upWithin: 2000, replyWithin: 3000 }
reporters: [json, junit]
out: reports/lab
waivers: ./waivers.yaml
`;

describe('config file, environment and flags', () => {
  it('run --list finds ./sophon-conformance.config.yaml in the working folder', { timeout: 120_000 }, () => {
    const cwd = folder({ 'sophon-conformance.config.yaml': 'suite: smoke\n' });
    const list = cli(cwd, {}, 'run', '--list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/cases in suite smoke\n$/);
  });

  it('run --list: --config FILE, SOPHON_SUITE over it, --suite over both', async () => {
    const config = join(folder({ 'lab.yaml': 'suite: smoke\n' }), 'lab.yaml');
    expect(await listInProcess(['--config', config], {})).toMatch(/cases in suite smoke\n$/);
    expect(await listInProcess(['--config', config], { SOPHON_SUITE: 'http' })).toMatch(/cases in suite http\n$/);
    expect(await listInProcess(['--config', config, '--suite', 'amqp'], { SOPHON_SUITE: 'http' })).toMatch(
      /cases in suite amqp\n$/,
    );
  });

  it('the run uses the target of SOPHON_TARGET over the config file', { timeout: 120_000 }, () => {
    const cwd = folder({
      'sophon-conformance.config.yaml': 'target: http://127.0.0.1:1\nsystemPort: 0\nreporters: [console]\n',
    });
    const run = cli(cwd, { SOPHON_TARGET: 'http://127.0.0.1:2' }, 'run');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TARGET_UNREACHABLE: http:\/\/127\.0\.0\.1:2 is unreachable/);
  });

  it('fills every setting in flag form with flag > environment > file, and paths relative to the file', () => {
    const dir = folder({ 'lab.yaml': LAB });
    const { values, origins } = resolveRunValues(
      { config: join(dir, 'lab.yaml'), 'down-within': '500' } as Record<string, string | undefined>,
      { env: { SOPHON_PROFILE: 'strict', SOPHON_UP_WITHIN: '2500' }, cwd: dir },
    );
    expect(values).toMatchObject({
      target: 'http://127.0.0.1:1',
      'system-port': '0',
      suite: 'smoke',
      profile: 'strict',
      amqp: 'amqp://guest:guest@127.0.0.1:5672',
      license: 'KEY-1',
      'down-within': '500',
      'up-within': '2500',
      'reply-within': '3000',
      reporter: 'json,junit',
      out: join(dir, 'reports', 'lab'),
      waivers: join(dir, 'waivers.yaml'),
    });
    expect(origins).toMatchObject({ 'down-within': 'flag', 'up-within': 'env', profile: 'env', target: 'config' });
    expect(values['quiet-ms']).toBeUndefined();
  });

  it('keeps MQ-only settings of a file or the environment out of a run without a broker', () => {
    const dir = folder({
      'sophon-conformance.config.yaml': 'windows: { replyWithin: 5000 }\ncallback: { port: 9000 }\n',
    });
    const { values } = resolveRunValues({} as Record<string, string | undefined>, {
      env: { SOPHON_UP_QUEUE: 'replies' },
      cwd: dir,
    });
    expect(values['reply-within']).toBeUndefined();
    expect(values['callback-port']).toBeUndefined();
    expect(values['up-queue']).toBeUndefined();
  });

  it('names the variable of a bad environment value', () => {
    const error = resolveError(() => resolveRunValues({}, { env: { SOPHON_DOWN_WITHIN: 'soon' }, cwd: folder() }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.describe()).toBe('CONFIG_INVALID: SOPHON_DOWN_WITHIN=soon: must be integer');
    const reporter = resolveError(() => resolveRunValues({}, { env: { SOPHON_REPORTERS: 'json,pdf' }, cwd: folder() }));
    expect(reporter.message).toMatch(/^SOPHON_REPORTERS=json,pdf: must be equal to/);
  });

  it('a bad config file is exit 2 with file:line:col and the path of the mistake', { timeout: 120_000 }, () => {
    const cwd = folder({ 'sophon-conformance.config.yaml': 'suite: smoke\nwindows:\n  downWithin: soon\n' });
    const bad = cli(cwd, {}, 'run', '--list');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'sophon-conformance: CONFIG_INVALID sophon-conformance.config.yaml:3:15: config file at /windows/downWithin: must be integer',
    );
  });

  it('names unknown keys, YAML syntax errors and a missing --config file', () => {
    const dir = folder({
      'typo.yaml': 'suite: smoke\namqp:\n  url: amqp://127.0.0.1\n  comandQueue: q\n',
      'broken.yaml': 'suite: [smoke\n',
    });
    const typo = resolveError(() => loadConfig(join(dir, 'typo.yaml')));
    expect(typo.describe()).toMatch(
      /^CONFIG_INVALID \S*typo\.yaml:4:\d+: config file at \/amqp: unknown key "comandQueue"$/,
    );
    const broken = resolveError(() => loadConfig(join(dir, 'broken.yaml')));
    expect(broken.describe()).toMatch(/^CONFIG_INVALID \S*broken\.yaml:\d+:\d+: /);
    const missing = resolveError(() => resolveRunValues({ config: 'nope.yaml' }, { env: {}, cwd: dir }));
    expect(missing.describe()).toBe('CONFIG_INVALID: --config nope.yaml: no such file');
  });

  it("documents every SOPHON_* variable: a setting's beside its flag in docs/cli.md, any other the code reads in docs/configuration.md", () => {
    const reference = readFileSync(join(PROJECT, 'docs', 'cli.md'), 'utf8');
    const settingVariables = new Set<string>();
    for (const setting of SETTINGS) {
      if (setting.env === undefined) continue;
      settingVariables.add(setting.env);
      expect(reference, setting.env).toMatch(new RegExp(`\\| \`--${setting.flag}[^\`]*\` \\| \`${setting.env}\` \\|`));
    }
    const configuration = readFileSync(join(PROJECT, 'docs', 'configuration.md'), 'utf8');
    const read = new Set<string>();
    for (const folder of ['api', 'cli', 'src', 'reports', 'reference-device']) {
      for (const file of readdirSync(join(PROJECT, folder), { recursive: true, encoding: 'utf8' })) {
        if (!/\.(ts|js|mjs)$/.test(file)) continue;
        const text = readFileSync(join(PROJECT, folder, file), 'utf8');
        for (const [name] of text.matchAll(/\bSOPHON_[A-Z][A-Z_]*[A-Z]\b/g)) read.add(name);
      }
    }
    expect(read.size).toBeGreaterThan(settingVariables.size);
    for (const name of read) {
      if (!settingVariables.has(name)) expect(configuration, name).toContain(`\`${name}\``);
    }
  });

  it('keeps specs/schema/config.schema.json in step with the TypeBox source (npm run schema)', () => {
    expect(readFileSync(join(PROJECT, 'specs', 'schema', 'config.schema.json'), 'utf8')).toBe(configSchemaText());
  });
});
