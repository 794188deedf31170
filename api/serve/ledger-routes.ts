import type { FastifyInstance, FastifyReply } from 'fastify';
import { type BuildRef, firmwareOfSegment } from '../../reports/html/ledger-links.ts';
import { renderNoticePage } from '../../reports/html/page-shell.ts';
import {
  type LedgerSource,
  renderBuildPage,
  renderBuildsPage,
  renderCertificatePage,
  renderClausePage,
  renderNoLedgerPage,
} from '../../reports/html/render-ledger-pages.ts';
import { renderHtml } from '../../reports/render-html.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { BuildStatus, LedgerStore } from '../../src/ledger/index.ts';
import { redactDeep, redactUrl } from '../../src/results/redact.ts';
import { configLedger, findConfigFile, loadConfig } from '../../src/settings/load-config.ts';
import { ledgerLocation } from '../record-into-ledger.ts';
import {
  buildRows,
  buildStrips,
  certificateFacts,
  clauseStrips,
  type LedgerBuild,
  ledgerBuilds,
  soleDevice,
} from './ledger-pages-data.ts';

/**
 * The results ledger in `serve`: `/builds`, `/builds/<firmware>[?device=&spec=]` (the clause matrix),
 * `/builds/<firmware>/certificate`, `/clauses/<id>[?device=]`, `/ledger/runs/<id>/` (a run's report from the
 * ledger alone). Read-only: the ledger is opened read-only for each request (so a run recorded meanwhile shows
 * at once), never created where there is none.
 */
