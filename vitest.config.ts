import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-shared/**/*.test.ts', 'src-renderer/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Training tests are CPU-heavy; two cores here, so keep parallelism modest.
    maxWorkers: 2,
    setupFiles: ['test/setup-env.ts'],
  },
});
