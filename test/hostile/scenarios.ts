import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deletePrivateQueues, deleteQueues, type PrivateQueues, privateQueues } from '../../api/broker.ts';
import { type RunningDevice, startDevice } from '../../reference-device/start-device.ts';
import { ConformanceError } from '../../src/errors/conformance-error.ts';
import type { CaseResult, Report } from '../../src/results/types.ts';
import { type AmqpSettings, executeRun, type RunSettings } from '../../src/run/execute-run.ts';
import {
  closedPort,
  type HostileMode,
  startBrokerProxy,
  startHangingCallbackDevice,
  startHostileTarget,
} from './servers.ts';

/**
 * The hostile scenarios, shared by `test/hostile/*.test.ts` and `bench/false-pass.ts`. Each starts
 * its servers, runs a few cases against them through `executeRun`, and says what came out: the
 * verdicts, whether any case exposed to the hostile behaviour passed (a false pass), and how far the
 * run went past its time limits.
 */

export const BROKER_URL = process.env.SOPHON_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Short limits, so that waiting out a hostile target costs a couple of seconds per case. The request
 * timeout also bounds the state adapter's calls, so it leaves room for seeding on a loaded machine.
 */
export const HOSTILE_LIMITS = {
  requestTimeoutMs: 2_000,
  downWithinMs: 1_000,
  upWithinMs: 3_000,
  quietMs: 150,
  probeIntervalMs: 10,
  preflightMs: 2_000,
  replyWithinMs: 1_500,
} as const;

/** How far past its timeout an exchange may end and still count as keeping it (timer and scheduling lag). */
export const SLACK_MS = 500;
/**
 * How far past its budget a whole run may end and still count as keeping it: the run's wall time adds
 * up every step's scheduling lag, which on a shared 2-core machine under load reaches seconds.
 */
export const RUN_SLACK_MS = 2_500;

/** The HTTP cases each HTTP scenario runs: a refused request (nothing must change) and a users wipe. */
export const HTTP_CASES = ['http.wipedata.content-type.text-plain', 'http.wipedata.flags.users'];
/** The MQ cases each MQ scenario runs: three commands that must get a failure reply and change nothing. */
export const MQ_CASES = [
  'amqp.wipedata.reply.up-queue-without-notify-path',
  'amqp.wipedata.arguments.missing',
  'amqp.wipedata.arguments.users-string-true',
];

export interface ScenarioResult {
  name: string;
  what: string;
  /** The run's exit code (2 when it could not be carried out). */
  exitCode: number;
  /** The one line printed for exit 2. */
  line?: string;
  report?: Report;
  /** Cases exposed to the hostile behaviour that passed: must be 0 (a control scenario must pass them). */
  falsePasses: number;
  exposed: { id: string; verdict: string; message: string }[];
  wallMs: number;
  /** The longest the run may take under its limits (see budgetFor). */
  budgetMs: number;
  /** Wall time past the budget (0 when within). */
  runOverrunMs: number;
  /** Longest wipedata exchange minus the request timeout (negative: it ended before the timeout). */
  requestOverrunMs: number | undefined;
  /** An exchange went past its timeout by more than SLACK_MS, the run past its budget by more than RUN_SLACK_MS, or it had to be abandoned. */
  hung: boolean;
  /** For the hanging-callback scenario: callbacks the device began. */
  detail?: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  what: string;
  transport: 'http' | 'amqp';
  /** `exit-2`: unreachable at the start; `judged`: the run ends with verdicts. */
  expect: 'exit-2' | 'judged';
  /** A control scenario relays a healthy device: its cases must pass, or the other figures mean nothing. */
  control?: boolean;
  /** Skipped (and reported so) when no broker answers. */
  needsBroker?: boolean;
  run(): Promise<ScenarioResult>;
}

const TOOL = { name: 'sophon-conformance', version: 'hostile' };
const ROOT = join(import.meta.dirname, '..', '..');

