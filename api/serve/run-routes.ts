import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderNoticePage } from '../../reports/html/page-shell.ts';
import { renderRunIndexHtml } from '../../reports/html/render-run-index.ts';
import { renderComparisonHtml } from '../../reports/render-comparison.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { compareRuns } from '../../src/results/compare-runs.ts';
import type { Report } from '../../src/results/types.ts';
import { isFile, type RunFolders, SAFE_NAME } from './run-folders.ts';

/** The page of a missing run, file or route. */
export function notFound(reply: FastifyReply, message: string) {
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .send(renderNoticePage({ title: 'Not found · 未找到', message, backHref: '/' }));
}

/**
 * The report browser's own routes: `/` lists the runs newest first, `/runs/<name>/` shows a run's HTML report
 * (rendered from report.json when report.html is missing), `/runs/<name>/<file>` serves the run's other files,
 * `/compare?a=<name>&b=<name>` compares two runs.
 */
export function registerRunRoutes(
  app: FastifyInstance,
  folders: RunFolders,
  index: { dir: string; ledgerHref?: string | undefined },
): void {
  app.get('/', async (_request, reply) => {
    const html = renderRunIndexHtml({
      dir: index.dir,
      runs: folders.listRuns(),
      compareHref: 'compare',
      ...(index.ledgerHref ? { ledgerHref: index.ledgerHref } : {}),
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get<{ Params: { name: string } }>('/runs/:name', async (request, reply) => {
    if (!folders.runDir(request.params.name)) return notFound(reply, `No run named "${request.params.name}".`);
    return reply.redirect(`/runs/${encodeURIComponent(request.params.name)}/`);
  });

  app.get<{ Params: { name: string } }>('/runs/:name/', async (request, reply) => {
    const path = folders.runDir(request.params.name);
    if (!path) return notFound(reply, `No run named "${request.params.name}".`);
    if (existsSync(join(path, 'report.html')))
      return reply.type('text/html; charset=utf-8').sendFile('report.html', path);
    const loaded = folders.load(path);
    if ('error' in loaded) return notFound(reply, `Run "${request.params.name}": ${loaded.error}`);
    return reply.type('text/html; charset=utf-8').send(renderHtml(loaded.report));
  });

  app.get<{ Params: { name: string; file: string } }>('/runs/:name/:file', async (request, reply) => {
    const path = folders.runDir(request.params.name);
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
      const path = folders.runDir(name);
      const result = path ? folders.load(path) : undefined;
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
}
