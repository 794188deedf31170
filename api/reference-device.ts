import type { DeviceOptions, LifecycleEvent, RunningDevice } from '../reference-device/start-device.ts';

export type { DeviceOptions, LifecycleEvent, RunningDevice };

/**
 * Starts the bundled reference device (a correct device, or one with named faults and variants) and resolves
 * once it is ready. Loaded only when called: importing the package does not load the device.
 */
export async function startReferenceDevice(options: DeviceOptions): Promise<RunningDevice> {
  const { startDevice } = await import('../reference-device/start-device.ts');
  return startDevice(options);
}
