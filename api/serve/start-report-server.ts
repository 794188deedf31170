import { existsSync, readdirSync, type Stats, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { renderNoticePage } from '../../reports/html/page-shell.ts';
import { type RunListing, renderRunIndexHtml } from '../../reports/html/render-run-index.ts';
import { renderComparisonHtml } from '../../reports/render-comparison.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import { compareRuns } from '../../src/results/compare-runs.ts';
import { readReport } from '../../src/results/read-report.ts';
import type { Report } from '../../src/results/types.ts';
import { registerLedgerRoutes } from './ledger-routes.ts';

/**
 * A run folder name: what `run` writes (`2026-11-23_09-30-00-1234`) and anything alike. No slash, no
 * leading dot, so a name can never leave the reports folder.
 */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

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

type Loaded = { report: Report } | { error: string };

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
  const cache = new Map<string, { key: string; loaded: Loaded }>();

  /** The run folder for a name taken from a URL, or undefined: never a path outside `dir`. */
  function runDir(name: string): string | undefined {
    if (!SAFE_NAME.test(name)) return undefined;
    const path = join(dir, name);
    return isDirectory(path) && existsSync(join(path, 'report.json')) ? path : undefined;
  }

  function load(path: string): Loaded {
    const file = join(path, 'report.json');
    let stat: Stats;
    try {
      stat = statSync(file);
    } catch (error) {
      return { error: `report.json: ${(error as Error).message}` };
    }
    const key = `${stat.mtimeMs}:${stat.size}`;
    const hit = cache.get(file);
    if (hit?.key === key) return hit.loaded;
    const loaded = parseReport(file);
    cache.set(file, { key, loaded });
    return loaded;
  }

  function listRuns(): RunListing[] {
    const runs: (RunListing & { sortKey: string })[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = runDir(entry.name);
      if (!path) continue;
      const href = `runs/${encodeURIComponent(entry.name)}/`;
      const files = readdirSync(path, { withFileTypes: true })
        .filter((f) => f.isFile() && SAFE_NAME.test(f.name))
        .map((f) => f.name)
        .sort()
        .map((name) => ({ name, href: `${href}${encodeURIComponent(name)}` }));
      const loaded = load(path);
      if ('error' in loaded) {
        const mtime = statSync(join(path, 'report.json')).mtime.toISOString();
        runs.push({ name: entry.name, href, error: loaded.error, files, sortKey: mtime });
        continue;
      }
      const r = loaded.report;
      runs.push({
        name: entry.name,
        href,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        target: r.target,
        suite: r.suite,
        profile: r.profile,
        tool: r.tool,
        version: r.version,
        exitCode: r.exitCode,
        complete: r.complete,
        summary: r.summary,
        files,
        sortKey: r.startedAt,
      });
    }
    runs.sort((x, y) => y.sortKey.localeCompare(x.sortKey) || y.name.localeCompare(x.name));
    return runs.map(({ sortKey: _, ...run }) => run);
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

  const notFound = (reply: FastifyReply, message: string) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(renderNoticePage({ title: 'Not found · 未找到', message, backHref: '/' }));

  app.get('/', async (_request, reply) => {
    const html = renderRunIndexHtml({
      dir: options.dir,
      runs: listRuns(),
      compareHref: 'compare',
      ...(options.ledger ? { ledgerHref: '/builds' } : {}),
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get<{ Params: { name: string } }>('/runs/:name', async (request, reply) => {
    if (!runDir(request.params.name)) return notFound(reply, `No run named "${request.params.name}".`);
    return reply.redirect(`/runs/${encodeURIComponent(request.params.name)}/`);
  });

  app.get<{ Params: { name: string } }>('/runs/:name/', async (request, reply) => {
    const path = runDir(request.params.name);
    if (!path) return notFound(reply, `No run named "${request.params.name}".`);
    if (existsSync(join(path, 'report.html')))
      return reply.type('text/html; charset=utf-8').sendFile('report.html', path);
    const loaded = load(path);
    if ('error' in loaded) return notFound(reply, `Run "${request.params.name}": ${loaded.error}`);
    return reply.type('text/html; charset=utf-8').send(renderHtml(loaded.report));
  });

  app.get<{ Params: { name: string; file: string } }>('/runs/:name/:file', async (request, reply) => {
    const path = runDir(request.params.name);
    const file = request.params.file;
    if (!path || !SAFE_NAME.test(file) || !isFile(join(path, file))) {
      return notFound(reply, `No file "${file}" in run "${request.params.name}".`);
    }
    return reply.sendFile(file, path);
  });

  app.get<{ Querystring: { a?: string; b?: string } }>('/compare', async (request, reply) => {
    const { a, b } = request.query;
    if (typeof a !== 'string' || typeof b !== 'string' || !a || !b) {
      return reply
        .code(400)
        .type('text/html; charset=utf-8')
        .send(
          renderNoticePage({
            title: 'Two runs needed · 需要两次运行',
            message: 'Pick a baseline run (a) and a current run (b): /compare?a=<run>&b=<run>.',
            backHref: '/',
          }),
        );
    }
    const loaded: Report[] = [];
    for (const name of [a, b]) {
      const path = runDir(name);
      const result = path ? load(path) : undefined;
      if (!result) return notFound(reply, `No run named "${name}".`);
      if ('error' in result) return notFound(reply, `Run "${name}": ${result.error}`);
      loaded.push(result.report);
    }
    const [ra, rb] = loaded as [Report, Report];
    const html = renderComparisonHtml(compareRuns(ra, rb), {
      a: { name: a, href: `/runs/${encodeURIComponent(a)}/` },
      b: { name: b, href: `/runs/${encodeURIComponent(b)}/` },
      indexHref: '/',
    });
    return reply.type('text/html; charset=utf-8').send(html);
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Reads a report.json far enough to list and render it; anything else is a readable error, not a crash. */
function parseReport(file: string): Loaded {
  try {
    return { report: readReport(file) };
  } catch (error) {
    return { error: `report.json ${(error as Error).message}` };
  }
}
