import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { registerLedgerRoutes } from './ledger-routes.ts';
import { RunFolders } from './run-folders.ts';
import { notFound, registerRunRoutes } from './run-routes.ts';

export interface ReportServerOptions {
  /** Folder holding one subfolder per run. */
  dir: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The results ledger to show at /builds (read-only); none when undefined. */
  ledger?: string;
  /** Registers more routes and guards before the browser's own (the lab console); returns its clean-up. */
  extend?: (app: FastifyInstance) => Promise<() => Promise<void>>;
}

export interface ReportServer {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the report browser over `dir`: `/` lists the runs newest first, `/runs/<name>/` shows a run's
 * HTML report (rendered from report.json when report.html is missing), `/runs/<name>/<file>` serves the
 * run's other files, `/compare?a=<name>&b=<name>` compares two runs. Run folders are read on each request.
 */
export async function startReportServer(options: ReportServerOptions): Promise<ReportServer> {
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConformanceError('CONFIG_INVALID', `serve: ${options.dir} is not a folder`);
  }

  const app = Fastify({ logger: false });
  await app.register(fastifyStatic, { root: dir, serve: false });
  const cleanUp = options.extend ? await options.extend(app) : undefined;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    // The console's pages say same-origin: a browser then sends their own Origin with a form or a fetch (with
    // no-referrer it sends "null"), which is how the console tells its own calls from another site's.
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });

  registerRunRoutes(app, new RunFolders(dir), {
    dir: options.dir,
    ledgerHref: options.ledger ? '/builds' : undefined,
  });
  if (options.ledger) registerLedgerRoutes(app, options.ledger);

  app.setNotFoundHandler((request, reply) => notFound(reply, `Nothing at ${request.url}.`));

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const host = options.host ?? '127.0.0.1';
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/`,
    close: async () => {
      await cleanUp?.();
      await app.close();
    },
  };
}
