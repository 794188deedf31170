import { checkHttpCase, outcomesFitting } from '../checks/check-http-case.ts';
import { unprovenReboot } from '../checks/check-reboot.ts';
import { type ResponseView, viewResponse } from '../checks/check-response.ts';
import { foldVerdict } from '../results/fold-verdict.ts';
import type { Evidence } from '../results/types.ts';
import type { HttpCase, HttpExpectSpec, HttpSendSpec } from '../specs/case-schema.ts';
import { outcomesOf } from '../specs/outcomes.ts';
import type { HttpExchange, HttpRequestSpec } from '../transports/http-transport.ts';
import { NO_REPORT, type PhaseReport, reportWatch } from './case-progress.ts';
import {
  type CaseRun,
  establishGiven,
  note,
  quietWindow,
  readStateAfter,
  WIPEDATA_PATH,
  wipeWindowFor,
} from './case-steps.ts';
import { readUptime, watchReboot } from './reboot-watcher.ts';
import { curlFor } from './reproduce.ts';
import type { RunContext } from './run-context.ts';
import { watchTransports } from './run-transports.ts';

/** Builds the request a case asks for: defaults filled in, JSON serialised, raw bytes kept raw. */
export function buildHttpRequest(send: HttpSendSpec, target: string): HttpRequestSpec {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(send.headers ?? {})) headers[name.toLowerCase()] = value;
  let body: Buffer | undefined;
  if (send.json !== undefined) {
    body = Buffer.from(JSON.stringify(send.json), 'utf8');
    headers['content-type'] ??= 'application/json';
  } else if (send.body !== undefined) {
    body = Buffer.from(send.body, 'utf8');
  } else if (send.bodyBase64 !== undefined) {
    body = Buffer.from(send.bodyBase64, 'base64');
  }
  return {
    method: send.method ?? 'POST',
    url: new URL(send.path ?? WIPEDATA_PATH, target).toString(),
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

/**
 * Runs one HTTP case: precondition, the request (never retried), reboot watch, state after, checks.
 * `shares`: other cases use the device meanwhile (concurrent-cases.ts), so the state is found, not seeded.
 */
export async function runHttpCase(
  spec: HttpCase,
  ctx: RunContext,
  shares = false,
  report: PhaseReport = NO_REPORT,
): Promise<CaseRun> {
  const origin = performance.now();
  const evidence: Evidence = {};
  const { adapter, signal } = ctx;
  const given = await establishGiven(spec.given, ctx, evidence, shares, report);
  if ('stop' in given) return given.stop;
  const { state } = given;

  const uptimeBefore = ctx.systemUrl ? await readUptime(ctx.systemUrl, signal, ctx.transports.callApi) : undefined;
  const request = buildHttpRequest(spec.send, ctx.target);
  const timeoutMs = spec.timeoutMs ?? wipeWindowFor(spec, ctx, ctx.requestTimeoutMs);
  report('sending', { windowMs: timeoutMs });
  const exchange = await ctx.transports.sendHttp(request, { timeoutMs, origin, signal });
  evidence.http = [...(evidence.http ?? []), exchange.evidence];
  evidence.reproduce = curlFor(exchange.evidence.request);
  const response = viewResponse(exchange);

  // A read between the response and the reboot shows whether the wipe was done before answering
  // (HTTP-12); it runs beside the watcher so it never delays seeing the device go down.
  const early =
    state && adapter && exchange.status === 200
      ? adapter
          .read(AbortSignal.any([signal, AbortSignal.timeout(Math.max(quietWindow(ctx), 500))]))
          .catch(() => undefined)
      : Promise.resolve(undefined);
  const mayGoDown = mayReboot(spec.expect, exchange, response, ctx);
  const watchMs = mayGoDown ? ctx.downWithinMs : quietWindow(ctx);
  const timeline = await watchReboot({
    ...watchTransports(ctx.transports),
    target: ctx.target,
    systemUrl: ctx.systemUrl,
    downWithinMs: ctx.downWithinMs,
    upWithinMs: ctx.upWithinMs,
    watchMs,
    probeIntervalMs: ctx.probeIntervalMs,
    since: exchange.completedAt,
    uptimeBefore,
    signal,
    onStep: reportWatch(report, { watchMs, upWithinMs: ctx.upWithinMs, quiet: !mayGoDown }),
  });
  evidence.reboot = timeline;
  ctx.learnt.timings.noteDown(timeline);
  const afterResponse = await early;
  await readStateAfter(ctx, state, timeline, evidence, report);
  if (state && afterResponse && timeline.downAtMs !== undefined) state.afterResponse = afterResponse;
  if (state) evidence.state = state;
  if (!adapter && mentionsState(spec.expect))
    note(evidence, 'state adapter "none": state expectations cannot be observed');

  const judged = checkHttpCase(
    spec.expect,
    {
      response,
      reboot: {
        timeline,
        // A body the checker stopped reading (too long) was still an answer: status and headers came first.
        answered: exchange.status !== undefined,
        transportError: exchange.error,
      },
      state,
      settingDefaults: adapter?.settingDefaults ?? {},
    },
    spec.level,
    ctx.profile,
  );
  if (judged.outcome) evidence.outcome = judged.unmatched ? `none of: ${judged.unmatched.join(', ')}` : judged.outcome;
  const unproven = unprovenReboot(timeline);
  if (unproven) evidence.outcome = evidence.outcome ? `${evidence.outcome}; ${unproven}` : unproven;
  return { verdict: foldVerdict(judged.checks), evidence };
}

function mentionsState(expect: HttpExpectSpec): boolean {
  return outcomesOf(expect).some((o) => o.state !== undefined || o.should?.state !== undefined);
}

// Only a case that may reboot is watched for the whole down window; one that must stay up is watched
// for the quiet window, which keeps a suite of negative cases fast on real hardware. Of a `oneOf`, only the
// outcomes the answer still fits count: a device that refused a request it could have accepted has chosen
// an outcome that stays up, and gets the quiet window every refused request gets. With no answer at all
// (the connection dropped), the device may be going down: every outcome counts.
// Whatever the case expected, an answer {"result":true} says a wipe was carried out, and a reboot may follow
// (a device that takes the last of duplicate keys, say): it is watched for, so that it never falls into the next
// case's seeding.
function mayReboot(expect: HttpExpectSpec, exchange: HttpExchange, response: ResponseView, ctx: RunContext): boolean {
  if (exchange.status === 200 && saysDone(response)) return true;
  const outcomes = exchange.status === undefined ? outcomesOf(expect) : outcomesFitting(expect, response, ctx.profile);
  return outcomes.some((o) => o.reboot === 'required' || o.reboot === 'any');
}

function saysDone(response: ResponseView): boolean {
  const body = response.json.ok ? response.json.value : undefined;
  return body !== null && typeof body === 'object' && (body as { result?: unknown }).result === true;
}
