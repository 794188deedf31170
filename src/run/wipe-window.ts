import { defaultOf } from '../settings/run-settings-registry.ts';
/**
 * The command line's wipe window: a synchronous wipe (HTTP-12) answers once the data is gone, which takes a
 * device with a full face library tens of seconds; the up window's three minutes leave room for the slowest.
 */
export const DEFAULT_WIPE_WITHIN_MS: number = defaultOf('wipe-within');
