import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The timed suites on a calm machine: the crash suite (its write rate is judged) first, the ten-minute load suite
 * last (after it ran first, the crash suite that followed measured 95 writes/s instead of 164); the others between, in
 * vitest's own order.
 */
class TimedSuitesApart extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) =>
      file.moduleId.endsWith('crash.security.ts') ? 0 : file.moduleId.endsWith('load.security.ts') ? 2 : 1;
    return sorted
      .map((file, index) => ({ file, index }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index)
      .map(({ file }) => file);
  }
}

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
    sequence: { sequencer: TimedSuitesApart },
    env: { CAIRN_SECURITY_FULL: '1' },
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
