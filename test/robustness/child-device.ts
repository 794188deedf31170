// Spawns device-process.ts ahead of need (loaded, not started), starts it on a data folder when asked,
// and kills it with SIGKILL or stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./device-process.ts', import.meta.url));

/** The JSON lines a child prints, in order. */
class Lines {
  private buffered = '';
  private readonly seen: Record<string, unknown>[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString('utf8');
      const parts = this.buffered.split('\n');
      this.buffered = parts.pop() ?? '';
      for (const part of parts) if (part.startsWith('{')) this.seen.push(JSON.parse(part) as Record<string, unknown>);
      for (const wake of this.waiters) wake();
    });
  }

  /** The first line with `key`, once it is printed. */
  next(key: string, exited: Promise<string>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.seen.find((candidate) => key in candidate);
        if (!line) return;
        this.waiters.delete(check);
        resolve(line);
      };
      this.waiters.add(check);
      exited.then((why) => {
        this.waiters.delete(check);
        reject(new Error(why));
      });
      check();
    });
  }
}

export class ChildDevice {
  url = '';
  private readonly lines: Lines;
  private readonly exited: Promise<string>;
  private readonly loaded: Promise<Record<string, unknown>>;

  /** Spawns a device process that loads its code and waits to be started. */
  constructor() {
    this.child = spawn(process.execPath, ['--import', 'tsx', ENTRY], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
    let stderr = '';
    this.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) =>
        resolve(`the device process exited (${code ?? signal}): ${stderr.trim().slice(0, 500)}`),
      ),
    );
    this.lines = new Lines(this.child);
    this.loaded = this.lines.next('loaded', this.exited);
    this.loaded.catch(() => {});
  }

  private readonly child: ChildProcess;

  /** Starts the device on `dataDir`; rejects (the process killed) if it exits or is not ready in time. */
  async start(dataDir: string, withinMs = 30_000): Promise<this> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), withinMs);
    try {
      await this.loaded;
      this.child.stdin?.end(`${JSON.stringify({ dataDir })}\n`);
      const ready = await this.lines.next('ready', this.exited);
      this.url = String(ready.url);
      return this;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL, then waits until the process is gone. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the device closes cleanly, or a process never started just ends), then waits. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
