import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/results/types.ts';
import { oneErrorLine, runCli } from '../helpers/cli-process.ts';

// The quickstart on a machine without RabbitMQ: the demo says in one line what the MQ half needs and gates
// the HTTP half alone, instead of ending INCOMPLETE behind 29 could-not-test cases. A run of MQ cases only,
// without a broker, is a mistake in the command line.

const work = mkdtempSync(join(tmpdir(), 'sophon-demo-no-broker-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Nothing listens on port 1: the demo finds no broker there, as on a machine without one.
const CLOSED = 'amqp://guest:guest@127.0.0.1:1';

describe('demo without a broker', () => {
  it('says the MQ half needs RabbitMQ and how to get one, then checks and gates the HTTP half only (exit 0)', async () => {
    const out = join(work, 'demo');
    const demo = await runCli(['demo', '--amqp', CLOSED, '--out', out], { killAfterMs: 180_000 });
    expect(demo.code, demo.stdout + demo.stderr).toBe(0);
    const said = demo.stdout.split('\n').filter((line) => /RabbitMQ|broker answers/.test(line));
    expect(said).toEqual([
      expect.stringMatching(
        /^no RabbitMQ broker answers at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1: the MQ half needs one \(start it: rabbitmq-server -detached, or point at one: --amqp URL\); checking the HTTP half only \(\d+ cases\)$/,
      ),
    ]);
    expect(demo.stdout).toContain('Gate: PASS (exit 0)');
    expect(demo.stdout).not.toMatch(/could-not-test: [1-9]|INCOMPLETE/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.results.length).toBeGreaterThan(0);
    expect(report.results.filter((r) => !r.id.startsWith('http.')).map((r) => r.id)).toEqual([]);
    expect(report.results.every((r) => r.verdict === 'pass')).toBe(true);
  }, 200_000);

  it('a selection of MQ cases only, without a broker, is one exit-2 line (run and demo)', async () => {
    expect(await oneErrorLine(['run', '--target', 'http://127.0.0.1:1', '--suite', 'amqp'], work)).toMatch(
      /CONFIG_INVALID: the \d+ selected cases \(suite amqp\) all go over the MQ channel: give --amqp URL/,
    );
    expect(
      await oneErrorLine(['run', '--target', 'http://127.0.0.1:1', '--only', 'amqp.wipedata.flags.*'], work),
    ).toMatch(/CONFIG_INVALID: the 6 selected cases \(suite certification\) all go over the MQ channel/);
    expect(await oneErrorLine(['demo', '--suite', 'amqp', '--amqp', CLOSED], work)).toMatch(
      /CONFIG_INVALID: suite amqp is all MQ cases and no RabbitMQ broker answers at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1: start one \(rabbitmq-server -detached\) or point at one \(--amqp URL\)/,
    );
  });
});
