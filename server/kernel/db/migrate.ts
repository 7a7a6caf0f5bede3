import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import pg from 'pg';
import { migrationsFolder } from '../../paths.js';
import type { Database } from './client.js';

// Any fixed 64-bit number: all Cairn processes take this advisory lock so only one migrates at a time.
const MIGRATION_LOCK_ID = 7_310_420_615_001n;

/** Applies pending migrations with drizzle-orm's migrator; safe when several processes start at once. */
export async function runMigrations(database: Database, postgresUrl?: string): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  if (!postgresUrl) throw new Error('runMigrations needs the PostgreSQL URL');
  // A dedicated connection: an advisory lock belongs to the session that took it.
  const client = new pg.Client({ connectionString: postgresUrl, application_name: 'cairn-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID.toString()]);
    await migratePg(drizzlePg({ client }), { migrationsFolder });
  } finally {
    await client
      .query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID.toString()])
      .catch(() => undefined);
    await client.end();
  }
}
