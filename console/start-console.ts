import { mkdirSync, readFileSync, statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { ConformanceError } from '../src/errors/conformance-error.ts';
import { registerConsole } from './console-server.ts';
import { loadLabDevices } from './lab-devices.ts';

/** What `serve --lab` asks for. */
export interface ConsoleRequest {
  lab: string;
  tokenFile?: string | undefined;
  host: string;
  dir: string;
  /** The results ledger (serve --ledger; default beside reports/out); absent: not recorded. */
  ledger?: string | undefined;
  say?: (line: string) => void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Checks the console's settings before anything listens: the lab file's devices, and a token wherever the
 * console is reachable from another machine (it can wipe every device of the lab). Returns the server hook.
 */
export async function consoleExtension(request: ConsoleRequest) {
  const token = request.tokenFile === undefined ? undefined : readToken(request.tokenFile);
  if (!token && !LOOPBACK.test(request.host)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `serve --lab on ${request.host} needs --token-file FILE: the console starts runs that wipe devices, and ${request.host} is reachable from other machines`,
    );
  }
  const devices = loadLabDevices(request.lab);
  mkdirSync(request.dir, { recursive: true });
  return {
    extend: (app: FastifyInstance) =>
      registerConsole(app, {
        dir: request.dir,
        devices,
        token,
        listenHost: request.host,
        ledger: request.ledger,
        ...(request.say ? { say: request.say } : {}),
      }),
    describe: (url: string) =>
      `lab console: ${url}console (${devices.length} device${devices.length === 1 ? '' : 's'}, REST ${url}api/openapi.json${token ? ', token required' : ', no token: loopback only'})`,
  };
}

function readToken(path: string): string {
  let text: string;
  try {
    if (statSync(path).mode & 0o044) {
      // Readable by others: still used, but a shared lab machine should not leak it.
      process.stderr.write(`sophon-conformance: note: ${path} is readable by other users (chmod 600 it)\n`);
    }
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (text.length < 16 || /\s/.test(text)) {
    throw new ConformanceError(
      'CONFIG_INVALID',
      `--token-file ${path}: want one line of at least 16 characters, no spaces`,
    );
  }
  return text;
}
