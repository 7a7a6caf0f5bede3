import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { migrationsFolder } from '../../paths.js';
import { queryRows, type Queryable } from '../db/types.js';

/**
 * What a backup promises about its database, computed the same way before the backup and after a restore:
 * per-table row counts and content checksums, the migration level, and the head of the audit trail.
 * SECURITY: every name reaches SQL through sql.identifier; nothing here builds SQL from text.
 */

/** The checksum of one table: its rows, ordered by primary key, each hashed as PostgreSQL prints it. */
export interface TableChecksum {
  /** `schema.table`. */
  name: string;
  rows: number;
  checksum: string;
}

/** Where the database's migrations stand. */
export interface MigrationLevel {
  applied: number;
  /** The tag of the latest applied migration (e.g. `0008_kernel_keys`), when this Cairn knows it. */
  latest: string | null;
  /** drizzle's `created_at` of the latest applied migration (the journal's `when`). */
  latestAt: number | null;
}

/**
 * Fixes every setting that changes how values print (time zone, date and interval styles, float digits,
 * bytea), for this transaction only, so two databases with the same rows give the same text. Must run
 * inside a transaction. Row-level security is switched off so a role it would filter fails loudly instead
 * of checksumming a subset.
 */
export async function fixOutputSettings(db: Queryable): Promise<void> {
  await db.execute(sql`set local timezone = 'UTC'`);
  await db.execute(sql`set local datestyle = 'ISO, YMD'`);
  await db.execute(sql`set local intervalstyle = 'postgres'`);
  await db.execute(sql`set local extra_float_digits = 1`);
  await db.execute(sql`set local bytea_output = 'hex'`);
  await db.execute(sql`set local row_security = off`);
}

/**
 * Per-table checksums of every user table (all schemas but the system ones; tables that belong to an
 * extension left out). Each row is hashed as `md5(row::text)`; rows are ordered by primary key (text keys
 * in the "C" collation, so the order does not depend on the server's locale), or by their own hash when a
 * table has no primary key; the hashes are joined per chunk of 65,536 rows in SQL and the chunk hashes are
 * combined with SHA-256 here. Call after fixOutputSettings, in the same transaction.
 */
export async function tableChecksums(db: Queryable): Promise<TableChecksum[]> {
  const tables = await queryRows<{ schema: string; name: string; oid: number }>(
    db,
    sql`select n.nspname as schema, c.relname as name, c.oid::int as oid
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r'
          and n.nspname not in ('pg_catalog', 'information_schema')
          and left(n.nspname, 3) <> 'pg_'
          and not exists (select 1 from pg_depend d
                          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
        order by n.nspname collate "C", c.relname collate "C"`,
  );
  const out: TableChecksum[] = [];
  for (const table of tables) {
    const keys = await queryRows<{ name: string; collatable: boolean }>(
      db,
      sql`select a.attname as name, a.attcollation <> 0 as collatable
          from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
          where i.indrelid = ${table.oid} and i.indisprimary
          order by array_position(i.indkey::int2[], a.attnum)`,
    );
    const order: SQL =
      keys.length > 0
        ? sql.join(
            keys.map((key) =>
              key.collatable
                ? sql`t.${sql.identifier(key.name)} collate "C"`
                : sql`t.${sql.identifier(key.name)}`,
            ),
            sql`, `,
          )
        : sql`md5(t::text) collate "C"`;
    const chunks = await queryRows<{ rows: number; hash: string }>(
      db,
      sql`select s.n / 65536 as chunk, count(*)::int as rows, md5(string_agg(s.h, '' order by s.n)) as hash
          from (select row_number() over (order by ${order}) - 1 as n, md5(t::text) as h
                from ${sql.identifier(table.schema)}.${sql.identifier(table.name)} as t) s
          group by chunk
          order by chunk`,
    );
    const hash = createHash('sha256');
    let rows = 0;
    for (const chunk of chunks) {
      hash.update(`${chunk.rows}:${chunk.hash}\n`);
      rows += chunk.rows;
    }
    out.push({ name: `${table.schema}.${table.name}`, rows, checksum: hash.digest('hex') });
  }
  return out;
}

interface JournalEntry {
  tag: string;
  when: number;
}

/** The migrations this Cairn ships (drizzle's journal), oldest first. */
export function knownMigrations(): JournalEntry[] {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/** How many migrations the database has applied, and the latest; null when it has none (not a Cairn database). */
export async function migrationLevel(db: Queryable): Promise<MigrationLevel | null> {
  const [exists] = await queryRows<{ found: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as found`,
  );
  if (!exists?.found) return null;
  const [row] = await queryRows<{ applied: number; latest_at: string | null }>(
    db,
    sql`select count(*)::int as applied, max(created_at)::text as latest_at from drizzle.__drizzle_migrations`,
  );
  if (!row || row.applied === 0) return null;
  const latestAt = row.latest_at === null ? null : Number(row.latest_at);
  return {
    applied: row.applied,
    latest: knownMigrations().find((entry) => entry.when === latestAt)?.tag ?? null,
    latestAt,
  };
}

/**
 * Runs fn inside one read-only, repeatable-read transaction on a dedicated connection (a PGlite instance,
 * or a pg.Client — never a pool, whose queries could land on other connections).
 */
export async function inReadSnapshot<T>(db: Queryable, fn: () => Promise<T>): Promise<T> {
  await db.execute(sql`begin transaction isolation level repeatable read, read only`);
  try {
    const result = await fn();
    await db.execute(sql`commit`);
    return result;
  } catch (error) {
    await db.execute(sql`rollback`).catch(() => undefined);
    throw error;
  }
}

/** The server's version text and major version number. */
export async function serverVersion(db: Queryable): Promise<{ text: string; major: number }> {
  const [row] = await queryRows<{ text: string; num: number }>(
    db,
    sql`select version() as text, current_setting('server_version_num')::int as num`,
  );
  return { text: row!.text, major: Math.floor(row!.num / 10_000) };
}
