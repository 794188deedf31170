import { ConformanceError } from '../src/errors/conformance-error.ts';
import { compareCommand } from './commands/compare-command.ts';
import { demoCommand } from './commands/demo-command.ts';
import { deviceCommand } from './commands/device-command.ts';
import { doctorCommand } from './commands/doctor-command.ts';
import { initCommand } from './commands/init-command.ts';
import { killMatrixCommand } from './commands/kill-matrix-command.ts';
import { mergeCommand } from './commands/merge-command.ts';
import { RUN_USAGE, runCommand } from './commands/run-command.ts';
import { serveCommand } from './commands/serve-command.ts';
import { validateCommand } from './commands/validate-command.ts';
import { variantMatrixCommand } from './commands/variant-matrix-command.ts';
import { verifyCommand } from './commands/verify-command.ts';
import { describeSystemError } from './describe-error.ts';
import { TOOL } from './tool-info.ts';

const USAGE = `sophon-conformance ${TOOL.version}: conformance checker for the Sophon device's wipedata command

  sophon-conformance run --target http://HOST:PORT [options]   check a device
  sophon-conformance doctor --target http://HOST:PORT [options] preflight: can a certification run be carried out?
  sophon-conformance device [options]                          start the bundled reference device
  sophon-conformance demo [options]                            reference device + certification suite + reports
  sophon-conformance validate [--specs DIR]                    check every spec file, suite and contract document
  sophon-conformance init [FILE] [--force]                     write a commented sophon-conformance.config.yaml
  sophon-conformance kill-matrix [options]                     every fault of the reference device against the suite
  sophon-conformance variant-matrix [options]                  every allowed variant of the reference device against it
  sophon-conformance serve [DIR] [--port N]                    browse past reports (default reports/out)
  sophon-conformance verify BUNDLE.tar.gz [--pubkey FILE]      check a certification bundle offline
  sophon-conformance compare BASE NEW [--json]                 regression gate: exit 1 when a MUST case newly fails
  sophon-conformance merge OUT SHARD…                          one fleet report from a lab's shards

Every command takes --help for its options.

${RUN_USAGE.split('\n').slice(-2).join('\n')}`;

/** Dispatches a command line; returns the exit code (never calls process.exit). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // A reader that goes away (`run … | head`) must not end the run with a stack: the reports are still written.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    switch (command) {
      case 'run':
        return await runCommand(rest);
      case 'device':
        return await deviceCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      case 'init':
        return initCommand(rest);
      case 'validate':
        return validateCommand(rest);
      case 'kill-matrix':
        return await killMatrixCommand(rest);
      case 'variant-matrix':
        return await variantMatrixCommand(rest);
      case 'serve':
        return await serveCommand(rest);
      case 'verify':
        return await verifyCommand(rest);
      case 'doctor':
        return await doctorCommand(rest);
      case 'compare':
        return await compareCommand(rest);
      case 'merge':
        return await mergeCommand(rest);
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
      process.stderr.write(`sophon-conformance: CONFIG_INVALID: ${e.message}\n`);
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
