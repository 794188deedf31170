// The HTTP fuzzer on a real socket: raw requests (request line, header syntax, framing) against a
// booted device; every answer must be the envelope, nothing may be wiped, the device must stay up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  seedFixture,
  send,
  startTestDevice,
  stopTestDevices,
  type TestDevice,
} from '../reference-device/device-harness.ts';
import { emptyFigures, type FuzzFigures, showBytes, tally, type Violation } from './fuzz-figures.ts';
import { seedOption } from './http-fuzz.ts';
import { exchangeRaw, type RawRequest, rawRequest } from './raw-requests.ts';
import { envelopeCode, envelopeProblems } from './vendor-envelope.ts';

function storeText(device: TestDevice): string {
  return readFileSync(join(device.dataDir, 'store.json'), 'utf8');
}

/** Sends one raw request and judges everything that came back, the store, the power and liveness. */
export async function rawOnce(device: TestDevice, request: RawRequest): Promise<Violation[]> {
  const input = `${request.kind}: ${showBytes(request.bytes, 240)}`;
  const violations: Violation[] = [];
  const add = (kind: Violation['kind'], detail: string) => violations.push({ kind, detail, input });
  const before = storeText(device);
  const rebootsBefore = device.reboots();
  const { responses, rest, timedOut, refused } = await exchangeRaw(device.port, request.bytes);
  if (refused) add('crash', 'connection refused');
  if (timedOut) add('crash', 'no end of answer within 3 s');
  if (request.mustAnswer && responses.length === 0 && !refused) add('not-envelope', 'no answer');
  if (rest !== '') add('not-envelope', `unreadable answer bytes: ${JSON.stringify(rest.slice(0, 120))}`);
  for (const response of responses) {
    const answer = { status: response.status, contentType: response.headers['content-type'], body: response.body };
    if (response.status >= 500 || envelopeCode(response.body) === 'INTERNAL_ERROR') {
      add('crash', `${response.status} ${response.body.slice(0, 200)}`);
    }
    const problems = envelopeProblems(answer);
    if (problems.length > 0) add('not-envelope', `${response.status} ${problems.join('; ')}`);
  }
  if (storeText(device) !== before) add('wiped-on-invalid', 'the store changed');
  if (device.reboots() !== rebootsBefore) add('wiped-on-invalid', 'the device rebooted');
  const alive = await send(device.url, '/sophon/v2/face/getconfigs', { body: {} }).catch(() => undefined);
  if (alive?.status !== 200) add('crash', 'the device no longer answers getconfigs');
  return violations;
}

export interface SocketFuzzOptions {
  runs: number;
  seed?: number;
  faults?: string[];
}

/** Tries `runs` raw requests on a booted, seeded device. */
export async function fuzzHttpSocket(options: SocketFuzzOptions): Promise<FuzzFigures> {
  const device = await startTestDevice({ faults: options.faults ?? [] });
  const figures = emptyFigures();
  try {
    await seedFixture(device);
    for (const request of fc.sample(rawRequest, { numRuns: options.runs, ...seedOption(options.seed) })) {
      tally(figures, true, await rawOnce(device, request));
    }
  } finally {
    await stopTestDevices();
  }
  return figures;
}
