// The HTTP fuzzer through Fastify's inject: one wipedata request against the in-process device, judged
// against what the request calls for; and a run of many, adding up the figures.
import fc from 'fast-check';
import { emptyFigures, type FuzzFigures, showBytes, tally, type Violation } from './fuzz-figures.ts';
import { type InjectDevice, startInjectDevice } from './inject-device.ts';
import { envelopeCode, envelopeProblems } from './vendor-envelope.ts';
import { type WipeRequest, wipeRequest } from './wipedata-requests.ts';

export const WIPE_URL = '/sophon/v2/face/wipedata';

export function describeRequest(request: WipeRequest): string {
  const headers = Object.keys(request.headers).join(',') || 'none';
  return `${request.kind}; content-type ${JSON.stringify(request.contentType)}; extra headers ${headers}; body ${showBytes(request.body)}`;
}

/**
 * Sends one request and judges the answer and the store: a refusal must be the envelope with the
 * code the input calls for and leave the store and the power alone; a wipe must be answered
 * `200 {"result":true}` and ask for its reboot when it changed something (the state is then re-seeded).
 */
export async function injectOnce(device: InjectDevice, request: WipeRequest): Promise<Violation[]> {
  const input = describeRequest(request);
  const violations: Violation[] = [];
  const add = (kind: Violation['kind'], detail: string) => violations.push({ kind, detail, input });
  const before = device.snapshot();
  const rebootsBefore = device.reboots();
  const headers: Record<string, string> = { ...request.headers };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  let response: Awaited<ReturnType<InjectDevice['app']['inject']>>;
  try {
    response = await device.app.inject({
      method: 'POST',
      url: WIPE_URL,
      headers,
      payload: Buffer.from(request.body),
    });
  } catch (error) {
    add('crash', `inject threw: ${String(error)}`);
    return violations;
  }
  const contentType = response.headers['content-type'];
  const answer = {
    status: response.statusCode,
    contentType: contentType === undefined ? undefined : String(contentType),
    body: response.body,
  };
  const code = envelopeCode(answer.body);
  const changed = device.snapshot() !== before;
  const rebooted = device.reboots() !== rebootsBefore;
  if (answer.status >= 500 || code === 'INTERNAL_ERROR') add('crash', `${answer.status} ${answer.body.slice(0, 200)}`);
  if (!request.verdict.valid) {
    if (changed) add('wiped-on-invalid', 'the store changed');
    if (rebooted) add('wiped-on-invalid', 'a reboot was asked for');
    const problems = envelopeProblems(answer);
    if (problems.length > 0) add('not-envelope', `${answer.status} ${problems.join('; ')}`);
    else if (code !== request.verdict.code && code !== 'INTERNAL_ERROR') {
      add('wrong-code', `${code}, expected ${request.verdict.code}`);
    }
    return violations;
  }
  if (answer.status !== 200 || answer.body !== '{"result":true}') {
    add('valid-mishandled', `${answer.status} ${answer.body.slice(0, 200)}`);
  }
  if (request.verdict.changes !== rebooted) add('valid-mishandled', `reboot asked for: ${rebooted}`);
  if (changed) await device.reseed();
  return violations;
}

export interface HttpFuzzOptions {
  runs: number;
  seed?: number;
  faults?: string[];
}

/** Tries `runs` generated requests on a fresh seeded device; every input is judged, none stops the run. */
export async function fuzzHttpInject(options: HttpFuzzOptions): Promise<FuzzFigures> {
  const device = await startInjectDevice(options.faults ?? []);
  const figures = emptyFigures();
  try {
    const requests = fc.sample(wipeRequest, { numRuns: options.runs, ...seedOption(options.seed) });
    for (const request of requests) tally(figures, !request.verdict.valid, await injectOnce(device, request));
    // Still alive: a management read answers.
    const alive = await device.app.inject({
      method: 'POST',
      url: '/sophon/v2/face/getconfigs',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    if (alive.statusCode !== 200) figures.crashes++;
  } finally {
    await device.close();
  }
  return figures;
}

export function seedOption(seed: number | undefined): { seed?: number } {
  return seed === undefined ? {} : { seed };
}
