import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ConformanceError } from '../errors/conformance-error.ts';
import { loadSuite } from '../plan/load-suite.ts';
import { checkWaiversMatch } from '../plan/load-waivers.ts';
import { planCases, type Selection } from '../plan/plan-cases.ts';
import { buildReport } from '../results/build-report.ts';
import type { PhaseEvent, RunPlan } from '../results/progress.ts';
import type { CaseResult, PlatformLoginRecord, Profile, Report } from '../results/types.ts';
import { type LoadedCase, loadSpecs } from '../specs/load-specs.ts';
import { outcomesOf } from '../specs/outcomes.ts';
import { createSophonHttpAdapter } from '../state/sophon-http-adapter.ts';
import type { StateAdapter, StateAdapterContext, StateAdapterModule } from '../state/state-adapter.ts';
import type { CallbackReceiverOptions } from '../transports/callback-receiver.ts';
import { facePath, systemPath } from '../transports/device-api.ts';
import { PlatformLogin } from '../transports/platform-login.ts';
import { ReplyInbox } from '../transports/reply-inbox.ts';
import { freshAmqpLearning } from './amqp-learning.ts';
import { awaitPlatformLogin } from './await-platform-login.ts';
import { type CasePolicy, policyReportFields } from './case-policy.ts';
import { DEFAULT_CASE_CONCURRENCY, runsAlongside } from './concurrent-cases.ts';
import { waitReady } from './reboot-watcher.ts';
import type { AmqpContext, RunContext } from './run-context.ts';
import { freshLearning } from './run-learning.ts';
import { runCases } from './run-suite.ts';
import { type CallbackChannel, type MqSession, REAL_TRANSPORTS, type RunTransports } from './run-transports.ts';

/** Where the MQ channel is and how long replies may take. */
export interface AmqpSettings {
  url: string;
  commandQueue: string;
  upQueue: string;
  replyWithinMs: number;
  /** The device's mq_license_key when known in advance; otherwise learnt from its first reply. */
  licenseKey?: string | undefined;
  callback?: CallbackReceiverOptions;
  /**
   * Also play the management platform's login endpoint at this path of the callback receiver
   * (--platform-login): a device that logs in there is handed this broker, these queues and
   * `exchange-dev-<license>` (platform-login.ts).
   */
  platformLogin?: string | undefined;
}

/** The interrupted run a resumed one continues (--resume): what it was, and the results it has. */
export interface EarlierRun {
  /** Where it was read from, for messages. */
  source: string;
  startedAt: string;
  target: string;
  specHash: string;
  results: readonly CaseResult[];
}

// Apart, so that the command line reads the default without loading the engine.
export { DEFAULT_WIPE_WITHIN_MS } from './wipe-window.ts';

/** Everything `run` needs, already validated by the command line. */
export interface RunSettings {
  /** Folder holding specs/ and suites/. */
  root: string;
  target: string;
  systemPort: number | undefined;
  suite: string;
  selection: Selection;
  profile: Profile;
  stateAdapter: string;
  downWithinMs: number;
  upWithinMs: number;
  quietMs: number;
  probeIntervalMs: number;
  requestTimeoutMs: number;
  /** How long a wipe may take to be answered or replied to (RunContext.wipeWithinMs); undefined: as any request. */
  wipeWithinMs?: number | undefined;
  /** Cases that leave the device alone run this many at a time (default 4; 1 = one after another). */
  caseConcurrency?: number | undefined;
  /** How long the target may take to answer at the start before the run gives up (exit 2). */
  preflightMs: number;
  recordSource?: string | undefined;
  /** The MQ channel, when a broker is given (MQ cases are could-not-test without it). */
  amqp?: AmqpSettings | undefined;
  tool: { name: string; version: string };
  /** Capability manifest, waivers and repeats (case-policy.ts); absent: the plain run. */
  policy?: CasePolicy | undefined;
  signal: AbortSignal;
  /**
   * Results of an interrupted run of the same plan (--resume): these cases are not run again, and their
   * results take their places in the report. Its `startedAt` is the interrupted run's.
   */
  earlier?: EarlierRun | undefined;
  /** Set on a rerun of an earlier run's failures (--rerun-failed), for the report. */
  rerunOf?: NonNullable<Report['origin']>['rerunOf'];
  onStart?: (plan: RunPlan) => void;
  onResult?: (result: CaseResult) => void;
  /** Each case's phase as it changes, for the live console. */
  onPhase?: (event: PhaseEvent) => void;
  /** A line about the whole run, said once when the run learns it (nothing consumes the command queue, say). */
  onNotice?: (line: string) => void;
  /** The login endpoint is up (--platform-login): the URL to configure on the device as MQ_LOGIN_URL. */
  onLoginEndpoint?: (loginUrl: string) => void;
  /** A device called the login endpoint (already redacted: no broker password). */
  onLogin?: (login: PlatformLoginRecord) => void;
  /** How the run reaches the device and the broker; default REAL_TRANSPORTS (tests give fakes). */
  transports?: RunTransports | undefined;
}

