// run's lab mode as the command line gives it: what it refuses before any device is touched.
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../cli/commands/run-command.ts';

const out = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

describe('run in lab mode refuses, in one line, what only one device can take', () => {
  it.each([
    ['--resume', '/tmp/some-run'],
    ['--rerun-failed', '/tmp/some-run/report.json'],
  ])('%s in a lab', async (flag, value) => {
    await expect(
      runCommand(['--target', 'http://127.0.0.1:1,name=a', '--target', 'http://127.0.0.1:2,name=b', flag, value], out),
    ).rejects.toThrow(new RegExp(`^${flag} continues one device's run: give it without --lab`));
  });

  it('a per-device key that is not a setting of run', async () => {
    await expect(runCommand(['--target', 'http://127.0.0.1:1,repeat=3', '--shard', '1/1'], out)).rejects.toThrow(
      /"repeat" is not a per-device setting/,
    );
  });
});
