import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end suites start devices and wait out reboots. Two cores, yet three workers: the three matrix suites
    // (kill, kill with variants, variants) spend ten minutes each mostly waiting on reboots, not computing.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 3,
  },
});
