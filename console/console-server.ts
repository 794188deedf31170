import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consolePage } from './console-page.ts';
import { ConsoleRuns, DeviceBusy, type RunRequest, type RunView } from './console-runs.ts';
import { type ConsoleDevice, deviceView, probeDevice } from './lab-devices.ts';
import { openApiDocument } from './openapi.ts';

/** How the console is reached and guarded. */
export interface ConsoleOptions {
  /** Where runs are written: the folder `serve` browses. */
  dir: string;
  devices: readonly ConsoleDevice[];
  /** The bearer token every API call and page needs; absent only on a loopback address. */
  token?: string | undefined;
  /** The addresses the server listens on, for the Host check (DNS rebinding). */
  listenHost: string;
  /** The results ledger finished runs and every start, stop and resume go into; absent: none. */
  ledger?: string | undefined;
  /** Where the console's own lines go (a ledger that cannot be written). */
  say?: (line: string) => void;
}

const SESSION_COOKIE = 'sophon_console';
const GATES: Record<number, string> = { 0: 'PASS', 1: 'FAIL', 2: 'ERROR', 3: 'INCOMPLETE' };

/**
 * The lab console on the report browser's server: REST under /api/ (described by /api/openapi.json), live
 * events as server-sent events, and the page at /console. It can wipe devices, so every request is checked:
 * the Host header must be one the server answers to (no DNS rebinding), a token (when set) must come as
 * `Authorization: Bearer …` or as the session cookie the login form sets, and a state-changing call must be
 * JSON from this origin (a cross-site form or image cannot make one).
 */
