import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../server/kernel/db/transaction.js';
import { rebuildSearchEntries } from '../../server/modules/directory/index.js';
import { createTestDatabase, type TestDatabase } from '../../server/test/db.js';
import { directoryBatch, generateDirectoryOrganisations, uuidFrom } from './directory-organisations.js';
import { createRng } from './prng.js';
import { sqlFromPg, sqlFromPglite, type SqlClient } from './sql.js';

/** The generator as the benchmark runs it: the database owner, on one connection. */
async function asOwner<T>(database: TestDatabase, work: (db: SqlClient) => Promise<T>): Promise<T> {
  if (database.url) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await work(sqlFromPg(client));
    } finally {
      await client.end();
    }
  }
  // PGlite: the test database's own instance, with the role reset for the duration.
  return database.asOwner(() => work(sqlFromPglite((database.db as unknown as { $client: PGlite }).$client)));
}

describe('directory_organisations generator', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  const rows = <T>(db: SqlClient, query: string, params: unknown[] = []) =>
    db.query<T & object>(query, params);

  it('makes the same batch for the same seed, and another for another seed', () => {
    const first = directoryBatch(5, 0, 30, createRng(11));
    expect(directoryBatch(5, 0, 30, createRng(11))).toEqual(first);
    expect(directoryBatch(6, 0, 30, createRng(11)).organisations).not.toEqual(first.organisations);
    expect(first.organisations).toHaveLength(30);
    expect(first.entries.length).toBeGreaterThanOrEqual(30);
    expect(uuidFrom(createRng(1))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('writes exactly the search rows Cairn itself builds, and keeps the search indexes', async () => {
    const indexesBefore = await asOwner(database, (db) =>
      rows<{ name: string }>(
        db,
        `select indexname as name from pg_indexes where tablename = 'directory_search_entries' order by 1`,
      ),
    );
    // A threshold of 10 takes the drop-and-rebuild path the large preset takes.
    await asOwner(database, (db) =>
      generateDirectoryOrganisations(db, 60, createRng(3), { rebuildIndexesFrom: 10 }),
    );
    const snapshot = () =>
      asOwner(database, (db) =>
        rows<{ organisation_id: string }>(
          db,
          `select e.organisation_id, e.audience, e.active, e.tier, e.type, e.name, e.names_folded,
                  e.document::text as document, e.tags, e.countries, e.regions, e.summaries, e.latitude,
                  e.longitude, e.updated_at
             from directory_search_entries e join identity_organisations o on o.id = e.organisation_id
            where o.referee = 'benchmark data' order by e.organisation_id, e.audience`,
        ),
      );
    const loaded = await snapshot();
    const ids = [...new Set(loaded.map((r) => r.organisation_id))];
    expect(ids).toHaveLength(60);
    expect(loaded.length).toBeGreaterThan(100);
    // Rebuilt by the directory's own code from the stored profiles and offices: nothing may change.
    await inTransaction(database.db, (tx) => rebuildSearchEntries(tx, ids));
    expect(await snapshot()).toEqual(loaded);

    const counts = await asOwner(database, (db) =>
      rows<{ profiles: number; offices: number }>(
        db,
        `select (select count(*)::int from directory_profiles p join identity_organisations o on o.id = p.organisation_id
                  where o.referee = 'benchmark data') as profiles,
                (select count(*)::int from directory_offices f join identity_organisations o on o.id = f.organisation_id
                  where o.referee = 'benchmark data') as offices`,
      ),
    );
    expect(counts[0]!.profiles).toBe(60);
    expect(counts[0]!.offices).toBeGreaterThanOrEqual(60);
    const indexesAfter = await asOwner(database, (db) =>
      rows<{ name: string }>(
        db,
        `select indexname as name from pg_indexes where tablename = 'directory_search_entries' order by 1`,
      ),
    );
    expect(indexesAfter).toEqual(indexesBefore);
    expect(indexesAfter.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses a database where Cairn has not run its migrations', async () => {
    const bare = sqlFromPglite(await PGlite.create());
    try {
      await expect(generateDirectoryOrganisations(bare, 5, createRng(1))).rejects.toThrow(/start Cairn once/);
    } finally {
      await bare.close();
    }
  });
});
