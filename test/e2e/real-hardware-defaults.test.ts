import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrivateQueues, privateQueues } from '../../api/broker.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import type { Report } from '../../src/results/types.ts';
import { mqFlags, TEST_BROKER } from '../helpers/run-against-device.ts';

// Issue 13 item 5: the command line's defaults suit a correct device that is merely slow. A synchronous wipe
// (HTTP-12) that takes 12 s, past the 10 s request timeout and reply window, passes with every window left at
// its default; with the wipe window down to those (as before it existed), it fails, saying why.
const WIPE_MS = 12_000;
const CASES = ['http.wipedata.flags.users', 'amqp.wipedata.flags.users'];

describe('the defaults and a slow synchronous wipe', () => {
  const queues = privateQueues('sc-slow');
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-slow-wipe-'));
  const out = mkdtempSync(join(tmpdir(), 'sophon-slow-wipe-out-'));
  let device: RunningDevice;

  beforeAll(async () => {
    device = await startDevice({
      port: 0,
      systemPort: 0,
      dataDir,
      bootMs: 100,
      variants: ['slow-sync-wipe'],
      variantTiming: { wipeMs: WIPE_MS },
      amqp: { url: TEST_BROKER, ...queues, log: () => {} },
    });
  });

  afterAll(async () => {
    await device.close();
    await deletePrivateQueues(TEST_BROKER, queues);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  const run = async (name: string, extra: string[]): Promise<{ code: number; report: Report; text: string }> => {
    let text = '';
    const write = (chunk: string): boolean => {
      text += chunk;
      return true;
    };
    const sink = { isTTY: false, write } as unknown as NodeJS.WriteStream;
    const dir = join(out, name);
    const only = CASES.flatMap((id) => ['--only', id]);
    const code = await runCommand(
      [
        '--target',
        device.url,
        '--system-port',
        String(device.systemPort),
        ...only,
        ...mqFlags(TEST_BROKER, queues, device.licenseKey),
        '--out',
        dir,
        '--reporter',
        'console,json',
        ...extra,
      ],
      sink,
    );
    return { code, report: JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report, text };
  };

  it('passes both transports with every window at its default', async () => {
    const { code, report, text } = await run('defaults', []);
    expect(code, text).toBe(0);
    expect(report.results.map((r) => [r.id, r.verdict]).sort()).toEqual(CASES.map((id) => [id, 'pass']).sort());
    // The answer really did take the wipe's time: the default 10 s request timeout would have cut it.
    const http = report.results.find((r) => r.id === 'http.wipedata.flags.users');
    const exchange = http?.evidence.http?.[0];
    expect((exchange?.completeAtMs ?? 0) - (exchange?.sentAtMs ?? 0)).toBeGreaterThanOrEqual(WIPE_MS - 50);
  }, 120_000);

  it('fails, saying the wipe was not answered in time, when a wipe gets only the plain windows', async () => {
    const { code, report } = await run('plain', ['--wipe-within', '100']);
    expect(code).toBe(1);
    const message = (id: string) => report.results.find((r) => r.id === id)?.message ?? '';
    expect(message('http.wipedata.flags.users')).toMatch(/no complete response within 10000 ms/);
    expect(message('amqp.wipedata.flags.users')).toMatch(/within 10000 ms/);
  }, 120_000);
});
