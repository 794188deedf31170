import type { FastifyInstance } from 'fastify';
import { freePort } from './free-port.ts';
import type { PlatformLogin } from './platform-login.ts';
import type { ReplyInbox } from './reply-inbox.ts';

/** A callback request must be complete within this (a device that trickles its body is cut). */
const REQUEST_TIMEOUT_MS = 30_000;

export interface CallbackReceiverOptions {
  /** Interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  port?: number;
  /** Host a device on another machine uses to reach us (default: the listen host). */
  advertisedHost?: string;
  /** Also serve the management platform's login endpoint at its path (--platform-login). */
  login?: PlatformLogin;
}

/** A callback request whose headers arrived but whose body never completed. */
export interface UnfinishedCallback {
  /** performance.now() when its headers arrived. */
  at: number;
  path: string;
}

/**
 * Plays the `notify_path` endpoint (MQ-6): records method, path, headers and body of every request
 * into the reply inbox and answers 200. Each case gets its own path token, so a callback is tied to
 * its command by where it was sent.
 *
 * A device whose callback hangs (headers sent, body never finished) must not hang the run: such a
 * request is never taken for a reply, it is listed by `unfinished()` so the case can say what
 * happened, it is cut after REQUEST_TIMEOUT_MS, and closing the receiver drops it at once.
 *
 * With a `login`, requests to its path (and only its path) are logins (platform-login.ts): answered with
 * the run's broker settings and recorded there, never taken for a callback reply.
 */
export class CallbackReceiver {
  private constructor(
    private readonly app: FastifyInstance,
    readonly baseUrl: string,
    /** A URL on this machine where nothing listens: for MQ-11's unreachable notify_path. */
    readonly unreachableUrl: string,
    /** Requests whose headers arrived and that have not been answered yet, by request id. */
    private readonly pending: Map<string, UnfinishedCallback>,
    /** The URL to configure on a device as MQ_LOGIN_URL, when the login endpoint is served. */
    readonly loginUrl: string | undefined,
  ) {}

  static async start(inbox: ReplyInbox, options: CallbackReceiverOptions = {}): Promise<CallbackReceiver> {
    const listenHost = options.listenHost ?? '127.0.0.1';
    // Only a run with MQ cases starts a receiver: fastify is loaded then, not by every run.
    const { default: Fastify } = await import('fastify');
    const app = Fastify({
      logger: false,
      bodyLimit: 8 * 1024 * 1024,
      requestTimeout: REQUEST_TIMEOUT_MS,
      forceCloseConnections: true,
    });
    const pending = new Map<string, UnfinishedCallback>();
    const login = options.login;
    app.addHook('onRequest', async (request) => {
      if (login?.matches(request.url)) return;
      pending.set(request.id, { at: performance.now(), path: request.url });
    });
    app.addHook('onResponse', async (request) => {
      pending.delete(request.id);
    });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.all('/*', async (request, reply) => {
      if (login?.matches(request.url)) {
        const answer = login.handle({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          from: request.ip,
        });
        return reply.code(answer.status).header('content-type', 'application/json').send(JSON.stringify(answer.body));
      }
      inbox.put({
        channel: 'notify_path',
        at: performance.now(),
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        meta: { method: request.method, path: request.url, headers: request.headers },
      });
      return reply.code(200).header('content-type', 'application/json').send('{"result":true}');
    });
    await app.listen({ host: listenHost, port: options.port ?? 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const host = options.advertisedHost ?? listenHost;
    const unreachable = `http://127.0.0.1:${await freePort()}/notify`;
    const baseUrl = `http://${host}:${port}`;
    return new CallbackReceiver(app, baseUrl, unreachable, pending, login ? `${baseUrl}${login.path}` : undefined);
  }

  /** Callback requests begun at or after `since` (performance.now()) that have not completed. */
  unfinished(since: number): UnfinishedCallback[] {
    return [...this.pending.values()].filter((p) => p.at >= since);
  }

  /** The notify_path for one case. */
  urlFor(token: string): string {
    return `${this.baseUrl}/callback/${encodeURIComponent(token)}`;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
