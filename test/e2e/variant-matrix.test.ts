import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { variantMatrixCommand } from '../../cli/commands/variant-matrix-command.ts';
import type { VariantMatrix } from '../../matrix/variant-matrix.ts';
import { COMBINED_VARIANTS, KNOWN_VARIANTS } from '../../reference-device/variants.ts';
import { TEST_BROKER } from '../helpers/run-against-device.ts';

// The other half of the checker's proof (issue 13): every correct device that makes another choice the
// documents allow passes the whole certification suite, alone and all together: no failure, nothing
// untestable, and warnings exactly where a variant declares the SHOULD it departs from.
describe('the allowed-behaviour matrix', () => {
  const out = mkdtempSync(join(tmpdir(), 'sophon-variant-matrix-'));
  let exitCode: number;
  let matrix: VariantMatrix;
  let markdown: string;

  beforeAll(async () => {
    const console = new PassThrough();
    console.resume();
    exitCode = await variantMatrixCommand(
      ['--suite', 'certification', '--parallel', '6', '--amqp', TEST_BROKER, '--out', out],
      console as unknown as NodeJS.WriteStream,
    );
    matrix = JSON.parse(readFileSync(join(out, 'variant-matrix.json'), 'utf8')) as VariantMatrix;
    markdown = readFileSync(join(out, 'variant-matrix.md'), 'utf8');
  }, 900_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every variant alone, at least 25, and their combination', () => {
    const alone = matrix.rows.filter((r) => r.variant !== 'combined').map((r) => r.variant);
    expect(alone).toEqual(KNOWN_VARIANTS.map((v) => v.name));
    expect(alone.length).toBeGreaterThanOrEqual(25);
    expect(matrix.rows.find((r) => r.variant === 'combined')?.variants).toEqual([...COMBINED_VARIANTS]);
    expect(matrix.notExercised).toEqual([]);
  });

  it('never fails a correct device, nor leaves a case untestable on one', () => {
    const misses = matrix.rows.flatMap((r) =>
      [...r.failed, ...r.couldNotTest].map((m) => `${r.variant}: ${m.id} ${m.verdict} ${m.message}`),
    );
    expect(misses).toEqual([]);
  });

  it('warns exactly where a variant declares the SHOULD it departs from', () => {
    const off = matrix.rows
      .filter((r) => r.unexpectedWarns.length || r.missingWarns.length)
      .map((r) => ({ variant: r.variant, unexpected: r.unexpectedWarns, missing: r.missingWarns }));
    expect(off).toEqual([]);
    expect(matrix.rows.every((r) => r.exact)).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('writes a Markdown table naming each variant with the clause that allows it', () => {
    for (const v of KNOWN_VARIANTS)
      expect(markdown).toContain(`\`${v.name}\`: ${v.description.replace(/\|/g, '\\|')} | ${v.clause} |`);
    expect(markdown).toContain('0 false failures');
  });
});
