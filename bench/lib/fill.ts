import { generateScaleData } from '../scale/generators.js';
import type { BenchContext } from './context.js';

/**
 * Runs the named scale generators (and what they depend on) against this run's database, with the run's
 * preset and seed. The connection is closed before returning, which PGlite needs before a server opens it.
 */
export async function fillDatabase(context: BenchContext, only: readonly string[]): Promise<void> {
  const { preset, seed } = context.options;
  const db = await context.database.connect();
  try {
    await generateScaleData(db, preset, seed, {
      only,
      onProgress: (r) =>
        context.log(`  generated ${r.name}: ${r.rows} rows in ${(r.milliseconds / 1000).toFixed(1)} s`),
    });
  } finally {
    await db.close();
  }
}