export function registerLedgerRoutes(app: FastifyInstance, location: string): void {
  // Every page's data goes through redactDeep: the ledger keeps case messages as runs (or imports) gave them.
  const shown = redactUrl(location);
  const html = (reply: FastifyReply, code: number, body: string) =>
    reply.code(code).type('text/html; charset=utf-8').send(body);
  const notice = (reply: FastifyReply, code: number, title: string, message: string) =>
    html(reply, code, renderNoticePage({ title, message: redactUrl(message), backHref: '/' }));

  /** Runs `use` on the ledger opened read-only; a ledger that cannot be read is a page saying why, not a crash. */
  async function withLedger(
    reply: FastifyReply,
    use: (store: LedgerStore, source: LedgerSource) => Promise<FastifyReply>,
    whenMissing?: (why: string) => FastifyReply,
  ): Promise<FastifyReply> {
    const { openLedger } = await import('../../src/ledger/index.ts');
    let store: LedgerStore;
    try {
      store = await openLedger(location, { readOnly: true });
    } catch (error) {
      const why = describe(error);
      if (error instanceof ConformanceError && error.code === 'LEDGER_NOT_FOUND' && whenMissing) {
        return whenMissing(why);
      }
      return notice(reply, 503, 'Ledger unavailable · 台账不可用', why);
    }
    try {
      const source: LedgerSource = { location: store.location, ...(store.notice ? { notice: store.notice } : {}) };
      return await use(store, source);
    } catch (error) {
      if (error instanceof ConformanceError && error.code === 'LEDGER_NOT_FOUND') {
        return notice(reply, 404, 'Not in the ledger · 台账中没有', describe(error));
      }
      if (error instanceof ConformanceError && error.code === 'CONFIG_INVALID') {
        return notice(reply, 400, 'Bad address · 地址无效', describe(error));
      }
      return notice(reply, 500, 'Ledger error · 台账错误', describe(error));
    } finally {
      await store.close().catch(() => {});
    }
  }

  app.get('/builds', async (_request, reply) =>
    withLedger(
      reply,
      async (store, source) =>
        html(reply, 200, renderBuildsPage(redactDeep({ source, builds: buildRows(await ledgerBuilds(store)) }))),
      (why) => html(reply, 200, renderNoLedgerPage({ source: { location: shown }, why })),
    ),
  );

  type BuildQuery = { Params: { firmware: string }; Querystring: { device?: string; spec?: string } };

  /** The build an address names, its merged status, and every build (for the strips and the siblings). */
  async function resolveBuild(store: LedgerStore, params: BuildQuery['Params'], query: BuildQuery['Querystring']) {
    const ref: BuildRef = {
      firmware: firmwareOfSegment(params.firmware),
      ...(typeof query.device === 'string' && query.device ? { device: query.device } : {}),
      ...(typeof query.spec === 'string' && query.spec ? { specHash: query.spec } : {}),
    };
    const status: BuildStatus = await store.status(
      ref.firmware,
      ref.device,
      ref.specHash ? { specHash: ref.specHash } : {},
    );
    const device = ref.device ?? soleDevice(status);
    return { ref: device === undefined ? ref : { ...ref, device }, status };
  }

  app.get<BuildQuery>('/builds/:firmware', async (request, reply) =>
    withLedger(reply, async (store, source) => {
      const { ref, status } = await resolveBuild(store, request.params, request.query);
      const builds: LedgerBuild[] = await ledgerBuilds(store);
      const others = builds
        .map((b) => b.ref)
        .filter((o) => o.firmware === ref.firmware && !(o.device === ref.device && o.specHash === status.specHash));
      return html(
        reply,
        200,
        renderBuildPage(
          redactDeep({
            source,
            ref,
            status,
            // A build merged across devices has no one strip per clause: each device's is on the clause page.
            ...(soleDevice(status) !== undefined ? { strips: buildStrips(status, builds) } : {}),
            ...(others.length ? { others } : {}),
          }),
        ),
      );
    }),
  );

  app.get<BuildQuery>('/builds/:firmware/certificate', async (request, reply) =>
    withLedger(reply, async (store, source) => {
      const { ref, status } = await resolveBuild(store, request.params, request.query);
      const page = renderCertificatePage(redactDeep({ source, ref, status, facts: await certificateFacts(status) }));
      return html(reply, 200, page);
    }),
  );

  app.get<{ Params: { id: string }; Querystring: { device?: string } }>('/clauses/:id', async (request, reply) =>
    withLedger(reply, async (store, source) => {
      const clause = request.params.id;
      const device =
        typeof request.query.device === 'string' && request.query.device ? request.query.device : undefined;
      const builds = await ledgerBuilds(store);
      const level = builds.flatMap((b) => b.status.clauses).find((c) => c.id === clause)?.level;
      if (!level)
        return notice(reply, 404, 'Not in the ledger · 台账中没有', `No build in the ledger has clause "${clause}".`);
      return html(
        reply,
        200,
        renderClausePage(redactDeep({ source, clause, level, strips: clauseStrips(clause, builds, device) })),
      );
    }),
  );

  app.get<{ Params: { id: string } }>('/ledger/runs/:id', async (request, reply) =>
    reply.redirect(`/ledger/runs/${encodeURIComponent(request.params.id)}/`),
  );

  app.get<{ Params: { id: string } }>('/ledger/runs/:id/', async (request, reply) =>
    withLedger(reply, async (store) => {
      // A report imported from elsewhere may not have been redacted by our run: redact again before showing it.
      const report = redactDeep(await store.openRun(request.params.id));
      return html(reply, 200, renderHtml(report));
    }),
  );
}

function describe(error: unknown): string {
  const e = error as { describe?: () => string; message?: string };
  return redactUrl(typeof e.describe === 'function' ? e.describe() : (e.message ?? String(error)));
}

/**
 * The ledger `serve` shows: `--ledger`, else SOPHON_LEDGER, else the config file's ledger key, else the default
 * that `run` records into; `undefined` with `--no-ledger` (or the value off).
 */
export function serveLedgerLocation(flag: string | undefined, off: boolean): string | undefined {
  if (off) return undefined;
  const configFile = findConfigFile(undefined, process.cwd());
  const configured = configFile ? loadConfig(configFile) : undefined;
  const fromConfig = configured?.config.ledger;
  return ledgerLocation(
    flag ??
      (process.env.SOPHON_LEDGER || undefined) ??
      (typeof fromConfig === 'string' && configured ? configLedger(fromConfig, configured.dir) : undefined),
  );
}
