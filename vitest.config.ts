import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'web/src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    // Vitest leaves one core to its main process by default, which on a two-core machine runs the files one by one;
    // the main process only collects results, so every core runs test files.
    maxWorkers: availableParallelism(),
    // Each worker imports the app's modules once for all the files it runs, not once per file: every file still
    // has a database and an app of its own (server/test/db.ts, server/test/app.ts), so files share code, never
    // rows or state. Importing the app per file was half of the suite's time (153 files: PGlite 816 s → 549 s,
    // PostgreSQL 786 s → 372 s on the same two-core machine). A test that changes a module's state for good
    // (a global, an environment variable, a mock) must undo it in its own afterAll.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
