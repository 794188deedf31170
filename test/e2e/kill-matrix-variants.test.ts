import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killMatrixCommand } from '../../cli/commands/kill-matrix-command.ts';
import type { KillMatrix } from '../../matrix/kill-matrix.ts';
import { KNOWN_FAULTS } from '../../reference-device/faults.ts';
import { COMBINED_VARIANTS } from '../../reference-device/variants.ts';
import { inexactFaults } from '../helpers/inexact-faults.ts';
import { TEST_BROKER } from '../helpers/run-against-device.ts';

// Issue 13 item 4: widening a check to accept what a correct device may do must never turn into missing a
// defect. Every fault, on a device that also carries all the compatible variants, is still caught by exactly
// its declared cases (with its withVariants changes), and that device with no fault still passes.
describe('the kill matrix on devices that also carry the combined variants', () => {
  const out = mkdtempSync(join(tmpdir(), 'sophon-kill-matrix-variants-'));
  let exitCode: number;
  let matrix: KillMatrix;

  beforeAll(async () => {
    const console = new PassThrough();
    console.resume();
    exitCode = await killMatrixCommand(
      [
        '--suite',
        'certification',
        '--with-variants',
        '--clean-runs',
        '2',
        '--parallel',
        '6',
        '--amqp',
        TEST_BROKER,
        '--out',
        out,
      ],
      console as unknown as NodeJS.WriteStream,
    );
    matrix = JSON.parse(readFileSync(join(out, 'kill-matrix-variants.json'), 'utf8')) as KillMatrix;
  }, 900_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every fault on the combination', () => {
    expect(matrix.variants).toEqual([...COMBINED_VARIANTS]);
    expect(matrix.faults.map((f) => f.fault).sort()).toEqual(KNOWN_FAULTS.map((f) => f.name).sort());
  });

  it('catches every fault by exactly its declared cases', () => {
    expect(inexactFaults(matrix)).toEqual([]);
    expect(matrix.faults.filter((f) => f.firstAttempt).length).toBeLessThanOrEqual(2);
  });

  it('never fails the correct device, and it warns only where its variants declare', () => {
    expect(matrix.clean).toMatchObject({ runs: 2, fails: 0, warns: 0 });
    expect(matrix.clean.couldNotTest.flat()).toEqual([]);
    expect(matrix.gaps).toEqual([]);
    expect(exitCode).toBe(0);
  });
});
