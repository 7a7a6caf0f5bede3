import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/db.js';
import { runMigrations } from './migrate.js';
import { queryRows, type Db } from './types.js';

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('create the extensions every module relies on', async () => {
    const result = await queryRows<{ extname: string }>(database.db, sql`select extname from pg_extension`);
    const names = result.map((row) => row.extname);
    expect(names).toEqual(expect.arrayContaining(['pg_trgm', 'unaccent', 'pgcrypto']));
    const [similarity] = await queryRows<{ s: number; u: string }>(
      database.db,
      sql`select similarity('Phnom Penh', 'Phnom Phen') as s, unaccent('Hà Nội') as u`,
    );
    expect(Number(similarity?.s)).toBeGreaterThan(0.4);
    expect(similarity?.u).toBe('Ha Noi');
  });

  it('are idempotent: running them again changes nothing', async () => {
    const count = async (db: Db) =>
      Number(
        (await queryRows<{ n: string }>(db, sql`select count(*) as n from drizzle.__drizzle_migrations`))[0]
          ?.n,
      );
    const before = await database.asOwner(count);
    expect(before).toBeGreaterThanOrEqual(4);
    if (database.url) {
      await runMigrations({ kind: 'postgresql', url: database.url });
      expect(await database.asOwner(count)).toBe(before);
    }
  });
});
