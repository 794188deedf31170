import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportServer, startReportServer } from '../../api/serve/start-report-server.ts';
import { consoleExtension } from '../../console/start-console.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { openLedger } from '../../src/ledger/index.ts';

// The lab console's REST API against a reference device: the token, a start, a busy device, the live stream,
// a stop with its partial report, a resume, the report, and the guards against cross-site calls.

// biome-ignore lint/suspicious/noExplicitAny: JSON from the API, asserted field by field below
type Json = any;

const work = mkdtempSync(join(tmpdir(), 'sc-console-'));
const TOKEN = 'console-test-token-0123456789';
let device: RunningDevice;
let server: ReportServer;
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { ...auth, 'content-type': 'application/json' };

async function startConsole(): Promise<ReportServer> {
  writeFileSync(join(work, 'token'), TOKEN, { mode: 0o600 });
  const lab = await consoleExtension({
    lab: join(work, 'lab.yaml'),
    tokenFile: join(work, 'token'),
    host: '127.0.0.1',
    dir: join(work, 'runs'),
    ledger: join(work, 'ledger.sqlite'),
  });
  return startReportServer({ dir: join(work, 'runs'), host: '127.0.0.1', port: 0, extend: lab.extend });
}

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(new URL(path, server.url), init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Reads the run's event stream until it ends; returns the events by type. */
async function follow(id: string, onEvent?: (type: string) => void): Promise<{ type: string; data: Json }[]> {
  const response = await fetch(new URL(`/api/runs/${id}/events`, server.url), { headers: auth });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: { type: string; data: Json }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (type && data) {
        events.push({ type, data: JSON.parse(data) });
        onEvent?.(type);
      }
      cut = buffer.indexOf('\n\n');
    }
  }
  return events;
}

beforeAll(async () => {
  device = await startDevice({ port: 0, systemPort: 0, dataDir: join(work, 'device'), bootMs: 100 });
  writeFileSync(
    join(work, 'lab.yaml'),
    `devices:\n  - name: bench-1\n    target: ${device.url}\n    system-port: ${device.systemPort}\n    down-within: 2000\n    up-within: 10000\n    quiet-ms: 300\n    probe-ms: 10\n`,
  );
  server = await startConsole();
});

