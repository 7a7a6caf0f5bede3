import { defineConfig } from 'vitest/config';

// End-to-end tests drive the built server and a real Chromium; one file at a time keeps the machine calm.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    // One server loads the demo data once; each file's server starts from a copy (e2e/server.ts).
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
