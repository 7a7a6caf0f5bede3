import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Tx } from '../../server/kernel/db/types.js';
import type { SqlClient } from '../scale/sql.js';

/**
 * Runs Cairn's own SQL (drizzle `sql`) over a bench client, as the `execute` of a transaction: the module's real
 * queries, measured without HTTP. Only `execute` is there — enough for code written with `queryRows`.
 */
export function txOver(db: SqlClient): Tx {
  const dialect = new PgDialect();
  return {
    execute: async (query: SQL) => {
      const compiled = dialect.sqlToQuery(query);
      return { rows: await db.query(compiled.sql, compiled.params) };
    },
  } as unknown as Tx;
}
