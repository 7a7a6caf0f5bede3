import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/transaction.js';
import { queryRows } from '../db/types.js';
import { createTestDatabase, type TestDatabase } from '../../test/db.js';
import {
  auditDigest,
  auditHash,
  canonicalJson,
  chainHash,
  GENESIS_HASH,
  recordAudit,
  verifyAuditChain,
} from './audit.js';

declare module './audit.js' {
  interface AuditEvents {
    'test.thing_done': { n: number; note?: string };
  }
}

const record = (database: TestDatabase, n: number) =>
  inTransaction(database.db, (tx) =>
    recordAudit(
      tx,
      { action: 'test.thing_done', objectType: 'thing', objectId: String(n), details: { n, note: 'ok' } },
      { requestId: `req-${n}`, ip: '127.0.0.1' },
    ),
  );

/** An entry's row as the chain stores it, for the hash tests: a 'thing' with only these fields set. */
const thingRow = (id: number, at: number, action: string, objectId: string, n: number) => ({
  id,
  occurredAt: new Date(at),
  action,
  actorPersonId: null,
  actorMembershipId: null,
  organisationId: null,
  objectType: 'thing',
  objectId,
  ip: null,
  requestId: null,
  details: { n },
});

/** Runs owner-level SQL with the append-only triggers off, as an attacker with database access would. */
const tamper = (database: TestDatabase, statement: ReturnType<typeof sql>) =>
  database.asOwner(async (db) => {
    await db.execute(sql`alter table kernel_audit disable trigger user`);
    await db.execute(statement);
    await db.execute(sql`alter table kernel_audit enable trigger user`);
  });

describe('the audit trail', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('is written in the transaction of the change, and verifies', async () => {
    for (let n = 1; n <= 5; n++) await record(database, n);
    await expect(
      inTransaction(database.db, async (tx) => {
        await recordAudit(tx, { action: 'test.thing_done', objectType: 'thing', details: { n: 99 } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow();
    const rows = await queryRows<{ n: string }>(database.db, sql`select count(*) as n from kernel_audit`);
    expect(Number(rows[0]?.n)).toBe(5);
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, checked: 5 });
  });

  it('cannot be changed or deleted by the application role', async () => {
    await expect(database.db.execute(sql`update kernel_audit set action = 'x'`)).rejects.toThrow();
    await expect(database.db.execute(sql`delete from kernel_audit`)).rejects.toThrow();
  });

  it('refuses changes even from the owner while its triggers are on', async () => {
    await expect(
      database.asOwner((db) => db.execute(sql`update kernel_audit set action = 'x' where id = 1`)),
    ).rejects.toThrow();
  });

  it('names the first changed entry', async () => {
    await tamper(database, sql`update kernel_audit set details = '{"n": 3, "note": "forged"}' where id = 3`);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenId: 3 });
  });

  it('names the entry after a removed one, and notices a cut-off end', async () => {
    const fresh = await createTestDatabase();
    try {
      for (let n = 1; n <= 6; n++) await record(fresh, n);
      await tamper(fresh, sql`delete from kernel_audit where id = 4`);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: false, brokenId: 5 });
      await tamper(fresh, sql`delete from kernel_audit where id >= 4`);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/end/) as string,
      });
    } finally {
      await fresh.close();
    }
  });

  it('is chained at COMMIT: the queue is empty after a commit and after a rollback', async () => {
    const fresh = await createTestDatabase();
    try {
      await inTransaction(fresh.db, async (tx) => {
        for (let n = 1; n <= 3; n++)
          await recordAudit(tx, { action: 'test.thing_done', objectType: 'thing', details: { n } });
      });
      await expect(
        inTransaction(fresh.db, async (tx) => {
          await recordAudit(tx, { action: 'test.thing_done', objectType: 'thing', details: { n: 4 } });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow();
      const queue = await queryRows<{ n: string }>(
        fresh.db,
        sql`select count(*) as n from kernel_audit_queue`,
      );
      expect(Number(queue[0]?.n)).toBe(0);
      const rows = await queryRows<{ id: string; digest: string; prev_hash: string; hash: string }>(
        fresh.db,
        sql`select id, digest, prev_hash, hash from kernel_audit order by id`,
      );
      // In the order recorded, each hash computed by the trigger exactly as the application recomputes it.
      expect(rows).toHaveLength(3);
      let prev = GENESIS_HASH;
      for (const row of rows) {
        expect(row.prev_hash).toBe(prev);
        expect(row.hash).toBe(chainHash(prev, Number(row.id), row.digest));
        prev = row.hash;
      }
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, checked: 3 });
    } finally {
      await fresh.close();
    }
  });

  it('continues a chain written before migration 0021 (hashed over the content, no digest)', async () => {
    const fresh = await createTestDatabase();
    try {
      let prev = GENESIS_HASH;
      for (let id = 1; id <= 3; id++) {
        const row = thingRow(id, 1_700_000_000_000 + id, 'test.thing_done', String(id), id);
        const hash = auditHash(prev, row);
        await fresh.asOwner((db) =>
          db.execute(
            sql`insert into kernel_audit (id, occurred_at, action, object_type, object_id, details, prev_hash, hash)
                values (${id}, ${row.occurredAt.toISOString()}, ${row.action}, ${row.objectType}, ${row.objectId},
                        ${JSON.stringify(row.details)}::jsonb, ${prev}, ${hash})`,
          ),
        );
        prev = hash;
      }
      await fresh.asOwner(async (db) => {
        await db.execute(sql`select setval('kernel_audit_id_seq', 3)`);
        await db.execute(
          sql`insert into kernel_meta (key, value) values ('audit_head', ${JSON.stringify({ id: 3, hash: prev })}::jsonb)`,
        );
      });
      for (let n = 4; n <= 5; n++) await record(fresh, n);
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, checked: 5 });
      await tamper(fresh, sql`update kernel_audit set details = '{"n": 9}' where id = 2`);
      expect(await verifyAuditChain(fresh.db)).toMatchObject({ ok: false, brokenId: 2 });
    } finally {
      await fresh.close();
    }
  });

  it('stays one chain under concurrent writers', async () => {
    const fresh = await createTestDatabase();
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => record(fresh, i)));
      expect(await verifyAuditChain(fresh.db)).toEqual({ ok: true, checked: 20 });
    } finally {
      await fresh.close();
    }
  });
});

