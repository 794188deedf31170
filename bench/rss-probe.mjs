// Preloaded into a measured child process (`node --import ./bench/rss-probe.mjs …`, bench-kit.ts measureNode):
// at exit it writes the process's peak RSS (getrusage maxRSS, in bytes) to the file named by RSS_PROBE_FILE.
// The child's own code and output are left alone.
import { writeFileSync } from 'node:fs';

const file = process.env.RSS_PROBE_FILE;
if (file) {
  process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
}
