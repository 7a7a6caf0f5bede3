import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../../test/db.js';
import { appRolePool } from './client.js';
import { maxPreparedPerConnection, prepareAfterUses, statementName } from './prepared.js';

describe('statement names', () => {
  it('are the same for the same text, distinct for distinct texts, and fit PostgreSQL’s 63 bytes', () => {
    const a = statementName('select $1::int');
    expect(statementName('select $1::int')).toBe(a);
    expect(statementName('select $1::int ')).not.toBe(a);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^cairn_[A-Za-z0-9_-]+$/);
  });
});

// The pool's connections are PostgreSQL's; PGlite runs every statement in-process and has nothing to prepare.
describe.runIf(testDatabaseKind() === 'postgresql')('prepared statements on PostgreSQL', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const clients: pg.PoolClient[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const client of clients) client.release();
    await Promise.all(pools.map((pool) => pool.end()));
    await database.close();
  });

  async function oneClient(prepare: boolean) {
    const pool = appRolePool(database.url!, 1, { prepare });
    pools.push(pool);
    const client = await pool.connect();
    clients.push(client);
    const prepared = async () =>
      (
        await client.query<{ name: string }>(
          'select name from pg_prepared_statements where name like $1 order by name',
          ['cairn\\_%'],
        )
      ).rows.map((row) => row.name);
    return { client, prepared };
  }

  it('names a parameterised statement from its third use on, and answers the same before and after', async () => {
    const { client, prepared } = await oneClient(true);
    const text = 'select $1::int * 2 as doubled, current_user as role';
    for (let use = 1; use <= prepareAfterUses + 3; use++) {
      const result = await client.query<{ doubled: number; role: string }>({ text, values: [use] });
      expect(result.rows).toEqual([{ doubled: use * 2, role: 'cairn_app' }]);
      // pg_prepared_statements is read through the same client, so it counts too: only its own text matters.
      const names = await prepared();
      if (use < prepareAfterUses) expect(names).not.toContain(statementName(text));
      else expect(names).toContain(statementName(text));
    }
  });

  it('never names a statement without parameters, which may hold several statements', async () => {
    const { client, prepared } = await oneClient(true);
    for (let use = 0; use < prepareAfterUses + 2; use++) {
      // As Drizzle sends a statement without parameters: a config with an empty list of values.
      const results = (await client.query({
        text: 'select 1 as one; select 2 as two',
        values: [],
      })) as unknown as pg.QueryResult<Record<string, number>>[];
      expect(results.map((result) => result.rows[0])).toEqual([{ one: 1 }, { two: 2 }]);
    }
    expect(await prepared()).toEqual([]);
  });

  it(`names at most ${maxPreparedPerConnection} statements on one connection`, async () => {
    const { client, prepared } = await oneClient(true);
    for (let n = 0; n < maxPreparedPerConnection + 20; n++) {
      const text = `select $1::int + ${n} as sum`;
      for (let use = 0; use < prepareAfterUses; use++) {
        const result = await client.query<{ sum: number }>(text, [use]);
        expect(result.rows[0]?.sum).toBe(use + n);
      }
    }
    const names = await prepared();
    expect(names.length).toBeGreaterThan(maxPreparedPerConnection - 2);
    expect(names.length).toBeLessThanOrEqual(maxPreparedPerConnection);
  });

  it('names nothing when told not to (DB_PREPARED_STATEMENTS=false)', async () => {
    const { client, prepared } = await oneClient(false);
    for (let use = 0; use < prepareAfterUses + 2; use++) await client.query('select $1::int as n', [use]);
    expect(await prepared()).toEqual([]);
  });

  it('reads the tenant setting anew on every execution of a prepared statement (row-level security uses it)', async () => {
    const { client, prepared } = await oneClient(true);
    const text = `select current_setting('cairn.organisation_id', true) as tenant, $1::int as n`;
    for (const tenant of ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7']) {
      await client.query('begin');
      await client.query(`select set_config('cairn.organisation_id', $1, true)`, [tenant]);
      const result = await client.query<{ tenant: string }>(text, [1]);
      expect(result.rows[0]?.tenant).toBe(tenant);
      await client.query('commit');
    }
    expect(await prepared()).toContain(statementName(text));
  });
});
