import { ConformanceError } from '../api/errors.ts';
import { TOOL } from '../api/tool-info.ts';
import { describeSystemError, describeUnknownFlag } from './describe-error.ts';
import { EXIT_CODES_USAGE } from './exit-codes.ts';

/** A command: its arguments in, its exit code out. */
type Command = (argv: string[]) => number | Promise<number>;

/**
 * Each command's module, imported only when that command runs: `--help` loads none of them, and a command
 * loads only what it needs (fastify for the servers, amqplib when MQ is used, the contract parsers for
 * validate). A new command is one line here and one in USAGE.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./commands/run-command.ts')).runCommand,
  device: async () => (await import('./commands/device-command.ts')).deviceCommand,
  demo: async () => (await import('./commands/demo-command.ts')).demoCommand,
  init: async () => (await import('./commands/init-command.ts')).initCommand,
  validate: async () => (await import('./commands/validate-command.ts')).validateCommand,
  'kill-matrix': async () => (await import('./commands/kill-matrix-command.ts')).killMatrixCommand,
  serve: async () => (await import('./commands/serve-command.ts')).serveCommand,
  'variant-matrix': async () => (await import('./commands/variant-matrix-command.ts')).variantMatrixCommand,
  verify: async () => (await import('./commands/verify-command.ts')).verifyCommand,
  doctor: async () => (await import('./commands/doctor-command.ts')).doctorCommand,
  compare: async () => (await import('./commands/compare-command.ts')).compareCommand,
  merge: async () => (await import('./commands/merge-command.ts')).mergeCommand,
  ledger: async () => (await import('./commands/ledger-command.ts')).ledgerCommand,
};

/** The commands, in the order the overview lists them. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export const USAGE = `sophon-conformance ${TOOL.version}: conformance checker for the Sophon device's wipedata command

  sophon-conformance run --target http://HOST:PORT [options]   check a device
  sophon-conformance doctor --target http://HOST:PORT [options] preflight: can a certification run be carried out?
  sophon-conformance device [options]                          start the bundled reference device
  sophon-conformance demo [options]                            reference device + certification suite + reports
  sophon-conformance validate [--specs DIR]                    check every spec file, suite and contract document
  sophon-conformance init [FILE] [--force]                     write a commented sophon-conformance.config.yaml
  sophon-conformance kill-matrix [options]                     every fault of the reference device against the suite
  sophon-conformance variant-matrix [options]                  every allowed variant of the reference device against it
  sophon-conformance serve [DIR] [--port N]                    browse past reports and the ledger's builds
  sophon-conformance verify BUNDLE.tar.gz [--pubkey FILE]      check a certification bundle offline
  sophon-conformance compare BASE NEW [--json]                 regression gate: exit 1 when a MUST case newly fails
  sophon-conformance merge OUT SHARD…                          one fleet report from a lab's shards
  sophon-conformance ledger builds|status|diff|import|set-aside the results ledger across firmware builds

Every command takes --help for its options.

${EXIT_CODES_USAGE}`;

/** Dispatches a command line; returns the exit code (never calls process.exit). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // A reader that goes away (`run … | head`) must not end the run with a stack: the reports are still written.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    // hasOwn: a command line of `constructor` or `toString` is an unknown command, not Object's own.
    const load = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (load) return await (await load())(rest);
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      case '--version':
        process.stdout.write(`${TOOL.version}\n`);
        return 0;
      default:
        process.stderr.write(`sophon-conformance: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConformanceError) {
      process.stderr.write(`sophon-conformance: ${error.describe()}\n`);
      return 2;
    }
    // node:util parseArgs names the flag in its message; anything else is a bug worth its stack.
    const e = error as { code?: string; message?: string; stack?: string };
    if (e.code?.startsWith('ERR_PARSE_ARGS')) {
      const unknown = command === undefined ? undefined : await describeUnknownFlag(command, e.message ?? '');
      process.stderr.write(`sophon-conformance: CONFIG_INVALID: ${unknown ?? oneLine(e.message ?? '')}\n`);
      return 2;
    }
    const system = describeSystemError(error);
    if (system) {
      process.stderr.write(`sophon-conformance: ${system}\n`);
      return 2;
    }
    process.stderr.write(`sophon-conformance: internal error: ${e.stack ?? String(error)}\n`);
    return 2;
  }
}

// parseArgs explains a value that starts with a dash (`--concurrency -1`) in three lines: one is the rule.
function oneLine(message: string): string {
  const [first = '', ...rest] = message.split('\n');
  const dashed = /use '(--[^=']+=)-XYZ'/.exec(rest.join(' '));
  return dashed ? `${first} A value that starts with a dash is written ${dashed[1]}VALUE` : first;
}
