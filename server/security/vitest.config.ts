import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:security`: every security suite in full (long fuzzing, sqlmap), one file at a time so
 * sqlmap has the machine's two cores. The default `npm test` runs the quick versions of the *.test.ts files.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: {
    include: ['server/security/**/*.test.ts', 'server/security/**/*.security.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    env: { CAIRN_SECURITY_FULL: '1' },
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
