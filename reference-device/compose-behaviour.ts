import { type DeviceBehaviour, HEALTHY_DEVICE } from './device-behaviour.ts';
import type { Faults } from './faults.ts';
import type { Variants } from './variants.ts';

/**
 * The behaviour of a device with these faults and variants, composed once when it starts: the variants' changes
 * on the healthy device, then the faults' on top, so that a fault wins where both turn the same knob (a defect
 * shows whatever allowed choices the device makes).
 */
export function composeBehaviour(faults: Faults, variants: Variants): DeviceBehaviour {
  return faults.applyTo(variants.applyTo(HEALTHY_DEVICE));
}
