import { Faults, KNOWN_FAULTS } from '../reference-device/faults.ts';
import { KNOWN_VARIANTS, Variants } from '../reference-device/variants.ts';
import { ConformanceError } from '../src/errors/conformance-error.ts';

/**
 * Checks the reference device's --fault and --variant names before anything is started (no port taken, no
 * folder made): an unknown name is exit 2 with one line that lists the known ones, since faults.ts and
 * variants.ts are not in the npm package; `device --list-faults` / `--list-variants` describe them.
 */
export function checkDeviceSwitches(faults: readonly string[], variants: readonly string[] = []): void {
  for (const [flag, parse] of [
    ['fault', () => Faults.parse(faults)],
    ['variant', () => Variants.parse(variants)],
  ] as const) {
    try {
      parse();
    } catch (error) {
      throw new ConformanceError(
        'CONFIG_INVALID',
        `--${flag}: ${(error as Error).message} (sophon-conformance device --list-${flag}s describes each)`,
      );
    }
  }
}

/** `device --list-faults` / `--list-variants`: one line each, name and what it does. */
export function describeSwitches(kind: 'faults' | 'variants'): string {
  const list: readonly { name: string; description: string }[] = kind === 'faults' ? KNOWN_FAULTS : KNOWN_VARIANTS;
  const width = Math.max(...list.map((s) => s.name.length));
  return `${list.map((s) => `${s.name.padEnd(width)}  ${s.description}`).join('\n')}\n`;
}