describe('the hash chain (property)', () => {
  const fields = ['action', 'objectType', 'objectId', 'ip', 'requestId', 'details', 'occurredAt'] as const;

  it('detects any single change to any row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ action: fc.string(), objectId: fc.string(), n: fc.integer() }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.nat(),
        fc.constantFrom(...fields),
        (events, pick, field) => {
          let prev = GENESIS_HASH;
          const rows = events.map((event, i) => {
            const row = thingRow(i + 1, 1_700_000_000_000 + i, event.action, event.objectId, event.n);
            const hash = auditHash(prev, row);
            const stored = { ...row, prevHash: prev, hash };
            prev = hash;
            return stored;
          });
          const target = rows[pick % rows.length]!;
          const changed = { ...target };
          if (field === 'occurredAt') changed.occurredAt = new Date(target.occurredAt.getTime() + 1);
          else if (field === 'details') changed.details = { n: target.details.n + 1 };
          else (changed as Record<string, unknown>)[field] = `${String(target[field])}x`;
          return auditHash(changed.prevHash, changed) !== target.hash;
        },
      ),
    );
  });

  it('detects any single change to any row chained at COMMIT (digest and chain hash)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ action: fc.string(), objectId: fc.string(), n: fc.integer() }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.nat(),
        fc.constantFrom(...fields, 'id' as const),
        (events, pick, field) => {
          let prev = GENESIS_HASH;
          const rows = events.map((event, i) => {
            const row = thingRow(i + 1, 1_700_000_000_000 + i, event.action, event.objectId, event.n);
            const hash = chainHash(prev, row.id, auditDigest(row));
            const stored = { ...row, prevHash: prev, hash };
            prev = hash;
            return stored;
          });
          const target = rows[pick % rows.length]!;
          const changed = { ...target };
          if (field === 'occurredAt') changed.occurredAt = new Date(target.occurredAt.getTime() + 1);
          else if (field === 'details') changed.details = { n: target.details.n + 1 };
          else if (field === 'id') changed.id = target.id + 1;
          else (changed as Record<string, unknown>)[field] = `${String(target[field])}x`;
          // What verification recomputes: the digest from the content, then the chain hash.
          return chainHash(changed.prevHash, changed.id, auditDigest(changed)) !== target.hash;
        },
      ),
    );
  });

  it('hashes JSON independently of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });
});
