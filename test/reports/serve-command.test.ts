import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportServer, startReportServer } from '../../api/serve/start-report-server.ts';
import { serveCommand } from '../../cli/commands/serve-command.ts';
import type { RunIndex } from '../../reports/html/render-run-index.ts';
import type { RunComparison } from '../../src/results/compare-runs.ts';
import { makeRunFolders, NEWER_RUN, OLDER_RUN } from '../fixtures/reports/run-folders.ts';

/** GET with the path sent exactly as written (fetch would resolve `..` before sending). */
function rawGet(
  base: string,
  path: string,
): Promise<{ status: number; type: string; body: string; location?: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body,
          ...(res.headers.location ? { location: res.headers.location } : {}),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function embedded<T>(html: string, id: string): T {
  const json = html.match(new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`))?.[1];
  return JSON.parse(json ?? 'null') as T;
}

describe('the report browser', () => {
  let folders: ReturnType<typeof makeRunFolders>;
  let server: ReportServer;

  beforeAll(async () => {
    folders = makeRunFolders();
    server = await startReportServer({ dir: folders.dir, port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(folders.parent, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 on a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('lists the runs newest first, with their gate and counts, and a broken one as unreadable', async () => {
    const res = await rawGet(server.url, '/');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/html');
    const index = embedded<RunIndex>(res.body, 'index-data');
    expect(index.runs.map((r) => r.name)).toEqual([NEWER_RUN, 'broken', OLDER_RUN]);
    const newer = index.runs[0];
    expect(newer).toMatchObject({ exitCode: 1, suite: 'certification', target: 'http://192.168.10.42:5555' });
    expect(newer?.summary).toMatchObject({ total: 10, fail: 2 });
    expect(newer?.files.map((f) => f.name)).toEqual(['junit.xml', 'report.html', 'report.json']);
    expect(index.runs[1]?.error).toMatch(/not JSON/);
    expect(index.compareHref).toBe('compare');
  });

  it('serves a run’s report.html, and renders report.json when there is no report.html', async () => {
    const newer = await rawGet(server.url, `/runs/${NEWER_RUN}/`);
    expect(newer.status).toBe(200);
    expect(newer.type).toContain('text/html');
    expect(embedded<{ startedAt: string }>(newer.body, 'report-data').startedAt).toBe('2026-11-23T09:30:00.000Z');
    const older = await rawGet(server.url, `/runs/${OLDER_RUN}/`);
    expect(older.status).toBe(200);
    expect(embedded<{ startedAt: string }>(older.body, 'report-data').startedAt).toBe('2026-11-20T16:05:00.000Z');
    const redirect = await rawGet(server.url, `/runs/${OLDER_RUN}`);
    expect(redirect.status).toBe(302);
    expect(redirect.location).toBe(`/runs/${OLDER_RUN}/`);
    const json = await rawGet(server.url, `/runs/${OLDER_RUN}/report.json`);
    expect(json.status).toBe(200);
    expect(json.type).toContain('application/json');
  });

  it('compares two runs', async () => {
    const res = await rawGet(server.url, `/compare?a=${OLDER_RUN}&b=${NEWER_RUN}`);
    expect(res.status).toBe(200);
    const data = embedded<{ comparison: RunComparison; b: { href: string } }>(res.body, 'comparison-data');
    expect(data.comparison.newlyFailing.map((c) => c.id)).toEqual(['http.wipedata.flags.users']);
    expect(data.b.href).toBe(`/runs/${NEWER_RUN}/`);
    expect((await rawGet(server.url, `/compare?a=${OLDER_RUN}`)).status).toBe(400);
    expect((await rawGet(server.url, `/compare?a=${OLDER_RUN}&b=nope`)).status).toBe(404);
    expect((await rawGet(server.url, `/compare?a=${OLDER_RUN}&b=..%2Fout%2F${NEWER_RUN}`)).status).toBe(404);
  });

  it.each([
    '/runs/not-a-run/',
    '/runs/broken/',
    '/runs/nope/',
    '/runs/../secret.txt',
    '/runs/..%2Fsecret.txt',
    '/runs/%2e%2e/secret.txt',
    '/runs/..%2F..%2F/',
    `/runs/${NEWER_RUN}/..%2F..%2Fsecret.txt`,
    `/runs/${NEWER_RUN}/%2e%2e%2f%2e%2e%2fsecret.txt`,
    `/runs/${NEWER_RUN}/.hidden`,
    '/../secret.txt',
    '/secret.txt',
    '/out/../secret.txt',
  ])('answers %s with a 404 page and never a file outside the reports folder', async (path) => {
    const res = await rawGet(server.url, path);
    expect(res.status).toBe(404);
    expect(res.type).toContain('text/html');
    expect(res.body).not.toContain(folders.secret);
    expect(res.body).toContain('Not found');
  });

  it('sends no page that a browser would sniff into something else', async () => {
    const res = await fetch(`${server.url}runs/${NEWER_RUN}/junit.xml`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    await res.text();
  });
});

describe('serve command', () => {
  it('prints its URL, serves, and stops when asked', async () => {
    const folders = makeRunFolders();
    const out = new PassThrough();
    let printed = '';
    const line = new Promise<string>((resolve) => {
      out.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.includes('\n')) resolve(printed);
      });
    });
    const stop = new AbortController();
    const done = serveCommand([folders.dir, '--port', '0'], out, stop.signal);
    try {
      const first = await line;
      const url = first.match(/^serving reports at (http:\/\/127\.0\.0\.1:\d+\/)\n$/)?.[1];
      expect(url).toBeDefined();
      const res = await fetch(url ?? '');
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      stop.abort();
      expect(await done).toBe(0);
      rmSync(folders.parent, { recursive: true, force: true });
    }
  });

  it('refuses a folder that does not exist', async () => {
    await expect(serveCommand(['/nonexistent/reports'], new PassThrough())).rejects.toThrow(/not a folder/);
  });
});
