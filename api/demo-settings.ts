import type { RunSettings } from '../src/run/execute-run.ts';
import { buildRunSettings } from '../src/settings/build-run-settings.ts';
import type { PrivateQueues } from './private-queues.ts';
import type { RunningDevice } from './reference-device.ts';
import { PROJECT_ROOT, TOOL } from './tool-info.ts';

/** What `demo` started: the reference device, the suite, its HTTP cases, and the broker and queues if one answers. */
export interface DemoRun {
  device: RunningDevice;
  suite: string;
  /** The suite's HTTP cases: without a broker, the demo runs these only. */
  http: string[];
  broker?: string;
  queues?: PrivateQueues;
}

/** The settings of `demo`'s run against the reference device it started. */
export function demoRunSettings({ device, suite, http, broker, queues }: DemoRun): RunSettings {
  // The reference device boots in a fraction of a second: the demo's windows are short accordingly.
  return buildRunSettings(
    {
      target: device.url,
      'system-port': device.systemPort,
      suite,
      'down-within': 2_000,
      'up-within': 10_000,
      'quiet-ms': 300,
      'probe-ms': 10,
      timeout: 5_000,
      'wipe-within': 30_000,
      ...(broker && queues ? { amqp: broker, 'command-queue': queues.commandQueue, 'up-queue': queues.upQueue } : {}),
      'reply-within': broker ? 3_000 : undefined,
    },
    // Without a broker, the HTTP half only.
    { root: PROJECT_ROOT, tool: TOOL, ...(broker ? {} : { selection: { ids: http } }) },
  );
}
