import type { StatusLine } from './live-console.ts';

/**
 * The status line on a terminal, drawn by log-update (loaded only here, so a run off a terminal and every
 * other command never pay for it). Lines longer than the terminal is wide are cut, so the status is always
 * one line per entry and a redraw never leaves a wrapped half behind.
 */
export async function terminalStatusLine(
  stream: NodeJS.WriteStream,
  paint: (text: string) => string = (text) => text,
): Promise<StatusLine> {
  const { createLogUpdate } = await import('log-update');
  const log = createLogUpdate(stream);
  let current = '';
  const clip = (text: string) => {
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    return text
      .split('\n')
      .map((line) => paint(line.length > width ? `${line.slice(0, width - 1)}…` : line))
      .join('\n');
  };
  return {
    update(text) {
      current = text;
      log(clip(text));
    },
    print(text) {
      log.clear();
      stream.write(`${text}\n`);
      if (current) log(clip(current));
    },
    done() {
      log.clear();
      log.done();
      current = '';
    },
    // One column is kept free: a line that fills the last one wraps on some terminals.
    columns: () => Math.max(20, (stream.columns ?? 80) - 1),
  };
}

/**
 * Several runs side by side on one terminal (lab mode): one status line per device, each run's finished cases
 * printed above them all. Each device gets its own StatusLine; the board draws them together.
 */
export class StatusBoard {
  private readonly lines = new Map<string, string>();

  constructor(private readonly status: StatusLine) {}

  /** The status line of one device, its text prefixed with `prefix`. */
  slot(prefix: string): StatusLine {
    return {
      update: (text) => {
        this.lines.set(prefix, `${prefix}${text}`);
        this.draw();
      },
      print: (text) => this.status.print(text.replace(/^/gm, prefix)),
      done: () => {
        this.lines.delete(prefix);
        this.draw();
      },
      columns: () => {
        const width = this.status.columns?.();
        return width === undefined ? undefined : Math.max(20, width - prefix.length);
      },
    };
  }

  /** A writer whose lines go above the status lines. */
  print(text: string): void {
    this.status.print(text.replace(/\n$/, ''));
  }

  done(): void {
    this.status.done();
  }

  private draw(): void {
    this.status.update([...this.lines.values()].join('\n'));
  }
}
