import { describe, expect, it } from 'vitest';
import { composeBehaviour } from '../../reference-device/compose-behaviour.ts';
import { type BehaviourChanges, HEALTHY_DEVICE } from '../../reference-device/device-behaviour.ts';
import { Faults, KNOWN_FAULTS } from '../../reference-device/faults.ts';
import { COMBINED_VARIANTS, KNOWN_VARIANTS, Variants } from '../../reference-device/variants.ts';

// The knobs a change turns, as "group.knob", each with whether its value differs from the healthy device's.
function turned(changes: BehaviourChanges): { knob: string; changed: boolean }[] {
  return Object.entries(changes).flatMap(([group, knobs]) =>
    Object.entries(knobs as object).map(([knob, value]) => {
      const healthy = (HEALTHY_DEVICE as unknown as Record<string, Record<string, unknown>>)[group]?.[knob];
      return { knob: `${group}.${knob}`, changed: JSON.stringify(value) !== JSON.stringify(healthy) };
    }),
  );
}

describe('the device behaviour each fault and variant declares', () => {
  it('every fault turns at least one knob, and only to a value the healthy device does not have', () => {
    for (const fault of KNOWN_FAULTS) {
      const knobs = turned(fault.changes);
      expect(knobs.length, fault.name).toBeGreaterThan(0);
      // A fault may also hold a knob at its healthy value so that no variant undoes it (never-reboots' afterNoOpWipe).
      expect(
        knobs.some((k) => k.changed),
        fault.name,
      ).toBe(true);
    }
  });

  it('every variant but platform-login-strict (switched on by a login URL) turns a knob away from the default', () => {
    for (const variant of KNOWN_VARIANTS) {
      const knobs = turned(variant.changes);
      if (variant.name === 'platform-login-strict') expect(knobs).toEqual([]);
      else expect(knobs.length > 0 && knobs.every((k) => k.changed), variant.name).toBe(true);
    }
  });

  it('variants of different dimensions never turn the same knob, so any compatible set composes in any order', () => {
    const owner = new Map<string, string>();
    for (const variant of KNOWN_VARIANTS) {
      for (const { knob } of turned(variant.changes)) {
        const dimension = owner.get(knob);
        if (dimension !== undefined) expect(dimension, `${variant.name} turns ${knob}`).toBe(variant.dimension);
        owner.set(knob, variant.dimension);
      }
    }
  });

  it('a fault wins where it turns the same knob as a variant, and an HTTP request fault leaves the MQ channel alone', () => {
    const behaviour = composeBehaviour(
      Faults.parse(['missing-args-wrong-code', 'non-object-missing-args']),
      Variants.parse(
        [...COMBINED_VARIANTS, 'null-body-empty-request-json'].filter((v) => v !== 'non-object-invalid-arguments'),
      ),
    );
    expect(behaviour.httpFlags.emptyObject).toBe('no-flag');
    expect(behaviour.httpFlags.noFlagCode).toBe('INVALID_ARGUMENTS');
    expect(behaviour.mqFlags.emptyObject).toBe('EMPTY_REQUEST_JSON');
    expect(behaviour.mqFlags.noFlagCode).toBe('MISSING_ARGUMENTS');
    expect(behaviour.wipe.nonObject).toBe('MISSING_ARGUMENTS');
    expect(behaviour.wipe.nullBody).toBe('as-non-object');
  });

  it('the healthy device is the composition of nothing', () => {
    expect(composeBehaviour(Faults.parse([]), Variants.parse([]))).toEqual(HEALTHY_DEVICE);
  });
});
