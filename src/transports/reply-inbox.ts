import { EventEmitter } from 'node:events';

/** A reply as received, on either channel, before it is matched to a command. */
export interface Arrival {
  channel: 'up_queue' | 'notify_path';
  /** performance.now() at arrival. */
  at: number;
  body: Buffer;
  meta: Record<string, unknown>;
  /** The body as JSON, when it parses. */
  json: unknown;
}

/**
 * Every reply from both channels in arrival order. Transports put, cases wait with a predicate and
 * a deadline (never a blind sleep).
 */
export class ReplyInbox {
  private readonly arrivals: Arrival[] = [];
  private readonly events = new EventEmitter();

  put(arrival: Omit<Arrival, 'json'>): void {
    let json: unknown;
    try {
      json = JSON.parse(arrival.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const full = { ...arrival, json };
    this.arrivals.push(full);
    this.events.emit('arrival', full);
  }

  /** Arrivals at or after `since` (performance.now()). */
  since(since: number): Arrival[] {
    return this.arrivals.filter((a) => a.at >= since);
  }

  /** The first arrival since `since` that satisfies `match`, waiting until `deadline` (performance.now()). */
  waitFor(
    since: number,
    match: (a: Arrival) => boolean,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<Arrival | undefined> {
    const found = this.since(since).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const finish = (value: Arrival | undefined) => {
        clearTimeout(timer);
        this.events.off('arrival', onArrival);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onArrival = (a: Arrival) => {
        if (a.at >= since && match(a)) finish(a);
      };
      const onAbort = () => finish(undefined);
      const timer = setTimeout(() => finish(undefined), Math.max(0, deadline - performance.now()));
      this.events.on('arrival', onArrival);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
