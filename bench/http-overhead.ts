// Per-request overhead, side by side against one reference device (in a child process) and one request that
// changes nothing: POST wipedata with text/plain, which the device refuses with UNSUPPORT_CONTENT_TYPE (HTTP-2)
// and after which it stays up. Compared, one request in flight at a time, in interleaved rounds:
//   undici-keepalive  bare undici request() on its default keep-alive pool: the floor
//   undici-close      bare undici with `connection: close`, a new TCP connection per request, as the runner does
//   transport         the runner's own sendHttp (evidence recorded, connection: close)
//   runner-case       runHttpCase on one negative case: ready check (getconfigs + getmediadevices), request,
//                     evidence, checks, verdict; quiet window 0 (the watch is the case's own wait, not overhead)
//   newman            newman.run in this process, a collection with the same request and a test script that
//                     checks the same status and error code; the figure is the marginal cost per iteration
//   execute-run       a whole run of one case (load and validate specs, plan, preflight, the case, the report)
import { createRequire } from 'node:module';
import { request } from 'undici';
import type { Profile } from '../src/results/types.ts';
import { executeRun } from '../src/run/execute-run.ts';
import type { RunContext } from '../src/run/run-context.ts';
import { runHttpCase } from '../src/run/run-http-case.ts';
import { freshLearning } from '../src/run/run-learning.ts';
import { REAL_TRANSPORTS } from '../src/run/run-transports.ts';
import type { HttpCase } from '../src/specs/case-schema.ts';
import { sendHttp } from '../src/transports/http-transport.ts';
import { emit, machine, ms, PROJECT_ROOT, quantile, startDeviceProcess } from './bench-kit.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 300);
const BODY = '{"users":true}';
const PATH = '/sophon/v2/face/wipedata';

interface NewmanSummary {
  run: { failures: unknown[]; stats: { assertions: { total: number; failed: number } } };
}
interface Newman {
  run(options: Record<string, unknown>, done: (error: Error | null, summary: NewmanSummary) => void): unknown;
}

const device = await startDeviceProcess({ bootMs: 200 });
const url = `${device.url}${PATH}`;
const signal = new AbortController().signal;

const spec: HttpCase = {
  id: 'bench.wipedata.content-type.text-plain',
  title: 'text/plain is refused with UNSUPPORT_CONTENT_TYPE',
  clauses: ['HTTP-2', 'HTTP-14'],
  level: 'MUST',
  send: { headers: { 'content-type': 'text/plain' }, body: BODY },
  expect: { error: 'UNSUPPORT_CONTENT_TYPE', reboot: 'none' },
};
const ctx: RunContext = {
  target: device.url,
  systemUrl: undefined,
  profile: 'strict' as Profile,
  adapter: undefined,
  downWithinMs: 2_000,
  upWithinMs: 10_000,
  quietMs: 0,
  probeIntervalMs: 10,
  requestTimeoutMs: 5_000,
  signal,
  amqp: undefined,
  runTag: 'bench',
  learnt: freshLearning(),
  transports: REAL_TRANSPORTS,
};

let newman: Newman | undefined;
let newmanError: string | undefined;
try {
  newman = createRequire(import.meta.url)('newman') as Newman;
} catch (error) {
  newmanError = (error as Error).message;
}
const collection = {
  info: {
    name: 'wipedata text/plain',
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
  },
  item: [
    {
      name: 'text/plain is refused',
      request: {
        method: 'POST',
        url,
        header: [{ key: 'Content-Type', value: 'text/plain' }],
        body: { mode: 'raw', raw: BODY },
      },
      event: [
        {
          listen: 'test',
          script: {
            exec: [
              "pm.test('refused with UNSUPPORT_CONTENT_TYPE', () => {",
              '  pm.expect(pm.response.code).to.not.equal(200);',
              "  pm.expect(pm.response.json().error.code).to.equal('UNSUPPORT_CONTENT_TYPE');",
              '});',
            ],
          },
        },
      ],
    },
  ],
};

