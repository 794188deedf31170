// A bare reference device in its own process, for the kill -9 runs. It loads the device (not the CLI),
// prints `{"loaded":true}`, then waits for one stdin line `{"dataDir":…}` before it starts: a process
// can be spawned ahead and started the moment the previous one is killed. Once ready it prints
// `{"ready":true,"url":…}`. Run: node --import tsx test/robustness/device-process.ts
import { createInterface } from 'node:readline';
import { startDevice } from '../../reference-device/start-device.ts';

// The parent holds an IPC channel open: if it dies, so does this device (no orphan keeps its port).
process.on('disconnect', () => process.exit(1));
process.stdout.write('{"loaded":true}\n');
const lines = createInterface({ input: process.stdin });
const first = await new Promise<string>((resolve) => lines.once('line', resolve));
lines.close();
const { dataDir } = JSON.parse(first) as { dataDir: string };
const device = await startDevice({ port: 0, systemPort: 0, dataDir, bootMs: 50, initMs: 0, rebootDelayMs: 5 });
process.stdout.write(`${JSON.stringify({ ready: true, url: device.url })}\n`);
process.once('SIGTERM', () => {
  device.close().then(() => process.exit(0));
});
