import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { fromPglite, fromPool, pgliteExtensions, type Database } from '../kernel/db/client.js';

export type TestDatabaseInfo =
  | { kind: 'pglite'; dumpPath: string }
  | { kind: 'postgresql'; serverUrl: string; template: string; runId: string };

/** A fresh, migrated database of the engine this run tests (PGlite by default, PostgreSQL with TEST_DATABASE_URL). */
export async function createTestDatabase(): Promise<Database & { url?: string }> {
  const info = inject('testDb');
  if (info.kind === 'pglite') {
    const dump = await readFile(info.dumpPath);
    const client = await PGlite.create({ loadDataDir: new Blob([dump]), extensions: pgliteExtensions });
    return fromPglite(client);
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
  const database = fromPool(new pg.Pool({ connectionString: url.toString(), max: 5 }));
  return { ...database, url: url.toString() };
}

/** Which engine this run tests against. */
export function testDatabaseKind(): 'pglite' | 'postgresql' {
  return inject('testDb').kind;
}
