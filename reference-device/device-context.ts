import type { FastifyReply } from 'fastify';
import type { DeviceBehaviour } from './device-behaviour.ts';
import type { Store } from './store.ts';

/** What the routes of one boot see of the device: its store, its behaviour, and its lifecycle. */
export interface DeviceContext {
  readonly store: Store;
  /** What this device does where a choice or a defect is possible (its faults and variants, composed). */
  readonly behaviour: DeviceBehaviour;
  /** How long a wipe takes before it is answered (variant slow-sync-wipe); 0 otherwise. */
  readonly wipeMs: number;
  /** performance.now() when the host booted (before this process for the first boot): getuptime counts from here. */
  readonly bootedAt: number;
  /** Whether input devices are still initialising (getmediadevices answers DEVICE_INIT_ERROR). */
  isInitializing(): boolean;
  /** Reboot once this response has been sent (or its connection is gone), after the configured delay. */
  rebootAfterResponse(reply: FastifyReply): void;
  /** Reboot now, answered or not. */
  rebootNow(): void;
  /** Waits `ms`, or less if the device is shut down meanwhile (no timer outlives close()). */
  delay(ms: number): Promise<void>;
}