export async function registerConsole(app: FastifyInstance, options: ConsoleOptions): Promise<() => Promise<void>> {
  const devices = new Map(options.devices.map((d) => [d.name, d]));
  const runs = new ConsoleRuns(options.dir, devices, options.ledger, options.say);
  // A session cookie proves the token was typed once; it is derived from the token, so a new token ends it.
  const sessionKey = randomBytes(32);
  const session = options.token ? createHmac('sha256', sessionKey).update(options.token).digest('hex') : undefined;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!hostAllowed(request.headers.host, options.listenHost)) {
      return reply
        .code(421)
        .send({ error: { code: 'HOST_REFUSED', message: 'this console does not answer to that host' } });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD' && !sameOrigin(request)) {
      return reply
        .code(403)
        .send({ error: { code: 'CROSS_SITE', message: 'state-changing calls must come from this origin as JSON' } });
    }
    if (!options.token || request.url === '/login' || request.url.startsWith('/login?')) return;
    if (authorized(request, options.token, session)) return;
    if (request.url.startsWith('/api/')) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <token> (serve --token-file)' } });
    }
    return reply.redirect('/login');
  });

  const page = (reply: FastifyReply, html: string) =>
    reply.header('referrer-policy', 'same-origin').type('text/html; charset=utf-8').send(html);
  app.get('/login', async (_request, reply) => page(reply, loginPage()));
  app.post<{ Body: { token?: string } }>('/login', async (request, reply) => {
    if (!options.token || !session || !tokenMatches(request.body?.token ?? '', options.token)) {
      return page(reply.code(401), loginPage('That is not the token.'));
    }
    reply.header('set-cookie', `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
    return reply.redirect('/console', 303);
  });

  app.get('/console', async (_request, reply) => page(reply, consolePage()));
  app.get('/api/openapi.json', async () => openApiDocument());

  app.get('/api/devices', async () => {
    const probed = await Promise.all(options.devices.map((d) => probeDevice(d)));
    return options.devices.map((device, i) => {
      const last = runs.lastOf(device.name);
      return {
        ...deviceView(device),
        ...probed[i],
        ...(last ? { lastRun: { id: last.id, state: last.state, exitCode: last.exitCode, gate: gateOf(last) } } : {}),
      };
    });
  });

  app.get('/api/runs', async () => runs.list().map(present));

  app.post<{ Body: unknown }>('/api/runs', async (request, reply) => {
    const body = request.body as Record<string, unknown> | null;
    const names = typeof body?.device === 'string' ? [body.device] : body?.devices;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
      return badRequest(reply, 'give "device": NAME (or "devices": [NAME, …])');
    }
    const unknown = names.find((n) => !devices.has(n));
    if (unknown) return reply.code(404).send({ error: { code: 'NO_SUCH_DEVICE', message: `no device ${unknown}` } });
    const parsed = runRequest(body as Record<string, unknown>);
    if (typeof parsed === 'string') return badRequest(reply, parsed);
    const started: RunView[] = [];
    for (const name of names) {
      try {
        started.push(runs.start(name, parsed, who(request)));
      } catch (error) {
        if (!(error instanceof DeviceBusy)) throw error;
        return reply.code(409).send({
          error: { code: 'DEVICE_BUSY', message: `${name}: ${error.message}`, run: error.runId },
          started: started.map(present),
        });
      }
    }
    const [first] = started;
    return reply.code(201).send(names.length === 1 && first ? present(first) : { runs: started.map(present) });
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', async (request, reply) => {
    const run = runs.get(request.params.id);
    return run ? present(run) : noRun(reply, request.params.id);
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/stop', async (request, reply) => {
    const run = runs.stop(request.params.id, who(request));
    return run ? present(run) : noRun(reply, request.params.id);
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/resume', async (request, reply) => {
    try {
      const run = runs.resume(request.params.id, who(request));
      return run ? present(run) : noRun(reply, request.params.id);
    } catch (error) {
      if (error instanceof DeviceBusy) {
        return reply.code(409).send({ error: { code: 'DEVICE_BUSY', message: error.message, run: error.runId } });
      }
      return reply.code(409).send({ error: { code: 'NOT_RESUMABLE', message: (error as Error).message } });
    }
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id/report', async (request, reply) => {
    const folder = runs.folderOf(request.params.id);
    if (!folder) return noRun(reply, request.params.id);
    if (!existsSync(`${folder}/report.json`)) {
      return reply.code(404).send({ error: { code: 'NO_REPORT_YET', message: 'the run has written no report yet' } });
    }
    return reply.type('application/json').sendFile('report.json', folder);
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id/events', async (request, reply) => {
    if (!runs.get(request.params.id)) return noRun(reply, request.params.id);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    let unwatch: (() => void) | undefined;
    // A watcher that goes away changes nothing for the run: it is only taken off the list.
    const end = () => {
      unwatch?.();
      clearInterval(keepAlive);
    };
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', end);
    unwatch = runs.watch(request.params.id, (event) => {
      raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'end') {
        end();
        raw.end();
      }
    });
  });

  return () => runs.close();
}

function present(run: RunView) {
  return { ...run, ...(run.exitCode !== undefined ? { gate: gateOf(run) } : {}) };
}

function gateOf(run: RunView): string | undefined {
  return run.exitCode === undefined ? undefined : (GATES[run.exitCode] ?? `exit ${run.exitCode}`);
}

function runRequest(body: Record<string, unknown>): RunRequest | string {
  const list = (key: string): string[] | string | undefined => {
    const v = body[key];
    if (v === undefined) return undefined;
    const items = Array.isArray(v) ? v : [v];
    return items.every((x) => typeof x === 'string') ? (items as string[]) : `"${key}" must be a string or strings`;
  };
  const only = list('only');
  const tag = list('tag');
  if (typeof only === 'string') return only;
  if (typeof tag === 'string') return tag;
  const { suite, profile, downWithinMs, upWithinMs } = body;
  if (suite !== undefined && typeof suite !== 'string') return '"suite" must be a suite name';
  if (profile !== undefined && profile !== 'strict' && profile !== 'lenient') return '"profile" is strict or lenient';
  for (const [key, value] of Object.entries({ downWithinMs, upWithinMs })) {
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
      return `"${key}" must be a whole number of milliseconds`;
    }
  }
  return {
    ...(suite !== undefined ? { suite } : {}),
    ...(only ? { only } : {}),
    ...(tag ? { tag } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(downWithinMs !== undefined ? { downWithinMs: downWithinMs as number } : {}),
    ...(upWithinMs !== undefined ? { upWithinMs: upWithinMs as number } : {}),
  };
}

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send({ error: { code: 'BAD_REQUEST', message } });
}

function noRun(reply: FastifyReply, id: string) {
  return reply.code(404).send({ error: { code: 'NO_SUCH_RUN', message: `no run ${id}` } });
}

// Who started or stopped a run, for the audit log: the name a caller gives (X-Sophon-User), and where from.
function who(request: FastifyRequest): string {
  const named = request.headers['x-sophon-user'];
  const name = typeof named === 'string' && /^[\w .@-]{1,64}$/.test(named) ? named : 'token holder';
  return `${name} (${request.ip})`;
}

function authorized(request: FastifyRequest, token: string, session: string | undefined): boolean {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ') && tokenMatches(header.slice(7).trim(), token)) {
    return true;
  }
  const cookie = request.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`))
    ?.slice(SESSION_COOKIE.length + 1);
  return session !== undefined && cookie !== undefined && tokenMatches(cookie, session);
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

// A state-changing call: JSON (the login form excepted), and from this origin when a browser says where from.
function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== `http://${request.headers.host}`) return false;
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  if (request.url === '/login') return type === 'application/x-www-form-urlencoded';
  // A call without a body (stop, resume) must still say JSON: a cross-site form cannot.
  return type === 'application/json';
}

function hostAllowed(host: string | undefined, listenHost: string): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (listenHost === '0.0.0.0' || listenHost === '::') return true;
  return name === listenHost || ['localhost', '127.0.0.1', '::1'].includes(name);
}

function loginPage(problem?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sophon-conformance console · login</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.4rem}</style>
</head><body><h1>Lab console</h1><p>This console starts runs that wipe devices. Give the token (serve --token-file).</p>
${problem ? `<p role="alert" style="color:#b00020">${problem}</p>` : ''}
<form method="post" action="/login"><label>Token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button></form></body></html>`;
}
