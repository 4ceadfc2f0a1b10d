import { defineConfig } from 'vitest/config';

/** `npm run e2e`: the browser tests against served mode (Debian's Chromium; see e2e/harness.ts). */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // One browser and one server at a time: the tests share them and run in order.
    fileParallelism: false,
    maxWorkers: 1,
  },
});
