import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import {
  appRolePool,
  fromPglite,
  fromPool,
  pgliteExtensions,
  useAppRole,
  type Database,
} from '../kernel/db/client.js';
import type { Db } from '../kernel/db/types.js';

export type TestDatabaseInfo =
  | { kind: 'pglite'; dumpPath: string }
  | { kind: 'postgresql'; serverUrl: string; template: string; runId: string };

/** A test database: the app's handle (running as cairn_app) plus a way to act as the database owner. */
export interface TestDatabase extends Database {
  /** PostgreSQL URL of this database (PostgreSQL runs only). */
  url?: string;
  /** Runs fn as the owning superuser, for tests that must see past RLS or tamper with audit rows. */
  asOwner: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
}

/**
 * A fresh, migrated database of the engine this run tests (PGlite by default, PostgreSQL with
 * TEST_DATABASE_URL), acting as the application role like the real app.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const info = inject('testDb');
  if (info.kind === 'pglite') {
    const dump = await readFile(info.dumpPath);
    const client = await PGlite.create({ loadDataDir: new Blob([dump]), extensions: pgliteExtensions });
    await useAppRole(client);
    const database = fromPglite(client);
    return {
      ...database,
      asOwner: async (fn) => {
        await client.exec('reset role');
        try {
          return await fn(database.db);
        } finally {
          await useAppRole(client);
        }
      },
    };
  }
  const name = `${info.runId}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: info.serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${info.template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(info.serverUrl);
  url.pathname = `/${name}`;
  const database = fromPool(appRolePool(url.toString(), 5));
  return {
    ...database,
    url: url.toString(),
    asOwner: async (fn) => {
      const owner = fromPool(new pg.Pool({ connectionString: url.toString(), max: 1 }));
      try {
        return await fn(owner.db);
      } finally {
        await owner.close();
      }
    },
  };
}

/** Which engine this run tests against. */
export function testDatabaseKind(): 'pglite' | 'postgresql' {
  return inject('testDb').kind;
}
