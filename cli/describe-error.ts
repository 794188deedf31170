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