function settingsFor(target: string, overrides: Partial<RunSettings>): RunSettings {
  const { replyWithinMs: _reply, ...limits } = HOSTILE_LIMITS;
  return {
    root: ROOT,
    target,
    systemPort: undefined,
    suite: 'certification',
    selection: { only: HTTP_CASES },
    profile: 'strict',
    stateAdapter: 'sophon-http',
    ...limits,
    tool: TOOL,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/**
 * The longest a run of `cases` cases may take: the preflight (its window plus two probes), and
 * per case a request timeout, a reply window (MQ), the down and up windows, the quiet window and a
 * second for seeding and reading state.
 */
export function budgetFor(cases: number, transport: 'http' | 'amqp'): number {
  const L = HOSTILE_LIMITS;
  const perCase =
    L.requestTimeoutMs +
    (transport === 'amqp' ? L.replyWithinMs : 0) +
    L.downWithinMs +
    L.upWithinMs +
    L.quietMs +
    1_000;
  // The preflight window, a readiness probe (≤ 1 s) begun inside it, and the diagnostic probe (≤ 1 s).
  return L.preflightMs + 2_500 + cases * perCase;
}

async function withBackend<T>(
  work: (device: RunningDevice) => Promise<T>,
  amqp?: { url: string; commandQueue: string; upQueue: string },
): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sophon-hostile-'));
  const device = await startDevice({
    port: 0,
    systemPort: 0,
    dataDir,
    bootMs: 40,
    ...(amqp ? { amqp } : {}),
  });
  try {
    return await work(device);
  } finally {
    await device.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs executeRun with a guard: past `budget + 5 s` the run is abandoned (aborted, and no longer
 * waited for) and counted as hung.
 */
async function guardedRun(
  name: string,
  what: string,
  transport: 'http' | 'amqp',
  settings: RunSettings,
  cases: number,
  isExposed: (result: CaseResult, index: number) => boolean,
): Promise<ScenarioResult> {
  const budgetMs = budgetFor(cases, transport);
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('abandoned');
    }, budgetMs + 5_000);
  });
  const outcome = await Promise.race([
    executeRun({ ...settings, signal: AbortSignal.any([settings.signal, controller.signal]) }).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    ),
    abandoned,
  ]);
  clearTimeout(timer);
  const wallMs = Math.round(performance.now() - started);
  const runOverrunMs = Math.max(0, wallMs - budgetMs);
  const base = { name, what, wallMs, budgetMs, runOverrunMs };
  if (outcome === 'abandoned') {
    return {
      ...base,
      exitCode: -1,
      falsePasses: 0,
      exposed: [],
      requestOverrunMs: undefined,
      hung: true,
      line: 'abandoned: the run did not end',
    };
  }
  if ('error' in outcome) {
    const error = outcome.error;
    const line =
      error instanceof ConformanceError
        ? error.describe()
        : `internal error: ${(error as Error).stack ?? String(error)}`;
    return {
      ...base,
      exitCode: 2,
      line,
      falsePasses: 0,
      exposed: [],
      requestOverrunMs: undefined,
      hung: runOverrunMs > RUN_SLACK_MS,
    };
  }
  const report = outcome.report;
  const exposed = report.results.filter((r, i) => isExposed(r, i));
  const overruns = exposed.flatMap((r) =>
    (r.evidence.http ?? [])
      .filter((x) => x.request.url.endsWith('/sophon/v2/face/wipedata'))
      .map((x) => (x.completeAtMs ?? Number.POSITIVE_INFINITY) - x.sentAtMs - settings.requestTimeoutMs),
  );
  const requestOverrunMs = overruns.length ? Math.round(Math.max(...overruns)) : undefined;
  return {
    ...base,
    exitCode: report.exitCode,
    report,
    falsePasses: exposed.filter((r) => r.verdict === 'pass').length,
    exposed: exposed.map((r) => ({ id: r.id, verdict: r.verdict, message: r.message })),
    requestOverrunMs,
    hung: runOverrunMs > RUN_SLACK_MS || (requestOverrunMs ?? 0) > SLACK_MS,
  };
}

function httpScenario(
  mode: HostileMode,
  what: string,
  options: { scope?: 'wipedata' | 'all'; control?: boolean; exposed?: string[] } = {},
): Scenario {
  const scope = options.scope ?? 'wipedata';
  const name = scope === 'all' ? `http.${mode}-everywhere` : `http.${mode}`;
  return {
    name,
    what,
    transport: 'http',
    expect: scope === 'all' ? 'exit-2' : 'judged',
    ...(options.control ? { control: true } : {}),
    run: () =>
      withBackend(async (device) => {
        const target = await startHostileTarget({ mode, scope, backend: device.url });
        try {
          // The system port is the real device's: its uptime shows the reboot the relay hides.
          const settings = settingsFor(target.url, { systemPort: device.systemPort });
          const exposed = (r: CaseResult) => !options.control && (options.exposed ?? HTTP_CASES).includes(r.id);
          const planned = scope === 'all' ? 0 : HTTP_CASES.length;
          return await guardedRun(name, what, 'http', settings, planned, exposed);
        } finally {
          await target.close();
        }
      }),
  };
}

