import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Config } from '../config.js';
import { lockDirectory } from './lock.js';
import * as schema from './schema.js';
import type { DatabaseKind, Db } from './types.js';

/** An open database: the Drizzle handle, which engine it is, and how to close it. */
export interface Database {
  db: Db;
  kind: DatabaseKind;
  close: () => Promise<void>;
}

/** Extensions Cairn needs; PGlite must be given them at creation, PostgreSQL gets them by migration. */
export const pgliteExtensions = { pg_trgm, unaccent, pgcrypto };

/** Wraps a PGlite instance (already created) as a Database. */
export function fromPglite(client: PGlite, onClose?: () => void): Database {
  return {
    db: drizzlePglite({ client, schema }),
    kind: 'pglite',
    close: async () => {
      if (!client.closed) await client.close();
      onClose?.();
    },
  };
}

/** Wraps a node-postgres pool as a Database. */
export function fromPool(pool: pg.Pool): Database {
  return {
    db: drizzlePg({ client: pool, schema }),
    kind: 'postgresql',
    close: () => pool.end(),
  };
}

/** Opens PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite folder (locked to this process). */
export async function openDatabase(config: Config['database']): Promise<Database> {
  if (config.kind === 'postgresql') {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolMax,
      application_name: 'cairn',
    });
    // An idle client that loses its connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    return fromPool(pool);
  }
  const lock = lockDirectory(config.dataDir);
  try {
    const client = await PGlite.create(config.dataDir, { extensions: pgliteExtensions });
    return fromPglite(client, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}
