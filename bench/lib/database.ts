import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { pgliteExtensions, sessionOptions } from '../../server/kernel/db/client.js';
import { sqlFromPg, sqlFromPglite } from '../scale/sql.js';
import type { SqlClient } from '../scale/sql.js';

/**
 * The database of one benchmark run: made fresh at the start, removed at the end. It holds the benchmark's
 * own tables (bench_items) and, once Cairn has started on it, Cairn's tables too.
 */
export interface BenchDatabase {
  readonly kind: 'postgresql' | 'pglite';
  /** For the report: the engine and the database name or folder. */
  readonly description: string;
  /**
   * A single connection for the scale generators. On PGlite only one process may have the folder open, so
   * close it before starting a server on it. `asCairn`: with the session settings of Cairn's own pool
   * (`sessionOptions`), for a suite that measures Cairn's SQL in the runner; baselines keep the server's defaults.
   */
  connect(options?: { asCairn?: boolean }): Promise<SqlClient>;
  /** Environment telling a fixture where the data is (read by bench/fixtures/indexed-query.ts). */
  fixtureEnv(): Record<string, string | undefined>;
  /** Environment telling Cairn where its database is; DATABASE_URL is removed for PGlite. */
  cairnEnv(): Record<string, string | undefined>;
  /** Drops the database or deletes the folder. */
  dispose(): Promise<void>;
}

export const defaultAdminUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

/** `cairn_bench_<UTC yyyymmddhhmmss>_<6 hex>`: sortable by time, unique across parallel runs. */
export function benchDatabaseName(now = new Date(), random = randomBytes(3).toString('hex')): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `cairn_bench_${stamp}_${random}`;
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const safeName = /^cairn_bench_[a-z0-9_]+$/;

/** The URL with its password hidden, for messages. */
export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'cairn-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh PostgreSQL database on the server at `adminUrl` (which must allow CREATE DATABASE). */
export async function createPostgresDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = benchDatabaseName();
  // Identifiers cannot be parameters; the name is ours and checked, so quoting it is safe.
  if (!safeName.test(name)) throw new Error(`unexpected database name ${name}`);
  try {
    await withAdmin(adminUrl, (client) => client.query(`create database "${name}"`));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot create a database on ${redactPassword(adminUrl)} (${reason}); ` +
        'set BENCH_DATABASE_URL to a role with CREATEDB, or run with --pglite',
      { cause: error },
    );
  }
  const url = withDatabase(adminUrl, name);
  let disposed = false;
  return {
    kind: 'postgresql',
    description: `PostgreSQL, database ${name}`,
    async connect({ asCairn = false } = {}) {
      const client = new pg.Client({
        connectionString: url,
        application_name: 'cairn-bench-scale',
        ...(asCairn ? { options: sessionOptions } : {}),
      });
      await client.connect();
      return sqlFromPg(client);
    },
    fixtureEnv: () => ({ BENCH_DB_KIND: 'postgresql', BENCH_DB_URL: url }),
    cairnEnv: () => ({ DATABASE_URL: url }),
    async dispose() {
      if (disposed) return;
      disposed = true;
      // FORCE (PostgreSQL 13+) ends connections a killed server may have left behind.
      await withAdmin(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/**
 * Creates a temporary folder used as Cairn's CAIRN_DATA_DIR. The benchmark's PGlite database is the folder
 * Cairn itself uses for PGlite (`<data dir>/pglite`), so on both engines a run has exactly one database.
 */
export async function createPgliteDatabase(): Promise<BenchDatabase> {
  const root = await mkdtemp(path.join(tmpdir(), 'cairn-bench-'));
  const dataDir = path.join(root, 'pglite');
  let disposed = false;
  return {
    kind: 'pglite',
    description: `PGlite, folder ${dataDir}`,
    async connect() {
      // With Cairn's extensions: its tables have trigram indexes, which a generator writing them maintains.
      return sqlFromPglite(await PGlite.create(dataDir, { extensions: pgliteExtensions }));
    },
    fixtureEnv: () => ({ BENCH_DB_KIND: 'pglite', BENCH_PGLITE_DIR: dataDir }),
    cairnEnv: () => ({ CAIRN_DATA_DIR: root, DATABASE_URL: undefined }),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await rm(root, { recursive: true, force: true });
    },
  };
}