/** Every hostile scenario, controls first. */
export const SCENARIOS: Scenario[] = [
  httpScenario('healthy', 'a relay in front of a healthy device (control: must pass)', { control: true }),
  {
    name: 'http.refused',
    what: 'nothing listens on the port: connection refused',
    transport: 'http',
    expect: 'exit-2',
    run: async () => {
      const port = await closedPort();
      const settings = settingsFor(`http://127.0.0.1:${port}`, {});
      return guardedRun('http.refused', 'connection refused', 'http', settings, 0, () => false);
    },
  },
  httpScenario('hang', 'wipedata is accepted and never answered'),
  httpScenario('drip', 'wipedata is answered one byte a second'),
  httpScenario('reset', 'the device wipes, then the connection is reset halfway through the answer'),
  httpScenario('garbage', 'wipedata is answered with bytes that are not HTTP'),
  httpScenario('huge', 'the device wipes, then its answer goes on for 50 MB of JSON whitespace'),
  // Only the users wipe gets a 200 to relabel; the refused request is relayed unchanged and must pass.
  httpScenario('wrong-content-type', 'the device wipes and answers 200 {"result":true} as text/html', {
    exposed: ['http.wipedata.flags.users'],
  }),
  httpScenario('tls', 'wipedata is answered with a TLS ServerHello'),
  httpScenario('hang', 'every request is accepted and never answered', { scope: 'all' }),
  httpScenario('garbage', 'every request is answered with bytes that are not HTTP', { scope: 'all' }),
  httpScenario('tls', 'the port speaks TLS (an https:// device given as http://)', { scope: 'all' }),
  mqScenario('broker-drop', 'the broker connection is cut after the first MQ case', 'cut'),
  mqScenario('broker-stall', 'the broker stops relaying anything after the first MQ case', 'stall'),
  mqScenario(
    'broker-stall-awaiting-reply',
    "the broker confirms the second MQ case's command, then stops relaying while the checker waits for the reply",
    'stall-after-confirm',
  ),
  {
    name: 'amqp.callback-hang',
    what: "the device's notify_path POST sends its headers and part of the body, then hangs",
    transport: 'amqp',
    expect: 'judged',
    needsBroker: true,
    run: () => {
      const queues = queueNames();
      const licenseKey = `hostile-${randomBytes(3).toString('hex')}`;
      return withBackend(async (device) => {
        const hanging = await startHangingCallbackDevice({ brokerUrl: BROKER_URL, ...queues, licenseKey });
        try {
          const settings = settingsFor(device.url, {
            systemPort: device.systemPort,
            selection: { only: ['amqp.wipedata.reply.notify-path-only', MQ_CASES[0] as string] },
            amqp: amqpSettings(BROKER_URL, queues, licenseKey),
          });
          const result = await guardedRun(
            'amqp.callback-hang',
            "the device's notify_path POST hangs",
            'amqp',
            settings,
            2,
            (r) => r.id === 'amqp.wipedata.reply.notify-path-only',
          );
          return { ...result, detail: { callbacksStarted: hanging.callbacksStarted() } };
        } finally {
          await hanging.close();
          await deleteQueues(BROKER_URL, [queues.commandQueue, queues.upQueue]);
        }
      });
    },
  },
];

function queueNames(): PrivateQueues {
  return privateQueues('sc-hostile');
}

function amqpSettings(
  url: string,
  queues: { commandQueue: string; upQueue: string },
  licenseKey?: string,
): AmqpSettings {
  return { url, ...queues, replyWithinMs: HOSTILE_LIMITS.replyWithinMs, licenseKey };
}

function mqScenario(kind: string, what: string, action: 'cut' | 'stall' | 'stall-after-confirm'): Scenario {
  const name = `amqp.${kind}`;
  return {
    name,
    what,
    transport: 'amqp',
    expect: 'judged',
    needsBroker: true,
    run: () => {
      const queues = queueNames();
      return withBackend(
        async (device) => {
          const proxy = await startBrokerProxy(BROKER_URL);
          let cutAfter = -1;
          // Every MQ case's command names its message_key; the second one is confirmed, then the broker hangs.
          if (action === 'stall-after-confirm') proxy.stallAfterConfirm('"message_key"', 2);
          try {
            const settings = settingsFor(device.url, {
              systemPort: device.systemPort,
              selection: { only: MQ_CASES },
              amqp: amqpSettings(proxy.url, queues, device.licenseKey),
              // The broker goes away as the first case ends, before the second publishes its command (a
              // stall is then seen as a missing confirm); stall-after-confirm waits for the second's confirm.
              onResult: () => {
                if (cutAfter >= 0 || action === 'stall-after-confirm') return;
                cutAfter = 0;
                if (action === 'cut') proxy.cut();
                else proxy.stall();
              },
            });
            return await guardedRun(name, what, 'amqp', settings, MQ_CASES.length, (_r, i) => i >= 1);
          } finally {
            await proxy.close();
          }
        },
        { url: BROKER_URL, ...queues },
      ).finally(() => deletePrivateQueues(BROKER_URL, queues));
    },
  };
}
