import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../bus/bus.js';
import {
  kernelAudit,
  kernelBlindIndexKeys,
  kernelKeyRotations,
  kernelOrganisationKeys,
} from '../db/kernel.tables.js';
import { setPlatformScope, setTenant } from '../db/tenant.js';
import { inTransaction } from '../db/transaction.js';
import { queryRows, type Tx } from '../db/types.js';
import { JobQueue } from '../jobs/jobs.js';
import { createLogger } from '../logging.js';
import { createTestDatabase, type TestDatabase } from '../../test/db.js';
import { decrypt, encrypt } from './crypto.js';
import { Keyring, KeyringError, normaliseForIndex } from './keyring.js';
import { runKeysCommand } from './keys.cli.js';

/** A module's table as the cases module will have them: sealed fields, a lookup index, row-level security. */
const survivors = pgTable('keyring_scratch_survivors', {
  id: uuid('id').primaryKey(),
  organisationId: uuid('organisation_id').notNull(),
  name: text('name'),
  note: text('note'),
  nameLookup: text('name_lookup'),
  revision: integer('revision').notNull().default(0),
});

const log = createLogger('silent');
const masterKey = randomBytes(32);
const rowsPerOrganisation = 1000;
const names = ['Amina Yusuf', 'Nguyễn Thị Ánh', 'Мария Иванова', 'محمد عبد الله', 'किरण शर्मा', 'José  María'];

