import { closestMatch } from 'leven';

/**
 * One line for an error the operating system raised (a port in use, a path that cannot be written…), saying
 * what to do; undefined for anything else (a bug, which keeps its stack). Every command gets these for free
 * (cli/main.ts), so a busy port or an unwritable folder is never an "internal error".
 */
export function describeSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!e || typeof e.code !== 'string' || typeof e.syscall !== 'string') return undefined;
  const listening = e.syscall === 'listen' || e.syscall === 'bind';
  const port = `port ${e.port ?? '?'}${e.address ? ` on ${e.address}` : ''}`;
  const path = e.path ?? '';
  switch (e.code) {
    case 'EADDRINUSE':
      return `${port} is in use: stop what holds it, or choose another port (0 picks a free one)`;
    case 'EADDRNOTAVAIL':
      return `${e.address ?? 'that address'} is no address of this machine: listen on one of its own (127.0.0.1, 0.0.0.0)`;
    case 'EACCES':
    case 'EPERM':
      return listening
        ? `${port}: permission denied (ports below 1024 need privileges): choose a port above 1023`
        : `${path}: permission denied: choose a file or folder you may ${e.syscall === 'open' ? 'read and write' : 'write'}`;
    case 'ENOENT':
      return `${path}: no such file or folder: check the path`;
    case 'ENOTDIR':
      return `${path}: part of the path is a file, not a folder: choose another path`;
    case 'EISDIR':
      return `${path} is a folder: give a file`;
    case 'EEXIST':
      return `${path} already exists and is not a folder: choose another path`;
    case 'EROFS':
      return `${path}: the file system is read-only: choose a path you can write`;
    case 'ENOSPC':
      return `${path}: no space left on the device: free some, or write elsewhere`;
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files: raise the limit (ulimit -n) or check fewer devices at once';
    default:
      return undefined;
  }
}

/**
 * Each command's usage text, loaded only when an unknown flag needs it: the flags a command documents are the
 * ones it suggests.
 */
const USAGES: Readonly<Record<string, () => Promise<string>>> = {
  run: async () => (await import('./commands/run-command.ts')).RUN_USAGE,
  device: async () => (await import('./commands/device-command.ts')).DEVICE_USAGE,
  demo: async () => (await import('./commands/demo-command.ts')).DEMO_USAGE,
  init: async () => (await import('./commands/init-command.ts')).INIT_USAGE,
  validate: async () => '--specs DIR',
  'kill-matrix': async () => (await import('./commands/kill-matrix-command.ts')).KILL_MATRIX_USAGE,
  serve: async () => (await import('./commands/serve-command.ts')).SERVE_USAGE,
  'variant-matrix': async () => (await import('./commands/variant-matrix-command.ts')).VARIANT_MATRIX_USAGE,
  verify: async () => (await import('./commands/verify-command.ts')).VERIFY_USAGE,
  doctor: async () => (await import('./commands/doctor-command.ts')).DOCTOR_USAGE,
  compare: async () => (await import('./commands/compare-command.ts')).COMPARE_USAGE,
  merge: async () => (await import('./commands/merge-command.ts')).MERGE_USAGE,
};

/**
 * The one line for a flag `command` does not know (node:util parseArgs' ERR_PARSE_ARGS_UNKNOWN_OPTION), with
 * the nearest flag it documents when one is near enough to be a typo; undefined for any other message.
 */
export async function describeUnknownFlag(command: string, message: string): Promise<string | undefined> {
  const flag = /^Unknown option '([^']+)'/.exec(message)?.[1];
  if (flag === undefined) return undefined;
  const usage = Object.hasOwn(USAGES, command) ? await USAGES[command]?.() : undefined;
  const known = [...new Set([...`${usage ?? ''} --help`.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];
  const name = flag.replace(/=.*$/, '');
  // A flag cut short (`--boot` for `--boot-ms`) is the one it begins, when only one does; a typo is a few
  // characters off: more than a third of the flag differing is another word, not a slip.
  const begun = known.filter((k) => k.startsWith(name));
  const near =
    begun.length === 1
      ? begun[0]
      : closestMatch(name, known, { maxDistance: Math.max(1, Math.floor(name.length / 3)) });
  const help = `sophon-conformance ${command} --help lists its options`;
  return near !== undefined
    ? `unknown option ${name}: did you mean ${near}? (${help})`
    : `unknown option ${name} (${help})`;
}
