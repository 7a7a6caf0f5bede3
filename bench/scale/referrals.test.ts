import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie } from '../../server/modules/identity/identity.sessions.js';
import { createTestApp, type TestApp } from '../../server/test/app.js';
import { createTestDatabase, type TestDatabase } from '../../server/test/db.js';
import { benchSessionToken, refreshBenchSessions } from './cases.js';
import { generateScaleData } from './generators.js';
import { presets } from './presets.js';
import { createRng } from './prng.js';
import { caseOfReferral, syntheticReferral } from './referrals.js';
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
  return database.asOwner(() => work(sqlFromPglite((database.db as unknown as { $client: PGlite }).$client)));
}

const organisations = ['o1', 'o2', 'o3'];
const source = { id: 'c1', organisationId: 'o1' };
const now = Date.parse('2026-12-01T12:00:00Z');

describe('referrals generator: a referral', () => {
  it('is the same for the same stream, goes to another organisation, and keeps its history in order', () => {
    const first = Array.from({ length: 300 }, (_, i) =>
      syntheticReferral(createRng(i), source, organisations, now),
    );
    const again = Array.from({ length: 300 }, (_, i) =>
      syntheticReferral(createRng(i), source, organisations, now),
    );
    expect(again).toEqual(first);
    for (const r of first) {
      expect(r.senderOrganisationId).toBe('o1');
      expect(r.recipientOrganisationId).not.toBe('o1');
      expect(r.services.length).toBeGreaterThanOrEqual(1);
      expect(r.sentAt === null).toBe(r.state === 'draft');
      const times = [r.createdAt, r.sentAt, r.acknowledgedAt, r.decidedAt, r.startedAt, r.endedAt]
        .filter((d): d is Date => d !== null)
        .map((d) => d.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(r.updatedAt.getTime()).toBe(Math.max(...times));
      expect(r.updatedAt.getTime()).toBeLessThanOrEqual(now);
      expect(r.outcome !== null).toBe(r.state === 'completed');
    }
    // Every state shows up in a few hundred referrals.
    expect(new Set(first.map((r) => r.state)).size).toBe(9);
  });

  it('refers each case in turn, then again', () => {
    const cases = [source, { id: 'c2', organisationId: 'o2' }];
    expect([0, 1, 2, 3].map((n) => caseOfReferral(cases, n).id)).toEqual(['c1', 'c2', 'c1', 'c2']);
  });
});

describe('referrals generator: in the database', () => {
  let database: TestDatabase;
  let app: TestApp;
  const masterKey = randomBytes(32);
  const tiny = { ...presets.small, cases: 60, caseOrganisations: 3, referrals: 150 };
  const previousKey = process.env.CAIRN_MASTER_KEY;

  beforeAll(async () => {
    database = await createTestDatabase();
    process.env.CAIRN_MASTER_KEY = masterKey.toString('base64');
    await asOwner(database, (db) => generateScaleData(db, tiny, 7, { only: ['referrals'] }));
    app = await createTestApp({ database, env: { CAIRN_MASTER_KEY: masterKey.toString('base64') } });
  }, 120_000);
  afterAll(async () => {
    if (previousKey === undefined) delete process.env.CAIRN_MASTER_KEY;
    else process.env.CAIRN_MASTER_KEY = previousKey;
    await app?.close();
    await database?.close();
  });

  const query = <T extends object>(text: string, params: unknown[] = []) =>
    asOwner(database, (db) => db.query<T>(text, params));

  it('writes the preset’s referrals, each from its case’s organisation to another', async () => {
    const [counts] = await query<{ total: number; wrongSender: number; self: number }>(
      `select count(*)::int as total,
              count(*) filter (where r.sender_organisation_id <> f.organisation_id)::int as "wrongSender",
              count(*) filter (where r.sender_organisation_id = r.recipient_organisation_id)::int as self
         from referrals_referrals r join cases_files f on f.id = r.case_id`,
    );
    expect(counts).toEqual({ total: 150, wrongSender: 0, self: 0 });
  });

  it('refuses to write over existing referrals', async () => {
    await expect(
      asOwner(database, (db) =>
        generateScaleData(db, tiny, 7, { only: ['referrals'] }).then(() => undefined),
      ),
    ).rejects.toThrow();
    const [count] = await query<{ n: number }>('select count(*)::int as n from referrals_referrals');
    expect(count?.n).toBe(150);
  });

  it('serves an organisation its received referrals through the real list route, newest change first', async () => {
    expect(await asOwner(database, refreshBenchSessions)).toBeGreaterThan(0);
    const [reader] = await query<{ personId: string; organisationId: string }>(
      `select m.person_id::text as "personId", m.organisation_id::text as "organisationId"
         from identity_memberships m where m.role = 'case_supervisor' order by m.person_id limit 1`,
    );
    const expected = await query<{ id: string }>(
      `select id::text as id from referrals_referrals
        where recipient_organisation_id = $1 and sent_at is not null order by updated_at desc, id desc limit 25`,
      [reader!.organisationId],
    );
    expect(expected.length).toBeGreaterThan(10);
    const response = await app.app.inject({
      method: 'GET',
      url: '/api/referrals?box=received&limit=25',
      headers: { cookie: `${sessionCookie}=${benchSessionToken(masterKey, reader!.personId)}` },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ items: { id: string; counterpart: { id: string } }[] }>();
    expect(body.items.map((item) => item.id)).toEqual(expected.map((row) => row.id));
    expect(body.items.every((item) => item.counterpart.id !== reader!.organisationId)).toBe(true);
  });
});
