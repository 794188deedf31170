import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MINIMAL_CLAUSES, tempSpecRoot } from '../helpers/temp-specs.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sophon-conformance.mjs');

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the command line', () => {
  it('exits 2 with the reason when the target is unreachable at the start', () => {
    const run = cli('run', '--target', 'http://127.0.0.1:1', '--system-port', '0', '--reporter', 'console');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TARGET_UNREACHABLE: http:\/\/127\.0\.0\.1:1 is unreachable at the start of the run/);
  });

  it('exits 2 naming file, line and case for a bad spec', () => {
    const root = tempSpecRoot({
      'specs/clauses.yaml': MINIMAL_CLAUSES,
      'specs/http/bad.yaml':
        'transport: http\ncases:\n  - id: http.x.y\n    title: a case with a typo in it\n    clauses: [HTTP-2]\n    level: MUST\n    send: {}\n    expect: { statsu: 200 }\n',
    });
    const run = cli('validate', '--specs', root);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /SPEC_SCHEMA \/\S+\/specs\/http\/bad\.yaml:8:\d+: case http\.x\.y at \/cases\/0\/expect: unknown key "statsu"/,
    );
  });

  it('exits 2 for a bad flag value and for an unknown flag', () => {
    expect(cli('run', '--target', 'http://127.0.0.1:1', '--down-within', 'soon').stderr).toMatch(
      /CONFIG_INVALID: --down-within soon: want a whole number/,
    );
    const unknown = cli('run', '--target', 'http://127.0.0.1:1', '--no-such-flag');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/CONFIG_INVALID: .*--no-such-flag/);
    expect(cli('run', '--target', 'http://127.0.0.1:1', '--amqp', 'amqp://127.0.0.1').stderr).toMatch(
      /--amqp needs --command-queue/,
    );
  });

  it('validates the shipped specs and lists a suite', () => {
    const validate = cli('validate');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toMatch(/specs valid: \d+ cases, \d+ clauses/);
    const list = cli('run', '--list', '--suite', 'smoke');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('http.wipedata.content-type.text-plain');
    expect(list.stdout).not.toContain('http.wipedata.flags.users ');
  });
});
