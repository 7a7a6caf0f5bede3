import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKind } from '../../test/db.js';
import { queryRows } from './types.js';

describe('the application pool', () => {
  it.runIf(testDatabaseKind() === 'postgresql')(
    'acts as the application role with JIT compilation off on every connection',
    async () => {
      const database = await createTestDatabase();
      try {
        const settings = sql`select current_user as role, current_setting('jit') as jit`;
        // More queries than the pool has connections, at once: each connection is asked.
        const answers = await Promise.all(
          Array.from({ length: 8 }, () => queryRows<{ role: string; jit: string }>(database.db, settings)),
        );
        expect(new Set(answers.map(([row]) => `${row!.role} ${row!.jit}`))).toEqual(
          new Set(['cairn_app off']),
        );
      } finally {
        await database.close();
      }
    },
  );
});
