import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { StatusBoard } from '../../reports/status-line.ts';
import { openRunConsole, type RunConsole } from '../run-console.ts';
import { TOOL } from '../tool-info.ts';
import type { LabEvent } from './run-lab.ts';

/** What a lab run prints: each device's console lines prefixed with its name, or one status line each. */
export interface LabOutput {
  onEvent: (event: LabEvent) => void;
  /** Tells every device's console the run is being stopped (SIGINT, SIGTERM). */
  note: (text: string) => void;
  /** Waits for every device's lines to be out, and gives the terminal back. */
  close: () => Promise<void>;
}

/**
 * The console of a lab run on `out`. On a terminal, one status line per device under the lines of all of
 * them (reports/status-line.ts): a combined line would not fit four devices' phases, and each device's own
 * line reads like a single run's.
 */
export async function openLabOutput(
  out: NodeJS.WriteStream,
  options: { quiet: boolean; outDir: string; sharded: boolean; ledger?: string | undefined },
): Promise<LabOutput> {
  const board = out.isTTY && !options.quiet ? await statusBoard(out) : undefined;
  const sink = board ? ({ write: (text: string) => board.print(text) } as unknown as NodeJS.WriteStream) : out;
  const devices = new Map<string, { stream: NodeJS.WriteStream & Writable; console?: RunConsole }>();
  let width = 0;
  let closed = false;
  const prefixOf = (name: string) => `[${name.padEnd(width)}] `;
  // Opening a console may load the status line; each device's events wait for its own console, in order.
  const pending = new Map<string, Promise<unknown>>();
  const later = (name: string, job: () => unknown) => {
    pending.set(name, (pending.get(name) ?? Promise.resolve()).then(job));
  };
  const onEvent = (event: LabEvent): void => {
    if (event.type === 'lab-start') {
      const { lab, members } = event.plan;
      width = Math.max(0, ...members.map((d) => d.name.length));
      const slice = options.sharded
        ? ` (shard ${lab.shard.index}/${lab.shard.count}: ${members.length} of the lab's ${lab.devices.length} devices)`
        : '';
      out.write(
        `sophon-conformance ${TOOL.version}: lab run on ${members.length} devices${slice}, reports in ${options.outDir}\n`,
      );
      if (members.length === 0) {
        out.write(`shard ${lab.shard.index}/${lab.shard.count} holds no device: nothing to run\n`);
      }
      for (const device of members) devices.set(device.name, { stream: linePrefixer(sink, prefixOf(device.name)) });
      return;
    }
    if (event.type === 'end') return;
    const name = event.device.name;
    const slot = devices.get(name);
    if (!slot) return;
    if (event.type === 'device-start') {
      later(name, async () => {
        slot.console = await openRunConsole(event.settings, join(options.outDir, name), event.reporters, slot.stream, {
          quiet: options.quiet,
          status: board?.slot(prefixOf(name)),
          ledger: options.ledger,
        });
      });
    } else if (event.type === 'device-event') {
      const run = event.event;
      later(name, () =>
        run.type === 'end' ? slot.console?.finish(run.report, run.written) : slot.console?.onEvent(run),
      );
    } else {
      later(name, async () => {
        slot.console?.stop();
        if (event.result.error) slot.stream.write(`sophon-conformance: ${event.result.error}\n`);
        await new Promise<void>((resolve) => slot.stream.end(resolve));
      });
    }
  };
  return {
    onEvent,
    note: (text) => {
      for (const { console } of devices.values()) console?.note(text);
    },
    close: async () => {
      await Promise.allSettled(pending.values());
      if (closed) return;
      closed = true;
      board?.done();
    },
  };
}

async function statusBoard(out: NodeJS.WriteStream): Promise<StatusBoard> {
  const { StatusBoard, terminalStatusLine } = await import('../../reports/status-line.ts');
  return new StatusBoard(await terminalStatusLine(out));
}

// Each device's console lines, whole and prefixed with its name, so parallel runs stay readable.
function linePrefixer(out: NodeJS.WriteStream, prefix: string): NodeJS.WriteStream & Writable {
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const lines = (partial + String(chunk)).split('\n');
      partial = lines.pop() ?? '';
      if (lines.length) out.write(lines.map((l) => `${prefix}${l}\n`).join(''));
      done();
    },
    final(done) {
      if (partial) out.write(`${prefix}${partial}\n`);
      done();
    },
  });
  return Object.assign(stream, { isTTY: false }) as unknown as NodeJS.WriteStream & Writable;
}
