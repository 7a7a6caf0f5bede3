/**
 * Fills a database with synthetic data:
 *   tsx bench/scale/cli.ts <small|large> --database-url postgres://… [--seed 1] [--only bench_items,…]
 *   tsx bench/scale/cli.ts <small|large> --pglite ./folder [--seed 1] [--only …]
 * Meant for fresh databases: generators create their tables and fail if they exist.
 */
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteExtensions } from '../../server/kernel/db/client.js';
import { UsageError, parseIntegerOption } from '../lib/errors.js';
import { generateScaleData, generators } from './generators.js';
import { isPresetName, presetNames, presets } from './presets.js';
import { sqlFromPg, sqlFromPglite } from './sql.js';
import type { SqlClient } from './sql.js';

const usage = `usage: tsx bench/scale/cli.ts <${presetNames.join('|')}> (--database-url URL | --pglite DIR) [--seed N] [--only NAME,…]
generators: ${generators.map((g) => g.name).join(', ')}`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'database-url': { type: 'string' },
      pglite: { type: 'string' },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const [presetName, ...extra] = positionals;
  if (presetName === undefined || !isPresetName(presetName) || extra.length > 0) {
    throw new UsageError(`give exactly one preset (${presetNames.join(' or ')})`);
  }
  const url = values['database-url'];
  const dir = values.pglite;
  // An explicit target only: writing synthetic data into a database picked up from the environment would be
  // an unpleasant surprise.
  if ((url === undefined) === (dir === undefined))
    throw new UsageError('give either --database-url or --pglite');
  const seed = parseIntegerOption('seed', values.seed, 0, 0xffff_ffff);
  const only = values.only
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);

  let db: SqlClient;
  if (url !== undefined) {
    const client = new pg.Client({ connectionString: url, application_name: 'cairn-bench-scale' });
    await client.connect();
    db = sqlFromPg(client);
  } else {
    db = sqlFromPglite(await PGlite.create(dir, { extensions: pgliteExtensions }));
  }
  try {
    const started = performance.now();
    await generateScaleData(db, presets[presetName], seed, {
      ...(only ? { only } : {}),
      onProgress: (r) => console.log(`${r.name}: ${r.rows} rows in ${(r.milliseconds / 1000).toFixed(1)} s`),
    });
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
    // parseArgs reports unknown options as a TypeError with an ERR_PARSE_ARGS_* code.
    console.error(`${error.message}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