function runNewman(iterations: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    newman?.run({ collection, iterationCount: iterations, reporters: [] }, (error, summary) => {
      if (error) return reject(error);
      const { total, failed } = summary.run.stats.assertions;
      if (failed > 0 || total !== iterations)
        return reject(new Error(`newman: ${failed} of ${total} assertions failed`));
      resolve(performance.now() - started);
    });
  });
}

async function timeEach(n: number, once: () => Promise<void>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await once();
  return (performance.now() - started) / n;
}

const contenders: Record<string, () => Promise<number>> = {
  'undici-keepalive': () =>
    timeEach(PER_ROUND, async () => {
      const res = await request(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: BODY });
      await res.body.text();
      if (res.statusCode !== 415 && res.statusCode !== 400) throw new Error(`undici: status ${res.statusCode}`);
    }),
  'undici-close': () =>
    timeEach(PER_ROUND, async () => {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', connection: 'close' },
        body: BODY,
      });
      await res.body.text();
    }),
  transport: () =>
    timeEach(PER_ROUND, async () => {
      const origin = performance.now();
      const exchange = await sendHttp(
        { method: 'POST', url, headers: { 'content-type': 'text/plain' }, body: Buffer.from(BODY) },
        { timeoutMs: 5_000, origin },
      );
      if (exchange.status === undefined) throw new Error(`transport: ${exchange.error}`);
    }),
  'runner-case': () =>
    timeEach(PER_ROUND, async () => {
      const run = await runHttpCase(spec, ctx);
      if (run.verdict.kind !== 'pass') throw new Error(`runner: ${run.verdict.kind}`);
    }),
};
if (newman) {
  // The marginal cost of an iteration: a run of N minus a run of 1, over N - 1 (newman's start-up excluded).
  contenders.newman = async () => {
    const one = await runNewman(1);
    const many = await runNewman(PER_ROUND);
    return (many - one) / (PER_ROUND - 1);
  };
}

try {
  // Warm every path (JIT, connection pools, newman's sandbox) before measuring.
  for (const measure of Object.values(contenders)) await measure();
  const rounds: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, measure] of Object.entries(contenders)) {
      rounds[name] = [...(rounds[name] ?? []), await measure()];
    }
  }
  const perRequest = Object.fromEntries(Object.entries(rounds).map(([name, v]) => [name, ms(quantile(v, 0.5))]));
  const base = perRequest['undici-keepalive'] as number;
  const runner = perRequest['runner-case'] as number;
  const newmanMs = perRequest.newman;

  // A whole run of one case, for the fixed per-run cost (specs, plan, preflight, report assembly).
  const runs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    const report = await executeRun({
      root: PROJECT_ROOT,
      target: device.url,
      systemPort: undefined,
      suite: 'http',
      selection: { only: ['http.wipedata.content-type.text-plain'] },
      profile: 'strict',
      stateAdapter: 'none',
      downWithinMs: 2_000,
      upWithinMs: 10_000,
      quietMs: 0,
      probeIntervalMs: 10,
      requestTimeoutMs: 5_000,
      preflightMs: 5_000,
      tool: { name: 'sophon-conformance', version: 'bench' },
      signal,
    });
    if (report.summary.total !== 1) throw new Error('execute-run: expected one case');
    runs.push(performance.now() - started);
  }

  emit('http-overhead', {
    ...machine(),
    request: `POST ${PATH} content-type text/plain ${BODY} (refused, no reboot)`,
    device: 'reference device in a child process, bootMs 200',
    rounds: ROUNDS,
    requestsPerRound: PER_ROUND,
    perRequestMs: perRequest,
    executeRunOneCaseMs: ms(quantile(runs, 0.5)),
    ratios: {
      runnerCaseOverUndiciKeepalive: ms(runner / base),
      runnerCaseOverUndiciClose: ms(runner / (perRequest['undici-close'] as number)),
      transportOverUndiciClose: ms((perRequest.transport as number) / (perRequest['undici-close'] as number)),
      ...(newmanMs !== undefined
        ? { newmanOverUndiciKeepalive: ms(newmanMs / base), newmanOverRunnerCase: ms(newmanMs / runner) }
        : {}),
    },
    ...(newmanError ? { newman: `not run: ${newmanError}` } : { newman: 'newman 6.2.2, in-process newman.run' }),
  });
} finally {
  await device.close();
}
