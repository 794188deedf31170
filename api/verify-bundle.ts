// Checking a certification bundle (or a lab's) offline: `verify`.

export { type BundleCheck, checkBundle, loadPublicKey } from '../src/bundle/verify-bundle.ts';
export { keyFingerprint } from '../src/bundle/write-bundle.ts';
export type { LabSummary } from '../src/results/fleet-types.ts';
