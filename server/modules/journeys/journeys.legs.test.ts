import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testDatabaseKind } from '../../test/db.js';
import { createOrganisation } from '../../test/factories.js';
import { journeysLegs, journeysRoutes } from './journeys.tables.js';

/** The SQLSTATE of a database error, wherever the driver and the ORM put it. */
async function sqlState(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
  } catch (error) {
    for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    }
    throw error;
  }
  return undefined;
}

const foreignKeyViolation = '23503';

/**
 * Migration 0033 replaced the legs' declared foreign key to their route by statement-level triggers. These tests
 * hold the triggers to what the key guaranteed: no leg without its route, a route's deletion takes its legs, a
 * route's id does not change. The route must also be of the leg's organisation, which the key did not check.
 */
describe('journeys: a leg belongs to an existing route of its organisation', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    t = await createTestApp();
    orgA = (await createOrganisation(t.database.db)).id;
    orgB = (await createOrganisation(t.database.db)).id;
  });
  afterAll(() => t.close());

  async function routeOf(tx: Tx, organisationId: string): Promise<string> {
    const id = randomUUID();
    await tx.insert(journeysRoutes).values({
      id,
      organisationId,
      year: 2024,
      exploitationTypes: ['ForcedLabour'],
      people: 3,
      genderBand: 'female',
      ageBand: 'adult',
      nationalityBand: 'africa',
    });
    return id;
  }

  const leg = (routeId: string, organisationId: string, position: number) => ({
    routeId,
    organisationId,
    position,
    role: position === 0 ? 'origin' : 'exploitation',
    country: position === 0 ? 'KE' : 'QA',
  });

  /** A route of organisation A with one leg, written and committed. */
  async function routeOfAWithOneLeg(): Promise<string> {
    return inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgA);
      const id = await routeOf(tx, orgA);
      await tx.insert(journeysLegs).values([leg(id, orgA, 0)]);
      return id;
    });
  }

  async function legCount(routeId: string): Promise<number> {
    return inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      return (await tx.select().from(journeysLegs).where(eq(journeysLegs.routeId, routeId))).length;
    });
  }

  it('writes the legs of routes written in the same statement and of routes written before', async () => {
    const [earlier, id] = await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgA);
      const earlier = await routeOf(tx, orgA);
      await tx.insert(journeysLegs).values([leg(earlier, orgA, 0), leg(earlier, orgA, 1)]);
      // The import's shape: the route and its legs in one statement.
      const id = randomUUID();
      await tx.execute(sql`with route as (
          insert into journeys_routes (id, organisation_id, year, exploitation_types, people, gender_band, age_band,
            nationality_band)
          values (${id}, ${orgA}, 2024, array['ForcedLabour'], 3, 'female', 'adult', 'africa'))
        insert into journeys_legs (route_id, organisation_id, position, role, country)
        values (${id}, ${orgA}, 0, 'origin', 'KE'), (${id}, ${orgA}, 1, 'exploitation', 'QA')`);
      return [earlier, id];
    });
    expect(await legCount(earlier)).toBe(2);
    expect(await legCount(id)).toBe(2);
  });

  it('refuses a leg naming no route, and writes none of the statement', async () => {
    const missing = randomUUID();
    const state = await sqlState(
      inTransaction(t.database.db, async (tx) => {
        await setTenant(tx, orgA);
        const id = await routeOf(tx, orgA);
        // One good leg beside the bad one: the whole statement is refused.
        await tx.insert(journeysLegs).values([leg(id, orgA, 0), leg(missing, orgA, 0)]);
      }),
    );
    expect(state).toBe(foreignKeyViolation);
    expect(await legCount(missing)).toBe(0);
  });

  it("refuses a leg naming another organisation's route, even in the platform's scope", async () => {
    const ofB = await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgB);
      return routeOf(tx, orgB);
    });
    const state = await sqlState(
      inTransaction(t.database.db, async (tx) => {
        await setPlatformScope(tx);
        await tx.insert(journeysLegs).values([leg(ofB, orgA, 0)]);
      }),
    );
    expect(state).toBe(foreignKeyViolation);
    expect(await legCount(ofB)).toBe(0);
  });

  it('refuses moving a leg to a route that does not exist', async () => {
    const id = await routeOfAWithOneLeg();
    const state = await sqlState(
      inTransaction(t.database.db, async (tx) => {
        await setTenant(tx, orgA);
        await tx.update(journeysLegs).set({ routeId: randomUUID() }).where(eq(journeysLegs.routeId, id));
      }),
    );
    expect(state).toBe(foreignKeyViolation);
    expect(await legCount(id)).toBe(1);
  });

  it("deletes a route's legs with it, and only its legs", async () => {
    const [gone, kept] = await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgA);
      const gone = await routeOf(tx, orgA);
      const kept = await routeOf(tx, orgA);
      await tx
        .insert(journeysLegs)
        .values([leg(gone, orgA, 0), leg(gone, orgA, 1), leg(kept, orgA, 0), leg(kept, orgA, 1)]);
      return [gone, kept];
    });
    await inTransaction(t.database.db, async (tx) => {
      await setTenant(tx, orgA);
      await tx.delete(journeysRoutes).where(eq(journeysRoutes.id, gone));
    });
    expect(await legCount(gone)).toBe(0);
    expect(await legCount(kept)).toBe(2);
  });

  // Two connections: PostgreSQL only (PGlite has one).
  it.runIf(testDatabaseKind() === 'postgresql')(
    'refuses a leg for a route another transaction is deleting, once that deletion commits',
    async () => {
      const id = await inTransaction(t.database.db, async (tx) => {
        await setTenant(tx, orgA);
        return routeOf(tx, orgA);
      });
      let deleted!: () => void;
      const deleting = new Promise<void>((resolve) => (deleted = resolve));
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      const deletion = inTransaction(t.database.db, async (tx) => {
        await setTenant(tx, orgA);
        await tx.delete(journeysRoutes).where(eq(journeysRoutes.id, id));
        deleted();
        await committing;
      });
      await deleting;
      // The route is deleted but not yet committed: the leg's check must wait for the deletion, then refuse.
      // Without the lock it would find the route, and the leg would outlive it.
      const writing = sqlState(
        inTransaction(t.database.db, async (tx) => {
          await setTenant(tx, orgA);
          await tx.insert(journeysLegs).values([leg(id, orgA, 0)]);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      commit();
      await deletion;
      expect(await writing).toBe(foreignKeyViolation);
      expect(await legCount(id)).toBe(0);
    },
  );

  it("refuses changing a route's id", async () => {
    const id = await routeOfAWithOneLeg();
    const state = await sqlState(
      inTransaction(t.database.db, async (tx) => {
        await setTenant(tx, orgA);
        await tx.update(journeysRoutes).set({ id: randomUUID() }).where(eq(journeysRoutes.id, id));
      }),
    );
    expect(state).toBe(foreignKeyViolation);
    expect(await legCount(id)).toBe(1);
  });
});