/** Loads, plans, checks the target is there, runs, and assembles the report. Throws ConformanceError for exit 2. */
export async function executeRun(settings: RunSettings): Promise<Report> {
  const catalogue = loadSpecs(settings.root);
  const suite = loadSuite(settings.root, settings.suite);
  const planned = planCases(catalogue.cases, suite, settings.selection);
  if (settings.earlier) checkSameRun(settings.earlier, catalogue.hash, settings.target);
  // Kept from the interrupted run (--resume): only the rest runs, and the report holds both in plan order.
  const kept = new Map((settings.earlier?.results ?? []).map((r) => [r.id, r]));
  const cases = planned.filter((c) => !kept.has(c.spec.id));
  const exercised = new Set(planCases(catalogue.cases, suite).map((c) => c.transport));
  const target = settings.target.replace(/\/+$/, '');
  const systemUrl = settings.systemPort === undefined ? undefined : withPort(target, settings.systemPort);
  const runTag = randomBytes(3).toString('hex');
  const transports = settings.transports ?? REAL_TRANSPORTS;

  // A waiver naming no case of the suite is a mistake to fix before touching the target (exit 2).
  if (settings.policy?.waivers) {
    checkWaiversMatch(
      settings.policy.waivers,
      planCases(catalogue.cases, suite).map((c) => c.spec.id),
      suite.name,
    );
  }
  await preflight(target, settings, transports);
  const adapter = await resolveAdapter(
    settings.stateAdapter,
    { target, runTag, timeoutMs: settings.requestTimeoutMs },
    settings,
    transports,
  );
  // The broker is only needed (and only checked) when MQ cases are planned.
  const wantsAmqp = settings.amqp !== undefined && cases.some((c) => c.transport === 'amqp');
  const platform =
    wantsAmqp && settings.amqp?.platformLogin
      ? platformLogin(settings.amqp.platformLogin, settings.amqp, settings.onLogin)
      : undefined;
  const amqp =
    wantsAmqp && settings.amqp
      ? await openAmqp(
          settings.amqp,
          transports,
          platform,
          settings.onLoginEndpoint,
          settings.upWithinMs,
          settings.signal,
        )
      : undefined;
  const firmware = systemUrl
    ? await transports.callApi(systemUrl, systemPath('getsoftwareversion'), {}, 2_000)
    : undefined;

  const ctx: RunContext = {
    target,
    systemUrl,
    profile: settings.profile,
    adapter,
    downWithinMs: settings.downWithinMs,
    upWithinMs: settings.upWithinMs,
    quietMs: settings.quietMs,
    probeIntervalMs: settings.probeIntervalMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    wipeWithinMs: settings.wipeWithinMs,
    signal: settings.signal,
    transports,
    runTag,
    amqp,
    caseConcurrency: settings.caseConcurrency,
    policy: settings.policy,
    onPhase: settings.onPhase,
    onNotice: settings.onNotice,
    learnt: freshLearning(),
  };
  const resumedAt = new Date().toISOString();
  const startedAt = settings.earlier?.startedAt ?? resumedAt;
  settings.onStart?.({
    total: planned.length,
    suite: suite.name,
    target,
    specHash: catalogue.hash,
    startedAt,
    cases: planned.map(plannedCase),
    kept: planned.filter((c) => kept.has(c.spec.id)).map((c) => c.spec.id),
    concurrency: settings.caseConcurrency ?? DEFAULT_CASE_CONCURRENCY,
    windows: { quietMs: settings.quietMs, downWithinMs: settings.downWithinMs },
  });
  try {
    const run = await runCases(cases, ctx, settings.onResult);
    const ran = new Map(run.results.map((r) => [r.id, r]));
    const results = planned.flatMap((c) => kept.get(c.spec.id) ?? ran.get(c.spec.id) ?? []);
    const complete = run.complete && results.length === planned.length;
    return buildReport({
      tool: settings.tool.name,
      version: settings.tool.version,
      target,
      profile: settings.profile,
      suite: suite.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      complete,
      specHash: catalogue.hash,
      ...(firmware?.kind === 'ok' ? { device: { firmware: firmware.data } } : {}),
      // Coverage is judged over the clauses of the transports this suite exercises.
      clauses: [...catalogue.clauses.values()]
        .filter((c) => exercised.has(c.id.startsWith('MQ-') ? 'amqp' : 'http'))
        .map((c) => {
          const documentTitle = catalogue.documents.get(c.source.document);
          return {
            id: c.id,
            level: c.level,
            text: c.text,
            source: `${c.source.document} § ${c.source.section}`,
            ...(documentTitle ? { documentTitle } : {}),
          };
        }),
      results,
      ...policyReportFields(settings.policy, results),
      ...(platform && amqp?.callbacks.loginUrl
        ? { platform: { loginUrl: amqp.callbacks.loginUrl, logins: [...platform.logins] } }
        : {}),
      ...(settings.earlier || settings.rerunOf
        ? {
            origin: {
              ...(settings.earlier ? { resumed: { kept: kept.size, resumedAt: resumedAt } } : {}),
              ...(settings.rerunOf ? { rerunOf: settings.rerunOf } : {}),
            },
          }
        : {}),
    });
  } finally {
    await adapter?.close?.();
    await amqp?.session.close();
    await amqp?.callbacks.close();
  }
}