interface Expected {
  organisationId: string;
  name: string | null;
  note: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('key rotation while the app writes', () => {
  let database: TestDatabase;
  let jobs: JobQueue;
  let keys: Keyring;
  const orgA = randomUUID();
  const orgB = randomUUID();
  const expected = new Map<string, Expected>();
  // Rows the concurrent writer leaves alone, so lookups of them can be checked while it runs.
  const untouchable = new Set<string>();
  let beforeRotation: { id: string; name: string };

  const place = (row: { id: string; organisationId: string }, column: 'name' | 'note') => ({
    organisationId: row.organisationId,
    table: 'keyring_scratch_survivors',
    column,
    rowId: row.id,
  });

  /** What the module's writes do: seal each field, index the normalised name, in the caller's transaction. */
  async function sealedRow(tx: Tx, row: Expected & { id: string }) {
    return {
      name: row.name === null ? null : await keys.sealField(tx, place(row, 'name'), row.name),
      note: row.note === null ? null : await keys.sealField(tx, place(row, 'note'), row.note),
      nameLookup:
        row.name === null
          ? null
          : await keys.blindIndex(
              tx,
              { purpose: 'lookup', organisationId: row.organisationId },
              normaliseForIndex(row.name),
            ),
    };
  }

  async function insertRows(organisationId: string, count: number): Promise<void> {
    for (let start = 0; start < count; start += 250) {
      await inTransaction(database.db, async (tx) => {
        await setTenant(tx, organisationId);
        const values = [];
        for (let i = start; i < Math.min(count, start + 250); i++) {
          const row = {
            id: randomUUID(),
            organisationId,
            name: `${names[i % names.length]} ${i}`,
            note: i % 7 === 0 ? null : `note ${i} 👩🏽‍⚕️ ${randomBytes(6).toString('hex')}`,
          };
          expected.set(row.id, row);
          values.push({ id: row.id, organisationId, ...(await sealedRow(tx, row)) });
        }
        await tx.insert(survivors).values(values);
      });
    }
  }

  /**
   * The app serving traffic: inserts rows and rewrites random existing ones (locking them first, as a use case
   * does), for both organisations, until told to stop.
   */
  function writeUntil(stop: () => boolean): { done: Promise<number> } {
    const done = (async () => {
      let writes = 0;
      while (!stop() || writes < 20) {
        const organisationId = writes % 3 === 0 ? orgB : orgA;
        const ids = [...expected]
          .filter(([id, row]) => row.organisationId === organisationId && !untouchable.has(id))
          .map(([id]) => id);
        const target = ids[Math.floor(Math.random() * ids.length)]!;
        await inTransaction(database.db, async (tx) => {
          await setTenant(tx, organisationId);
          const created = {
            id: randomUUID(),
            organisationId,
            name: `Nouvelle ${writes}`,
            note: `écrit ${writes}`,
          };
          await tx
            .insert(survivors)
            .values({ id: created.id, organisationId, ...(await sealedRow(tx, created)) });
          const [locked] = await tx
            .select({ revision: survivors.revision })
            .from(survivors)
            .where(eq(survivors.id, target))
            .for('update');
          const changed = {
            id: target,
            organisationId,
            name: `Changed ${writes}`,
            note: writes % 5 ? `n ${writes}` : null,
          };
          await tx
            .update(survivors)
            .set({ ...(await sealedRow(tx, changed)), revision: locked!.revision + 1 })
            .where(eq(survivors.id, target));
          // Recorded only once committed (below): a rolled-back write must not be expected.
          return [created, changed];
        }).then((rows) => rows.forEach((row) => expected.set(row.id, row)));
        writes++;
        await sleep(2);
      }
      return writes;
    })();
    return { done };
  }

  async function rotationRow(id: number) {
    const [row] = await database.db.select().from(kernelKeyRotations).where(eq(kernelKeyRotations.id, id));
    return row!;
  }

  /** Runs due jobs (the rotation's job and its successors) until the rotation ends; `between` runs in between. */
  async function driveJobs(rotationId: number, between: () => Promise<void> = async () => undefined) {
    for (let i = 0; i < 2000; i++) {
      await jobs.runDue();
      const row = await rotationRow(rotationId);
      if (row.state !== 'running') return row;
      await between();
      await sleep(20);
    }
    throw new Error('rotation did not finish');
  }

  /** Reads past the tenant wall (test assertions over both organisations). */
  const platform = <T>(work: (tx: Tx) => Promise<T>) =>
    inTransaction(database.db, async (tx) => {
      await setPlatformScope(tx);
      return work(tx);
    });

  async function countUnder(organisationId: string, prefix: string) {
    const [row] = await platform((tx) =>
      queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from ${survivors}
            where ${survivors.organisationId} = ${organisationId}
              and (starts_with(${survivors.name}, ${prefix}) or starts_with(${survivors.note}, ${prefix}))`,
      ),
    );
    return row!.n;
  }

  /** Every row opens to exactly what was last written (read through RLS, organisation by organisation). */
  async function assertEveryRowOpens() {
    for (const organisationId of [orgA, orgB]) {
      const rows = await inTransaction(database.db, async (tx) => {
        await setTenant(tx, organisationId);
        return tx.select().from(survivors);
      });
      const mine = [...expected.values()].filter((row) => row.organisationId === organisationId);
      expect(rows).toHaveLength(mine.length);
      for (const row of rows) {
        const want = expected.get(row.id)!;
        expect(
          row.name === null ? null : await keys.openField(database.db, place(row, 'name'), row.name),
        ).toBe(want.name);
        expect(
          row.note === null ? null : await keys.openField(database.db, place(row, 'note'), row.note),
        ).toBe(want.note);
      }
    }
  }

  /** The rows an equality search finds, through the candidates of every live version. */
  async function lookup(organisationId: string, name: string): Promise<string[]> {
    return inTransaction(database.db, async (tx) => {
      await setTenant(tx, organisationId);
      const candidates = await keys.blindIndexCandidates(
        tx,
        { purpose: 'lookup', organisationId },
        normaliseForIndex(name),
      );
      const rows = await tx
        .select({ id: survivors.id })
        .from(survivors)
        .where(and(eq(survivors.organisationId, organisationId), inArray(survivors.nameLookup, candidates)));
      return rows.map((row) => row.id);
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.asOwner(async (db) => {
      await db.execute(sql`create table keyring_scratch_survivors (
        id uuid primary key, organisation_id uuid not null, name text, note text, name_lookup text,
        revision integer not null default 0)`);
      await db.execute(sql`alter table keyring_scratch_survivors enable row level security`);
      await db.execute(sql`create policy keyring_scratch_tenant on keyring_scratch_survivors for all to cairn_app
        using (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid
               or current_setting('cairn.scope', true) = 'platform')`);
      await db.execute(sql`grant select, insert, update, delete on keyring_scratch_survivors to cairn_app`);
    });
    jobs = new JobQueue(database.db, log, new EventBus(log), { retryBaseMs: 10 });
    keys = new Keyring(
      {
        db: database.db,
        jobs,
        log,
        seal: (plaintext, aad) => encrypt(masterKey, plaintext, aad),
        unseal: (sealed, aad) => decrypt(masterKey, sealed, aad),
      },
      // Small batches and a short budget: the rotation hands over to successor jobs several times.
      { rotationBatchSize: 100, rotationTimeBudgetMs: 300 },
    );
    keys.registerEncryptedTable({
      table: survivors,
      id: survivors.id,
      organisation: survivors.organisationId,
      encrypted: [survivors.name, survivors.note],
      blindIndexes: [
        {
          column: survivors.nameLookup,
          purpose: 'lookup',
          source: (opened) => (opened.name === null ? null : normaliseForIndex(opened.name!)),
        },
      ],
    });
    await insertRows(orgA, rowsPerOrganisation);
    await insertRows(orgB, rowsPerOrganisation);
    const [id, row] = [...expected].find(([, row]) => row.organisationId === orgA)!;
    beforeRotation = { id, name: row.name! };
  }, 240_000);
  afterAll(() => database.close());

  it('re-encrypts one organisation while rows are written, then destroys the old key only afterwards', async () => {
    const [captured] = await inTransaction(database.db, async (tx) => {
      await setTenant(tx, orgA);
      return tx.select().from(survivors).where(eq(survivors.id, beforeRotation.id));
    });
    expect(captured!.name).toMatch(/^k1\./);
    const rotation = await keys.rotateOrganisationKey(orgA);
    expect(rotation).toMatchObject({ kind: 'organisation', scope: orgA, fromVersion: 1, toVersion: 2 });
    expect(await keys.destroyRetiredKeys({ organisationId: orgA })).toEqual({
      destroyed: [],
      kept: [{ kind: 'organisation', scope: orgA, version: 1, reason: 'rotation_running' }],
    });

    let finished = false;
    const writer = writeUntil(() => finished);
    const row = await driveJobs(rotation.rotationId);
    finished = true;
    const writes = await writer.done;

    expect(row).toMatchObject({ state: 'done', lastError: null });
    expect(row.rowsDone).toBeGreaterThanOrEqual(rowsPerOrganisation / 2);
    expect(writes).toBeGreaterThanOrEqual(20);
    expect(await countUnder(orgA, 'k1.')).toBe(0);
    expect(await countUnder(orgA, 'k2.')).toBeGreaterThan(rowsPerOrganisation);
    // The other organisation is untouched: its values and its key.
    expect(await countUnder(orgB, 'k2.')).toBe(0);
    expect(
      await database.db
        .select()
        .from(kernelOrganisationKeys)
        .where(eq(kernelOrganisationKeys.organisationId, orgB)),
    ).toMatchObject([{ version: 1, state: 'active' }]);
    await assertEveryRowOpens();

    // A stale copy of an old value written back (say, from a backup) keeps the old key alive.
    await inTransaction(database.db, async (tx) => {
      await setTenant(tx, orgA);
      await tx.update(survivors).set({ name: captured!.name }).where(eq(survivors.id, beforeRotation.id));
    });
    expect(await keys.destroyRetiredKeys({ organisationId: orgA })).toEqual({
      destroyed: [],
      kept: [{ kind: 'organisation', scope: orgA, version: 1, reason: 'values_remain', remaining: 1 }],
    });
    expect(await keys.openField(database.db, place(captured!, 'name'), captured!.name!)).toBe(
      beforeRotation.name,
    );
    await inTransaction(database.db, async (tx) => {
      await setTenant(tx, orgA);
      await tx
        .update(survivors)
        .set(await sealedRow(tx, { ...expected.get(beforeRotation.id)!, id: beforeRotation.id }))
        .where(eq(survivors.id, beforeRotation.id));
    });

    expect(await keys.destroyRetiredKeys()).toEqual({
      destroyed: [{ kind: 'organisation', scope: orgA, version: 1 }],
      kept: [],
    });
    const error = await keys
      .openField(database.db, place(captured!, 'name'), captured!.name!)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).reason).toBe('key_destroyed');
    // SECURITY: the message names the place and version, never the value.
    expect((error as KeyringError).message).not.toContain(beforeRotation.name);
    await assertEveryRowOpens();

    const audit = await database.db
      .select({
        action: kernelAudit.action,
        organisationId: kernelAudit.organisationId,
        details: kernelAudit.details,
      })
      .from(kernelAudit)
      .where(
        inArray(kernelAudit.action, [
          'kernel.key_rotation_started',
          'kernel.key_rotation_finished',
          'kernel.key_destroyed',
        ]),
      )
      .orderBy(kernelAudit.id);
    expect(audit).toEqual([
      {
        action: 'kernel.key_rotation_started',
        organisationId: orgA,
        details: {
          kind: 'organisation',
          scope: orgA,
          rotationId: rotation.rotationId,
          fromVersion: 1,
          toVersion: 2,
        },
      },
      {
        action: 'kernel.key_rotation_finished',
        organisationId: orgA,
        details: {
          kind: 'organisation',
          scope: orgA,
          rotationId: rotation.rotationId,
          rowsDone: row.rowsDone,
        },
      },
      {
        action: 'kernel.key_destroyed',
        organisationId: orgA,
        details: { kind: 'organisation', scope: orgA, version: 1 },
      },
    ]);
  }, 240_000);

  it('recomputes blind indexes while lookups keep finding rows, during and after', async () => {
    const probes = [...expected]
      .filter((_, i) => i % 97 === 0)
      .map(([id, row]) => ({ id, organisationId: row.organisationId, name: row.name! }));
    for (const probe of probes) untouchable.add(probe.id);
    for (const probe of probes) expect(await lookup(probe.organisationId, probe.name)).toContain(probe.id);

    const rotation = await keys.rotateBlindIndexKey('lookup');
    expect(rotation).toMatchObject({ kind: 'blind_index', scope: 'lookup', fromVersion: 1, toVersion: 2 });
    let finished = false;
    const writer = writeUntil(() => finished);
    let checksDuring = 0;
    const row = await driveJobs(rotation.rotationId, async () => {
      // Mid-rotation some rows carry b1, others b2: each probe is still found.
      for (const probe of probes.slice(0, 6))
        expect(await lookup(probe.organisationId, probe.name)).toContain(probe.id);
      checksDuring++;
    });
    finished = true;
    await writer.done;

    expect(row).toMatchObject({ state: 'done' });
    expect(checksDuring).toBeGreaterThan(0);
    const [mixed] = await platform((tx) =>
      queryRows<{ old: number; fresh: number }>(
        tx,
        sql`select count(*) filter (where starts_with(${survivors.nameLookup}, 'b1.'))::int as old,
                 count(*) filter (where starts_with(${survivors.nameLookup}, 'b2.'))::int as fresh
          from ${survivors}`,
      ),
    );
    expect(mixed).toEqual({ old: 0, fresh: expected.size });
    for (const [id, current] of expected) {
      if (Math.random() < 0.05) expect(await lookup(current.organisationId, current.name!)).toContain(id);
    }
    // Found whatever the case and accents of the search.
    const [joseId, jose] = [...expected].find(([, row]) => row.name!.startsWith('José'))!;
    expect(await lookup(jose.organisationId, `  jose MARIA ${jose.name!.split(' ').at(-1)}`)).toContain(
      joseId,
    );

    expect(await keys.destroyRetiredKeys({ purpose: 'lookup' })).toEqual({
      destroyed: [{ kind: 'blind_index', scope: 'lookup', version: 1 }],
      kept: [],
    });
    expect(
      await database.db
        .select()
        .from(kernelBlindIndexKeys)
        .where(eq(kernelBlindIndexKeys.purpose, 'lookup'))
        .orderBy(kernelBlindIndexKeys.version),
    ).toMatchObject([
      { version: 1, state: 'destroyed', sealedKey: null },
      { version: 2, state: 'active' },
    ]);
    const candidates = await keys.blindIndexCandidates(
      database.db,
      { purpose: 'lookup', organisationId: orgA },
      'x',
    );
    expect(candidates).toHaveLength(1);
    for (const probe of probes) expect(await lookup(probe.organisationId, probe.name)).toContain(probe.id);
  }, 240_000);

  it('fails a rotation that meets a value it cannot open, saying where, and keeps the old key', async () => {
    // A value moved from another row: it does not open at its new place.
    const [victim, source] = [...expected].filter(([, row]) => row.organisationId === orgB).map(([id]) => id);
    await inTransaction(database.db, async (tx) => {
      await setTenant(tx, orgB);
      const [from] = await tx
        .select({ note: survivors.note, name: survivors.name })
        .from(survivors)
        .where(eq(survivors.id, source!));
      await tx.update(survivors).set({ name: from!.name }).where(eq(survivors.id, victim!));
    });
    const rotation = await keys.rotateOrganisationKey(orgB);
    const row = await driveJobs(rotation.rotationId);
    expect(row.state).toBe('failed');
    expect(row.lastError).toContain(`keyring_scratch_survivors.name of row ${victim}`);
    expect(row.lastError).toContain('moved or altered');
    expect((await keys.destroyRetiredKeys({ organisationId: orgB })).kept).toMatchObject([
      { scope: orgB, version: 1, reason: 'values_remain' },
    ]);
    const status = await keys.status();
    expect(status.rotations[0]).toMatchObject({ id: rotation.rotationId, state: 'failed' });
    expect(status.retired).toContainEqual(
      expect.objectContaining({ kind: 'organisation', scope: orgB, version: 1 }),
    );
    // Put the moved value right again (under the organisation's new active key).
    await inTransaction(database.db, async (tx) => {
      await setTenant(tx, orgB);
      await tx
        .update(survivors)
        .set(await sealedRow(tx, { ...expected.get(victim!)!, id: victim! }))
        .where(eq(survivors.id, victim!));
    });
  }, 240_000);

  it('speaks through the keys command: status, rotate (waiting), destroy-retired', async () => {
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);
    expect(await runKeysCommand(keys, ['rotate', '--organisation', orgA], print)).toBe(0);
    expect(lines.join('\n')).toMatch(
      new RegExp(`organisation ${orgA} v2 → v3[\\s\\S]*: done, \\d+ rows rewritten`),
    );
    expect(await runKeysCommand(keys, ['destroy-retired', '--organisation', orgA], print)).toBe(0);
    expect(lines.at(-1)).toBe(`destroyed organisation ${orgA} v2`);
    lines.length = 0;
    expect(await runKeysCommand(keys, ['status'], print)).toBe(0);
    expect(lines[0]).toMatch(
      /^organisation keys: 2 organisations; versions 2 active, 1 retired, 2 destroyed$/,
    );
    expect(lines).toContain('blind-index key lookup v2: active');
    expect(await runKeysCommand(keys, ['rotate-index', '--purpose', 'nonsense'], print)).toBe(2);
    expect(await runKeysCommand(keys, ['rotate'], print)).toBe(2);
    await assertEveryRowOpens();
  }, 240_000);
});
