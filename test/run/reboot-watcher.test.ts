import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReboot } from '../../src/checks/check-reboot.ts';
import { CONFIRM_TIMEOUT_MS, type ProbeResult, readUptime, watchReboot } from '../../src/run/reboot-watcher.ts';

// A lost SYN on a lab network must not read as a reboot: a probe that only times out is asked again, longer,
// before the device counts as down (a false "rebooted" fails every case that must leave the device up).
function scripted(first: ProbeResult[], then: ProbeResult) {
  const seen: { result: ProbeResult; timeoutMs: number }[] = [];
  const probe = async (_host: string, _port: number, timeoutMs: number): Promise<ProbeResult> => {
    const result = first.shift() ?? then;
    seen.push({ result, timeoutMs });
    return result;
  };
  return { probe, seen };
}

const watch = (probe: ReturnType<typeof scripted>['probe']) =>
  watchReboot({
    target: 'http://127.0.0.1:9',
    downWithinMs: 200,
    upWithinMs: 100,
    watchMs: 200,
    probeIntervalMs: 10,
    since: performance.now(),
    probe,
  });

describe('watching for the device going down', () => {
  it('does not count one silent probe that a longer one answers', async () => {
    const { probe, seen } = scripted(['accepted', 'timeout', 'accepted'], 'accepted');
    const timeline = await watch(probe);
    expect(timeline.outcome).toBe('stayed-up');
    expect(seen[2]).toEqual({ result: 'accepted', timeoutMs: CONFIRM_TIMEOUT_MS });
  });

  it('counts a refused connection at once', async () => {
    const { probe, seen } = scripted(['accepted', 'refused'], 'refused');
    const timeline = await watch(probe);
    expect(timeline.downAtMs).toBeDefined();
    expect(timeline.outcome).toBe('not-back');
    expect(seen.slice(0, 2).map((s) => s.result)).toEqual(['accepted', 'refused']);
  });

  it('counts two silent probes in a row as down, from the first', async () => {
    const { probe, seen } = scripted(['timeout', 'timeout'], 'refused');
    const timeline = await watch(probe);
    expect(timeline.outcome).toBe('not-back');
    expect(timeline.downAtMs).toBeLessThan(50);
    expect(seen[1]?.timeoutMs).toBe(CONFIRM_TIMEOUT_MS);
  });
});

// A device that stays up and answers getuptime truthfully (uptime_ms at the moment it reads its clock): at once
// before the request, then slowly after the watch (the answer leaves ANSWER_DELAY_MS after the clock was read),
// as a device that turned busy, or a runner driving many devices, sees it. Its uptime never falls back, so no
// watch may call it rebooted.
const ANSWER_DELAY_MS = 400;
let answers = 0;
// Set to make the device reboot unseen between the two reads: its clock starts again from a moment ago.
let rebootedAt: number | undefined;
const bootedAt = performance.now() - 60_000;
let system: Server;
let api: TcpServer;
let systemUrl: string;
let target: string;

const listening = (server: Server | TcpServer) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

/** An HTTP server that drains each request and answers it with `status` and the JSON `body()` gives then. */
const answering = (status: number, body: () => string): Server =>
  createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body());
    });
  });

beforeAll(async () => {
  system = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const uptimeMs = Math.round(
        performance.now() - (answers > 0 && rebootedAt !== undefined ? rebootedAt : bootedAt),
      );
      setTimeout(
        () => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ uptime: '0 hours, 1 minutes', uptime_ms: uptimeMs }));
        },
        answers++ === 0 ? 0 : ANSWER_DELAY_MS,
      );
    });
  });
  api = createTcpServer((socket) => socket.destroy());
  systemUrl = `http://127.0.0.1:${await listening(system)}`;
  target = `http://127.0.0.1:${await listening(api)}`;
});

afterAll(async () => {
  await new Promise((resolve) => system.close(resolve));
  await new Promise((resolve) => api.close(resolve));
});

