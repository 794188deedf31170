import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { demoCommand } from '../../cli/commands/demo-command.ts';
import { deviceCommand } from '../../cli/commands/device-command.ts';
import { killMatrixCommand } from '../../cli/commands/kill-matrix-command.ts';
import { mergeCommand } from '../../cli/commands/merge-command.ts';
import { runCommand } from '../../cli/commands/run-command.ts';
import { validateCommand } from '../../cli/commands/validate-command.ts';

type Command = (argv: string[], out: NodeJS.WriteStream) => number | Promise<number>;

async function help(command: Command): Promise<{ code: number; text: string }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const code = await command(['--help'], out as unknown as NodeJS.WriteStream);
  return { code, text };
}

// Every command answers --help with its usage and exit 0, and does nothing else (no device, no run).
describe('--help', () => {
  it.each([
    ['run', runCommand, /--target URL/],
    ['device', deviceCommand, /--fault NAME/],
    ['demo', demoCommand, /--bundle FILE/],
    ['validate', validateCommand, /--specs DIR/],
    ['kill-matrix', killMatrixCommand, /--clean-runs N/],
    ['merge', mergeCommand, /fleet-summary\.json/],
  ] as const)('%s prints its usage', async (name, command, flag) => {
    const { code, text } = await help(command as Command);
    expect(code).toBe(0);
    expect(text).toContain(`Usage: sophon-conformance ${name}`);
    expect(text).toMatch(flag);
  });
});
