import { createServer } from 'node:net';

/**
 * A port of this machine where nothing listens now: bound on port 0, then released (a port for a server to take
 * next, or one known closed). A port drawn at random falls in the kernel's ephemeral range, where a busy
 * machine's own connections may hold it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