afterAll(async () => {
  await server?.close();
  await device?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the lab console REST API', () => {
  it('needs the token for every call and page, and refuses cross-site and rebound calls', async () => {
    expect((await call('/api/devices')).status).toBe(401);
    expect(
      (
        await call('/api/runs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"device":"bench-1"}',
        })
      ).status,
    ).toBe(401);
    const page = await fetch(new URL('/console', server.url), { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/login');
    // A form or a no-cors fetch from another site cannot send JSON; an Origin of another site is refused.
    const form = await call('/api/runs', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: '{"device":"bench-1"}',
    });
    expect(form.status).toBe(403);
    const foreign = await call('/api/runs', {
      method: 'POST',
      headers: { ...json, origin: 'http://evil.example' },
      body: '{"device":"bench-1"}',
    });
    expect(foreign.status).toBe(403);
    // A page of another site that rebinds its name to 127.0.0.1 sends its own name as Host (fetch cannot set it).
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL('/api/runs', server.url);
      get(
        { host: url.hostname, port: url.port, path: url.pathname, headers: { ...auth, host: 'evil.example' } },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        },
      ).on('error', reject);
    });
    expect(rebound).toBe(421);
    const spec = await call('/api/openapi.json', { headers: auth });
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/devices',
        '/api/runs',
        '/api/runs/{id}',
        '/api/runs/{id}/events',
        '/api/runs/{id}/stop',
        '/api/runs/{id}/resume',
        '/api/runs/{id}/report',
      ]),
    );
  });

  it('lists the devices with a live probe and their firmware, never a secret', async () => {
    const { status, body } = await call('/api/devices', { headers: auth });
    expect(status).toBe(200);
    expect(body).toEqual([
      expect.objectContaining({
        name: 'bench-1',
        reachable: true,
        mq: false,
        firmware: expect.objectContaining({ app_gate_version: expect.any(String) }),
      }),
    ]);
  });

  it('starts a run, refuses a second on the busy device, streams its progress and ends with its gate and report', async () => {
    const started = await call('/api/runs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ device: 'bench-1', suite: 'smoke' }),
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const busy = await call('/api/runs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ device: 'bench-1', suite: 'smoke' }),
    });
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: 'DEVICE_BUSY', run: id });
    const events = await follow(id);
    expect(events[0]?.type).toBe('start');
    expect(events.filter((e) => e.type === 'status').length).toBeGreaterThanOrEqual(5);
    expect(events.filter((e) => e.type === 'result').length).toBe(events[0]?.data.total);
    expect(events.at(-1)).toMatchObject({ type: 'end', data: { exitCode: 0, complete: true } });
    const run = await call(`/api/runs/${id}`, { headers: auth });
    expect(run.body).toMatchObject({ state: 'ended', gate: 'PASS', exitCode: 0 });
    const report = await call(`/api/runs/${id}/report`, { headers: auth });
    expect(report.body).toMatchObject({ tool: 'sophon-conformance', suite: 'smoke', complete: true });
    // A late watcher gets the whole story, ending with the gate.
    expect((await follow(id)).at(-1)).toMatchObject({ type: 'end', data: { exitCode: 0 } });
  }, 60_000);

  it('stops a run after its current step with a partial report, and resumes it to the end keeping what it had', async () => {
    const started = await call('/api/runs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ device: 'bench-1', suite: 'http' }),
    });
    const id = started.body.id as string;
    let results = 0;
    let stopped: Promise<unknown> | undefined;
    const events = await follow(id, (type) => {
      if (type === 'result' && ++results === 5)
        stopped = call(`/api/runs/${id}/stop`, { method: 'POST', headers: json, body: '{}' });
    });
    await stopped;
    expect(events.at(-1)).toMatchObject({ type: 'end', data: { complete: false, exitCode: 3 } });
    const interrupted = await call(`/api/runs/${id}`, { headers: auth });
    expect(interrupted.body).toMatchObject({ state: 'interrupted', gate: 'INCOMPLETE' });
    const partial = await call(`/api/runs/${id}/report`, { headers: auth });
    expect(partial.body.complete).toBe(false);

    const resumed = await call(`/api/runs/${id}/resume`, { method: 'POST', headers: json, body: '{}' });
    expect(resumed.status).toBe(200);
    expect((await follow(id)).at(-1)).toMatchObject({ type: 'end', data: { complete: true, exitCode: 0 } });
    const report = await call(`/api/runs/${id}/report`, { headers: auth });
    expect(report.body.origin.resumed.kept).toBeGreaterThanOrEqual(5);
    expect(report.body.summary.total).toBe(report.body.summary.pass);

    // The ledger holds who started, stopped and resumed it, and both the partial and the complete report.
    const store = await openLedger(join(work, 'ledger.sqlite'));
    try {
      expect((await store.actions(id)).map((a) => [a.action, a.device, a.who])).toEqual([
        ['start', 'bench-1', 'token holder (127.0.0.1)'],
        ['stop', 'bench-1', 'token holder (127.0.0.1)'],
        ['resume', 'bench-1', 'token holder (127.0.0.1)'],
      ]);
      const recorded = await store.runs();
      expect(recorded.some((r) => r.startedAt === report.body.startedAt && r.complete)).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('a console restarted mid-run finds the run interrupted and resumable', async () => {
    const started = await call('/api/runs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ device: 'bench-1', suite: 'http' }),
    });
    const id = started.body.id as string;
    await new Promise((r) => setTimeout(r, 2_000));
    await server.close();
    server = await startConsole();
    const run = await call(`/api/runs/${id}`, { headers: auth });
    expect(run.body).toMatchObject({ state: 'interrupted', complete: false });
    expect((await call(`/api/runs/${id}/resume`, { method: 'POST', headers: json, body: '{}' })).status).toBe(200);
    expect((await follow(id)).at(-1)).toMatchObject({ type: 'end', data: { complete: true } });
  }, 120_000);

  it('refuses to listen off loopback without a token', async () => {
    await expect(
      consoleExtension({ lab: join(work, 'lab.yaml'), host: '0.0.0.0', dir: join(work, 'runs') }),
    ).rejects.toThrow(/needs --token-file FILE/);
  });
});
