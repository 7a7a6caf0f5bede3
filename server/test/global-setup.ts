import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { pgliteExtensions } from '../kernel/db/client.js';
import { runMigrations } from '../kernel/db/migrate.js';
import type { TestDatabaseInfo } from './db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDatabaseInfo;
  }
}

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Migrates one template database for the whole run; each test file then gets its own copy
 * (PGlite: a saved data directory; PostgreSQL: CREATE DATABASE … TEMPLATE), so files never share rows.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const runId = `cairn_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const template = `${runId}_tpl`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${template}"`);
    await runMigrations({ kind: 'postgresql', url: withDatabase(serverUrl, template) });
    project.provide('testDb', { kind: 'postgresql', serverUrl, template, runId });
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        'select datname from pg_database where datname like $1',
        [`${runId}%`],
      );
      for (const { datname } of rows) {
        await admin.query(`drop database if exists "${datname}" with (force)`);
      }
      await admin.end();
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-test-'));
  const client = await PGlite.create({ extensions: pgliteExtensions });
  await runMigrations({ kind: 'pglite', client });
  const dump = await client.dumpDataDir('none');
  const dumpPath = path.join(dir, 'template.tar');
  await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  project.provide('testDb', { kind: 'pglite', dumpPath });
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
