import { setFlagsFromString } from 'node:v8';

/**
 * A run mostly waits on the device (reboots, quiet windows), so its memory matters more than V8's speed:
 * --optimize-for-size keeps the heap from growing ahead of what it holds, and --semi-space-growth-factor=1
 * keeps the young generation at its first size (--max-semi-space-size would too, but V8 reads that one only
 * as the process starts). Measured on 10,000 cases (bench/scale.ts, compiled CLI): peak RSS 316 MB with V8's
 * defaults, 154 MB with --optimize-for-size, 139 MB with both, for 15-40% more time in a run that is
 * CPU-bound only in that synthetic benchmark. Set before the engine's modules load, so it covers everything
 * the run allocates.
 */
export function favourMemory(): void {
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--semi-space-growth-factor=1');
  // undici parses HTTP with llhttp compiled to WebAssembly, and V8 compiles that again with TurboFan in the
  // background after the first request: 34 MB more RSS for a moment (bench/scale.ts). The baseline
  // (Liftoff) code parses a device's small answers at a cost no run can see.
  setFlagsFromString('--liftoff-only');
}
