import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';

/** The database handle the app is typed against: the same for PGlite and node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** A transaction on Db; use cases receive one so audit, jobs and events join the same change. */
export type Tx = PgTransaction<
  PgQueryResultHKT,
  Record<string, never>,
  ExtractTablesWithRelations<Record<string, never>>
>;

/** Either a whole database or a transaction: for queries that can run inside or outside one. */
export type Queryable = Db | Tx;

export type DatabaseKind = 'pglite' | 'postgresql';

/** Runs raw SQL and returns its rows, typed; the same on PGlite and node-postgres. */
export async function queryRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}
