/**
 * Optional behaviours a target declares in a capability manifest (`--capabilities FILE`). Each is a
 * point the vendor documents leave open (design §6) or a facility a lab may lack; a case that needs one
 * says `requires: [name]`, and a target that does not declare it gets `not-applicable` for that case,
 * with the reason, instead of a failure. Without a manifest every capability is assumed.
 *
 * Open points that a case already judges both ways (`oneOf`: HTTP-9 flag combinations, HTTP-10 all
 * false, the HTTP-3 BOM) need no capability: the device picks, and the report names its choice.
 */
export const CAPABILITIES = [
  {
    name: 'mq-channel',
    description: 'The device takes wipedata commands over its MQ (AMQP) command channel.',
    basis: 'MQ-1: an HTTP-only device has no command queue; every MQ case needs one.',
  },
  {
    name: 'reboots-after-mq-wipe',
    description: 'The device reboots after a wipe carried out over MQ.',
    basis: 'MQ-10 decision: the MQ page does not say whether an MQ wipe reboots the device; both are accepted.',
  },
  {
    name: 'can-seed-records',
    description:
      'Recognition records can be produced on the device (a face source it can recognise, see --record-source).',
    basis:
      "The vendor's API documents have no call that creates a record: records come from recognising a face, which a lab may not be able to arrange.",
  },
] as const;

/** The name of a known capability. */
export type CapabilityName = (typeof CAPABILITIES)[number]['name'];

export const CAPABILITY_NAMES: readonly CapabilityName[] = CAPABILITIES.map((c) => c.name);

/** A known capability by name. */
export function capabilityInfo(name: CapabilityName): (typeof CAPABILITIES)[number] {
  return CAPABILITIES.find((c) => c.name === name) as (typeof CAPABILITIES)[number];
}
