// A reference device for the benchmarks that prints each lifecycle event (reference-device/reboot.ts) as a
// JSON line with its monotonic clock (process.hrtime, CLOCK_MONOTONIC: the same clock in every process of
// the machine), so a benchmark in another process can line the device's own edges up against its watcher.
// Usage: tsx bench/lifecycle-device.ts BOOT_MS DATA_DIR
import { startDevice } from '../reference-device/start-device.ts';

const [bootMs = '200', dataDir = ''] = process.argv.slice(2);
const device = await startDevice({
  port: 0,
  systemPort: 0,
  dataDir,
  bootMs: Number(bootMs),
  onLifecycle: (event) => process.stdout.write(`${JSON.stringify({ kind: event.kind, hr: String(event.hr) })}\n`),
});
process.stdout.write(`${JSON.stringify({ kind: 'started', url: device.url, systemUrl: device.systemUrl })}\n`);
await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
await device.close();
