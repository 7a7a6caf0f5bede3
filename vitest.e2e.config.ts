import { defineConfig } from 'vitest/config';

// End-to-end tests drive the built server and a real Chromium; one file at a time keeps the machine calm.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
