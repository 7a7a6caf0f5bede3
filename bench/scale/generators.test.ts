import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchItemKey } from './bench-items.js';
import { generateScaleData, generators, selectGenerators } from './generators.js';
import type { ScaleGenerator } from './generators.js';
import { presets } from './presets.js';
import type { ScalePreset } from './presets.js';
import { insertInBatches, sqlFromPglite, unnestInsertSql } from './sql.js';
import type { SqlClient } from './sql.js';

// One in-memory PGlite for the file: creating one costs about two seconds.
let db: SqlClient;
beforeAll(async () => {
  db = sqlFromPglite(await PGlite.create());
});
afterAll(async () => {
  await db.close();
});

const tiny: ScalePreset = { ...presets.small, benchItems: 2_500 };

async function digest(): Promise<{ count: number; md5: string }> {
  const [row] = await db.query<{ count: number; md5: string }>(
    "select count(*)::int as count, md5(string_agg(id || ':' || key || ':' || payload, ',' order by id)) as md5 from bench_items",
  );
  if (!row) throw new Error('no digest row');
  return row;
}

describe('bench_items generator on PGlite', () => {
  it('fills the small preset with unique keys the fixture can recompute', async () => {
    const [report] = await generateScaleData(db, presets.small, 1, { only: ['bench_items'] });
    expect(report).toMatchObject({ name: 'bench_items', rows: 10_000 });
    const [stats] = await db.query<{ count: number; keys: number; shortest: number; longest: number }>(
      'select count(*)::int as count, count(distinct key)::int as keys, min(length(payload)) as shortest, max(length(payload)) as longest from bench_items',
    );
    expect(stats).toEqual({ count: 10_000, keys: 10_000, shortest: 80, longest: 160 });
    const last = await db.query<{ id: string }>('select id::text from bench_items where key = $1', [
      benchItemKey(10_000),
    ]);
    expect(last).toEqual([{ id: '10000' }]);
    await db.exec('drop table bench_items');
  });

  it('produces the same rows for the same seed and different ones for another seed', async () => {
    await generateScaleData(db, tiny, 7, { only: ['bench_items'] });
    const first = await digest();
    await db.exec('drop table bench_items');
    await generateScaleData(db, tiny, 7, { only: ['bench_items'] });
    const again = await digest();
    await db.exec('drop table bench_items');
    await generateScaleData(db, tiny, 8, { only: ['bench_items'] });
    const other = await digest();
    await db.exec('drop table bench_items');
    expect(first.count).toBe(2_500);
    expect(again).toEqual(first);
    expect(other.md5).not.toBe(first.md5);
  });

  it('refuses to run over an existing table', async () => {
    await db.exec('create table bench_items (id int)');
    await expect(generateScaleData(db, tiny, 1, { only: ['bench_items'] })).rejects.toThrow(/already exists/);
    await db.exec('drop table bench_items');
  });
});

describe('insertInBatches', () => {
  it('inserts every row across uneven batches', async () => {
    await db.exec('create table batch_probe (n int8 not null, label text not null)');
    const batches: number[] = [];
    await insertInBatches(
      db,
      'batch_probe',
      [
        { name: 'n', type: 'int8' },
        { name: 'label', type: 'text' },
      ],
      25,
      10,
      (start, end) => {
        batches.push(end - start);
        const ns = Array.from({ length: end - start }, (_, i) => start + i);
        return [ns, ns.map((n) => `row ${n}`)];
      },
    );
    expect(batches).toEqual([10, 10, 5]);
    const [row] = await db.query<{ count: number; total: string }>(
      'select count(*)::int as count, sum(n)::text as total from batch_probe',
    );
    expect(row).toEqual({ count: 25, total: String((24 * 25) / 2) });
    await db.exec('drop table batch_probe');
  });
});

describe('unnestInsertSql', () => {
  it('puts every value in a typed array parameter', () => {
    expect(
      unnestInsertSql('t', [
        { name: 'a', type: 'text' },
        { name: 'b', type: 'int8' },
      ]),
    ).toBe('insert into t (a, b) select * from unnest($1::text[], $2::int8[])');
  });

  it('refuses names that are not plain identifiers', () => {
    expect(() => unnestInsertSql('t; drop table x', [{ name: 'a', type: 'text' }])).toThrow(/identifier/);
    expect(() => unnestInsertSql('t', [{ name: 'A"', type: 'text' }])).toThrow(/identifier/);
    expect(() => unnestInsertSql('t', [])).toThrow(/at least one/);
  });
});

describe('selectGenerators', () => {
  const fake = (name: string, dependsOn: string[] = []): ScaleGenerator => ({
    name,
    description: name,
    dependsOn,
    create: () => Promise.resolve({ rows: 0 }),
  });
  const registry = [fake('organisations'), fake('cases', ['organisations']), fake('legs', ['cases'])];

  it('adds dependencies and keeps registry order', () => {
    expect(selectGenerators(['legs'], registry).map((g) => g.name)).toEqual([
      'organisations',
      'cases',
      'legs',
    ]);
    expect(selectGenerators(undefined, registry)).toHaveLength(3);
  });

  it('names unknown generators and who needed them', () => {
    expect(() => selectGenerators(['nope'], registry)).toThrow(/unknown scale generator "nope"/);
    expect(() => selectGenerators(['x'], [fake('x', ['y'])])).toThrow(/needed by x/);
  });

  it('has unique names in the real registry', () => {
    const names = generators.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
