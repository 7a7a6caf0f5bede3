import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { migrationsFolder } from '../../paths.js';

// Any fixed 64-bit number: all Cairn processes take this advisory lock so only one migrates at a time.
const MIGRATION_LOCK_ID = '7310420615001';

export type MigrationTarget = { kind: 'pglite'; client: PGlite } | { kind: 'postgresql'; url: string };

/**
 * Applies pending migrations with drizzle-orm's migrator, as the connecting (owner) user — never as the
 * application role. Safe when several processes start at once.
 */
export async function runMigrations(target: MigrationTarget): Promise<void> {
  if (target.kind === 'pglite') {
    await migratePglite(drizzlePglite({ client: target.client }), { migrationsFolder });
    return;
  }
  // A dedicated connection: an advisory lock belongs to the session that took it.
  const client = new pg.Client({ connectionString: target.url, application_name: 'cairn-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migratePg(drizzlePg({ client }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
