import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/ itself, found from this file so commands work from any working directory. */
export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const projectRoot = path.dirname(benchDir);
export const resultsDir = path.join(benchDir, 'results');
export const fixturesDir = path.join(benchDir, 'fixtures');
