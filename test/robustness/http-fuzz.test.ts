import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { injectOnce } from './http-fuzz.ts';
import { fuzzHttpSocket } from './http-socket-fuzz.ts';
import { type InjectDevice, startInjectDevice } from './inject-device.ts';
import { wipeRequest } from './wipedata-requests.ts';

let device: InjectDevice | undefined;
afterEach(async () => {
  await device?.close();
  device = undefined;
});

/** Every generated request is answered as it calls for, and an invalid one changes nothing. */
const answersAsItShould = (target: InjectDevice) =>
  fc.asyncProperty(wipeRequest, async (request) => {
    expect(await injectOnce(target, request)).toEqual([]);
  });

describe('wipedata under fuzzed bodies and headers (inject)', () => {
  it('never crashes, never wipes on invalid input, always refuses with the envelope and the right code', async () => {
    device = await startInjectDevice();
    await fc.assert(answersAsItShould(device), { numRuns: 600 });
  });

  it('catches a device that answers 200 to malformed JSON (fault ok-on-malformed-json)', async () => {
    device = await startInjectDevice(['ok-on-malformed-json']);
    const result = await fc.check(answersAsItShould(device), { numRuns: 500 });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/not-envelope/);
  });
});

describe('wipedata under fuzzed request lines, header syntax and framing (real socket)', () => {
  it('answers every one with the envelope, wipes nothing and stays up', async () => {
    const figures = await fuzzHttpSocket({ runs: 120 });
    expect(figures.examples).toEqual([]);
    expect(figures).toMatchObject({ inputs: 120, crashes: 0, wipesOnInvalid: 0, nonEnvelope: 0 });
  });

  it('catches a device that sends its refusals with status 200 (fault error-status-200)', async () => {
    const figures = await fuzzHttpSocket({ runs: 30, faults: ['error-status-200'] });
    expect(figures.nonEnvelope).toBeGreaterThan(0);
  });
});
