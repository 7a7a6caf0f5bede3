import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * The little SQL surface the scale generators and fixtures need, implemented over both node-postgres and
 * PGlite so one generator fills either engine.
 */
export interface SqlClient {
  readonly kind: 'postgresql' | 'pglite';
  /** One statement with `$n` parameters. */
  query<Row extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Wraps one node-postgres client (not a pool: generators work on one connection, in order). */
export function sqlFromPg(client: pg.Client): SqlClient {
  return {
    kind: 'postgresql',
    async query<Row extends object>(sql: string, params: unknown[] = []) {
      const result = await client.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql) {
      // Without parameters node-postgres uses the simple protocol, which accepts several statements.
      await client.query(sql);
    },
    close: () => client.end(),
  };
}

/** Wraps a PGlite instance. */
export function sqlFromPglite(db: PGlite): SqlClient {
  return {
    kind: 'pglite',
    async query<Row extends object>(sql: string, params: unknown[] = []) {
      const result = await db.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql) {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}

/** A column of a bulk insert: its name and the PostgreSQL array element type its values are sent as. */
export interface BulkColumn {
  name: string;
  type: 'text' | 'int4' | 'int8' | 'float8' | 'bool' | 'timestamptz' | 'uuid' | 'jsonb';
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * Builds `INSERT INTO t (a, b) SELECT * FROM unnest($1::text[], $2::int8[])`: one statement whatever the batch
 * size, values only ever travel as parameters. Table and column names are checked, not quoted, because
 * they come from our own code.
 */
export function unnestInsertSql(table: string, columns: readonly BulkColumn[]): string {
  for (const name of [table, ...columns.map((c) => c.name)]) {
    if (!identifier.test(name)) throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  if (columns.length === 0) throw new Error('a bulk insert needs at least one column');
  const names = columns.map((c) => c.name).join(', ');
  const arrays = columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  return `insert into ${table} (${names}) select * from unnest(${arrays})`;
}

/**
 * Inserts `total` rows in batches. `makeBatch(start, end)` returns one array per column for rows
 * [start, end). The next batch is generated while the database is still writing the previous one (on
 * PostgreSQL that is another process, so the two cores both work); at most one insert is in flight.
 */
export async function insertInBatches(
  db: SqlClient,
  table: string,
  columns: readonly BulkColumn[],
  total: number,
  batchSize: number,
  makeBatch: (start: number, end: number) => unknown[][],
): Promise<void> {
  const sql = unnestInsertSql(table, columns);
  let inFlight: Promise<unknown> | undefined;
  try {
    for (let start = 0; start < total; start += batchSize) {
      const end = Math.min(total, start + batchSize);
      const batch = makeBatch(start, end);
      if (batch.length !== columns.length) {
        throw new Error(`batch for ${table} has ${batch.length} arrays, expected ${columns.length}`);
      }
      await inFlight;
      inFlight = db.query(sql, batch);
    }
    await inFlight;
  } catch (error) {
    // Don't leave a rejected insert unobserved when generating the next batch was what failed.
    await inFlight?.catch(() => undefined);
    throw error;
  }
}
