import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:security`: the suites that only run here (sqlmap, crash, load: *.security.ts) and the two whose
 * full version differs from `npm test`'s (fuzzing at length with a fresh seed, the page checks against the built
 * web app), one file at a time so each has the machine's two cores. The other suites (access, canary, uploads,
 * keys, backup) have no longer version: `npm test` runs them in full, on PGlite and on PostgreSQL.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, '../..'),
  test: {
    include: [
      'server/security/fuzz.test.ts',
      'server/security/web.test.ts',
      'server/security/**/*.security.ts',
    ],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    env: { CAIRN_SECURITY_FULL: '1' },
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