/** How the live console sees a planned case before it runs. */
function plannedCase(c: LoadedCase): RunPlan['cases'][number] {
  return {
    id: c.spec.id,
    reboots: outcomesOf<{ reboot?: string }>(c.spec.expect).some((o) => o.reboot === 'required'),
    mayReboot: outcomesOf<{ reboot?: string }>(c.spec.expect).some((o) => o.reboot === 'any'),
    publishesBefore: c.transport === 'amqp' && (c.spec.send.before?.length ?? 0) > 0,
    shares: runsAlongside(c),
  };
}

/** The management platform's login endpoint the run plays (--platform-login). */
function platformLogin(path: string, amqp: AmqpSettings, onLogin: RunSettings['onLogin']): PlatformLogin {
  return new PlatformLogin({
    path,
    brokerUrl: amqp.url,
    commandQueue: amqp.commandQueue,
    upQueue: amqp.upQueue,
    licenseKey: amqp.licenseKey,
    onLogin,
  });
}

// A resumed run adds results to the interrupted one's: only sound when both judged the same target against
// the same spec files (exit 2 otherwise, before the target is touched).
function checkSameRun(earlier: EarlierRun, specHash: string, target: string): void {
  if (earlier.specHash !== specHash) {
    throw new ConformanceError(
      'RESUME_MISMATCH',
      `${earlier.source} was run against other spec files (spec hash ${earlier.specHash.slice(0, 12)}…, now ${specHash.slice(0, 12)}…): its results cannot be combined with new ones; start a new run`,
    );
  }
  if (earlier.target.replace(/\/+$/, '') !== target.replace(/\/+$/, '')) {
    throw new ConformanceError(
      'RESUME_MISMATCH',
      `${earlier.source} checked ${earlier.target}, not ${target}: resume it against the same target, or start a new run`,
    );
  }
}

async function openAmqp(
  settings: AmqpSettings,
  transports: RunTransports,
  login: PlatformLogin | undefined,
  onLoginEndpoint: ((loginUrl: string) => void) | undefined,
  upWithinMs: number,
  signal: AbortSignal,
): Promise<AmqpContext> {
  const inbox = new ReplyInbox();
  // With the login endpoint the receiver comes first: the device learns its command queue there, and declares
  // it only after logging in (await-platform-login.ts).
  const early = login ? await transports.startCallbacks(inbox, { ...settings.callback, login }) : undefined;
  let session: MqSession;
  try {
    if (early?.loginUrl && login) {
      onLoginEndpoint?.(early.loginUrl);
      await awaitPlatformLogin({
        brokerUrl: settings.url,
        commandQueue: settings.commandQueue,
        login,
        loginUrl: early.loginUrl,
        withinMs: upWithinMs,
        signal,
      });
    }
    session = await transports.openMqSession(settings, inbox);
  } catch (error) {
    await early?.close();
    throw error;
  }
  try {
    const callbacks: CallbackChannel = early ?? (await transports.startCallbacks(inbox, { ...settings.callback }));
    const licenseKey = settings.licenseKey ?? (await learnLicenseKey(session, inbox, settings.replyWithinMs));
    return {
      session,
      inbox,
      callbacks,
      replyWithinMs: settings.replyWithinMs,
      learnt: freshAmqpLearning(licenseKey, session.consumersAtOpen),
    };
  } catch (error) {
    await session.close();
    await early?.close();
    throw error;
  }
}