describe('the reboot watcher with a slow boot identity', () => {
  const watch = async () => {
    answers = 0;
    const uptimeBefore = await readUptime(systemUrl);
    expect(uptimeBefore?.resolutionMs).toBe(1);
    const timeline = await watchReboot({
      target,
      systemUrl,
      downWithinMs: 2_000,
      upWithinMs: 2_000,
      watchMs: 150,
      probeIntervalMs: 20,
      since: performance.now(),
      uptimeBefore,
    });
    expect(timeline.uptimeAfter).toBeDefined();
    return timeline.outcome;
  };

  it('does not take a slow getuptime answer for a reboot between probes', async () => {
    rebootedAt = undefined;
    expect(await watch()).toBe('stayed-up');
  });

  it('still sees a reboot between probes, answered as slowly', async () => {
    rebootedAt = performance.now() - 50;
    expect(await watch()).toBe('rebooted-unseen');
  });
});

// A device whose system API answers before the wipe but not once it is back (a service that starts late, or
// never): the reboot rests on down and up, and the timeline says uptime could not confirm it.
describe('a boot identity that does not answer after the reboot', () => {
  let face: Server;
  let silentSystem: Server;
  let faceUrl: string;
  let silentUrl: string;

  beforeAll(async () => {
    face = answering(200, () => '{}');
    silentSystem = answering(503, () => '{"error":{"code":"INTERNAL_ERROR","message":"starting"}}');
    faceUrl = `http://127.0.0.1:${await listening(face)}`;
    silentUrl = `http://127.0.0.1:${await listening(silentSystem)}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => face.close(resolve));
    await new Promise((resolve) => silentSystem.close(resolve));
  });

  it('is said, not failed, and asked again only within the up window', async () => {
    const { probe } = scripted(['accepted', 'refused', 'refused'], 'accepted');
    const since = performance.now();
    const timeline = await watchReboot({
      target: faceUrl,
      systemUrl: silentUrl,
      downWithinMs: 500,
      upWithinMs: 600,
      watchMs: 500,
      probeIntervalMs: 10,
      since,
      uptimeBefore: {
        text: '3 hours, 57 minutes',
        ms: 14_220_000,
        resolutionMs: 60_000,
        sentAt: since - 5,
        answeredAt: since - 3,
      },
      probe,
    });
    expect(timeline.outcome).toBe('rebooted');
    expect(timeline.uptimeAfter).toBeUndefined();
    expect(timeline.identity).toEqual({
      verdict: 'indeterminate',
      reason:
        'getuptime answered "3 hours, 57 minutes" before the request but not after it: the reboot rests on down and up alone',
    });
    expect(performance.now() - since).toBeLessThan(1_500);
  });
});

// While the device was down another program took its ports: the checker sees down, then up and ready, but what
// answers getuptime has been up 9 minutes, seconds after the device was last seen up. That is no reboot.
describe('another program on the ports after the device went down', () => {
  let face: Server;
  let system: Server;
  let readings = 0;

  beforeAll(async () => {
    face = answering(200, () => '{}');
    system = answering(200, () =>
      JSON.stringify({ uptime: readings++ === 0 ? '0 hours, 0 minutes' : '0 hours, 9 minutes' }),
    );
    await listening(face);
    await listening(system);
  });

  afterAll(async () => {
    await new Promise((resolve) => face.close(resolve));
    await new Promise((resolve) => system.close(resolve));
  });

  it('fails the required reboot with both readings', async () => {
    const url = (server: Server) => `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const uptimeBefore = await readUptime(url(system));
    const { probe } = scripted(['accepted', 'refused', 'refused'], 'accepted');
    const timeline = await watchReboot({
      target: url(face),
      systemUrl: url(system),
      downWithinMs: 500,
      upWithinMs: 600,
      watchMs: 500,
      probeIntervalMs: 10,
      since: performance.now(),
      uptimeBefore,
      probe,
    });
    expect(timeline).toMatchObject({
      outcome: 'rebooted',
      uptimeBefore: '0 hours, 0 minutes',
      uptimeAfter: '0 hours, 9 minutes',
      identity: { verdict: 'kept-counting' },
    });
    const judged = checkReboot('required', { timeline, answered: true }, 'MUST');
    expect(judged.result).toBe('fail');
    expect(judged.received).toMatch(
      /^the host did not reboot: what answers getuptime has been up 9 min, longer than the [\d.]+ s since the device was last seen up \(0 min before, 9 min after, [\d.–]+ s apart\); down \+\d+ ms, up \+\d+ ms, ready \+\d+ ms after the response$/,
    );
  });
});
