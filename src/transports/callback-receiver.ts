import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ReplyInbox } from './reply-inbox.ts';

export interface CallbackReceiverOptions {
  /** Interface to listen on (default 127.0.0.1). */
  listenHost?: string;
  port?: number;
  /** Host a device on another machine uses to reach us (default: the listen host). */
  advertisedHost?: string;
}

/**
 * Plays the `notify_path` endpoint (MQ-6): records method, path, headers and body of every request
 * into the reply inbox and answers 200. Each case gets its own path token, so a callback is tied to
 * its command by where it was sent.
 */
export class CallbackReceiver {
  private constructor(
    private readonly app: FastifyInstance,
    readonly baseUrl: string,
    /** A URL on this machine where nothing listens: for MQ-11's unreachable notify_path. */
    readonly unreachableUrl: string,
  ) {}

  static async start(inbox: ReplyInbox, options: CallbackReceiverOptions = {}): Promise<CallbackReceiver> {
    const listenHost = options.listenHost ?? '127.0.0.1';
    const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.all('/*', async (request, reply) => {
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
    return new CallbackReceiver(app, `http://${host}:${port}`, `http://127.0.0.1:${await closedPort()}/notify`);
  }

  /** The notify_path for one case. */
  urlFor(token: string): string {
    return `${this.baseUrl}/callback/${encodeURIComponent(token)}`;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

// A port that was free a moment ago and that nothing of ours listens on.
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