// MQ-4 wants the key stable across reboots: learn it once, before any case reboots the device, from
// the reply to a command that changes nothing (a flag that is not a boolean).
async function learnLicenseKey(session: MqSession, inbox: ReplyInbox, withinMs: number): Promise<string | undefined> {
  const probe = {
    message_key: 'wipedata',
    message_id: `sophon-conformance-probe-${randomBytes(6).toString('hex')}`,
    users: 'probe',
  };
  const at = await session.publish(Buffer.from(JSON.stringify(probe)), {});
  const reply = await inbox.waitFor(at, (a) => a.channel === 'up_queue', at + withinMs);
  const key = (reply?.json as { mq_license_key?: unknown } | undefined)?.mq_license_key;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

// The run is only meaningful against a device that answers; anything else is exit 2 with the reason.
async function preflight(target: string, settings: RunSettings, transports: RunTransports): Promise<void> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ConformanceError('CONFIG_INVALID', `--target ${target} is not a URL (want http://HOST:PORT)`);
  }
  if (url.protocol !== 'http:') {
    throw new ConformanceError('CONFIG_INVALID', `--target ${target}: only http:// targets are supported`);
  }
  const port = Number(url.port || 80);
  const accepts = await transports.tcpConnect(url.hostname, port, Math.min(settings.preflightMs, 5_000));
  const ready = () => waitReady(target, settings.preflightMs, 100, settings.signal, transports.callApi);
  if (accepts !== true && !(await ready())) {
    throw new ConformanceError('TARGET_UNREACHABLE', `${target} is unreachable at the start of the run (${accepts})`);
  }
  if (!(await ready())) {
    throw new ConformanceError(
      'TARGET_UNREACHABLE',
      `${target} accepts connections but its API is not ready within ${settings.preflightMs} ms (${await whyNotReady(target, settings.signal, transports)})`,
    );
  }
}

// One more look at the readiness calls, to say in the exit line what the target does instead: no
// answer, TLS, bytes that are not HTTP, or a vendor error such as DEVICE_INIT_ERROR.
async function whyNotReady(target: string, signal: AbortSignal, transports: RunTransports): Promise<string> {
  for (const command of ['getconfigs', 'getmediadevices']) {
    const exchange = await transports.sendHttp(
      {
        method: 'POST',
        url: new URL(facePath(command), target).toString(),
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{}'),
      },
      { timeoutMs: 1_000, origin: performance.now(), signal, maxBodyBytes: 4_096 },
    );
    if (exchange.error) return `${command}: ${exchange.error}`;
    const text = (exchange.body ?? Buffer.alloc(0)).toString('utf8').replace(/\s+/g, ' ').slice(0, 120);
    if (exchange.status !== 200 || text.includes('"error"')) return `${command} answered ${exchange.status} ${text}`;
  }
  return 'getconfigs and getmediadevices answer as documented only now, after the window';
}

async function resolveAdapter(
  name: string,
  context: StateAdapterContext,
  settings: RunSettings,
  transports: RunTransports,
): Promise<StateAdapter | undefined> {
  if (name === 'none') return undefined;
  if (name === 'sophon-http') {
    const { callApi } = transports;
    return createSophonHttpAdapter(
      context,
      settings.recordSource ? { recordSource: settings.recordSource, callApi } : { callApi },
    );
  }
  let module: Partial<StateAdapterModule>;
  try {
    module = (await import(pathToFileURL(name).href)) as Partial<StateAdapterModule>;
  } catch (error) {
    throw new ConformanceError(
      'STATE_ADAPTER_INVALID',
      `--state-adapter ${name}: not "sophon-http", "none", or a module that can be imported (${(error as Error).message})`,
    );
  }
  if (typeof module.createStateAdapter !== 'function') {
    throw new ConformanceError(
      'STATE_ADAPTER_INVALID',
      `--state-adapter ${name} does not export createStateAdapter(context)`,
    );
  }
  let adapter: StateAdapter;
  try {
    adapter = await module.createStateAdapter(context);
  } catch (error) {
    // The module is the user's: its failure is theirs to fix, in one line, not the tool's stack.
    throw new ConformanceError(
      'STATE_ADAPTER_INVALID',
      `--state-adapter ${name}: createStateAdapter threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!adapter || typeof adapter.read !== 'function' || typeof adapter.seed !== 'function') {
    throw new ConformanceError(
      'STATE_ADAPTER_INVALID',
      `--state-adapter ${name}: createStateAdapter did not return { read, seed, seedable, settingDefaults }`,
    );
  }
  return adapter;
}

function withPort(target: string, port: number): string {
  const url = new URL(target);
  url.port = String(port);
  return url.toString().replace(/\/+$/, '');
}
