import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createProfile } from '../../test/directory.js';
import { createMember, signIn } from '../../test/factories.js';
import { actorRowCacheOf } from './identity.actor-cache.js';
import { identityMemberships, identityOrganisations, identitySessions } from './identity.tables.js';

/**
 * The session cache of the routes that declare `cachedActor` (the directory's search and map): every change to
 * what a session row is made of must empty it, in this process and through the database's notifications, and
 * routes without the flag must never read from it.
 */
describe('the session cache of the directory’s search', () => {
  let t: TestApp;
  const tag = Math.random().toString(36).slice(2, 8);
  const name = `Members Only Refuge ${tag}`;
  let unlistedId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    ({ organisationId: unlistedId } = await createProfile(t.database.db, {
      organisation: { name, countries: ['KE'] },
      profile: {
        descriptions: [{ language: 'en', short: 'A refuge listed for members only' }],
        services: ['shelter'],
        countries: ['KE'],
        listed: false,
      },
    }));
  });
  afterAll(() => t.close());

  const cache = () => actorRowCacheOf(t.database, t.app.kernel.log);
  /** Whether the caller searched as a member: only members' rows hold the unlisted organisation. */
  const searchesAsMember = async (cookie: string) => {
    const res = await t.app.inject({
      url: `/api/directory/search?q=${encodeURIComponent(name)}`,
      headers: { cookie },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<{ items: Array<{ organisationId: string }> }>()
      .items.some((i) => i.organisationId === unlistedId);
  };
  const asPlatform = (write: (tx: Parameters<Parameters<typeof inTransaction>[1]>[0]) => Promise<unknown>) =>
    inTransaction(t.database.db, async (tx) => {
      await setPlatformScope(tx);
      await write(tx);
    });
  /** Revokes a session straight in the database, as another process would. */
  const revoke = (sessionId: string) =>
    asPlatform((tx) =>
      tx.update(identitySessions).set({ revokedAt: new Date() }).where(eq(identitySessions.id, sessionId)),
    );
  /** Signs a new member in and makes sure their session is cached. */
  const cachedMember = async () => {
    const m = await createMember(t.database.db, { role: 'member' });
    const session = await signIn(t.database.db, m.personId, { membershipId: m.membership.id });
    // The first request starts the listener (nothing is cached before it listens).
    await searchesAsMember(session.cookie);
    await cache().sync();
    expect(await searchesAsMember(session.cookie)).toBe(true);
    const held = cache().size;
    expect(held).toBeGreaterThan(0);
    return { ...m, ...session, held };
  };

  it('is emptied when a membership ends, and the next search is a visitor’s', async () => {
    const m = await cachedMember();
    // As another process would: straight to the database, no event on this process's bus.
    await asPlatform((tx) =>
      tx.delete(identityMemberships).where(eq(identityMemberships.id, m.membership.id)),
    );
    await cache().sync();
    expect(cache().size).toBe(0);
    expect(await searchesAsMember(m.cookie)).toBe(false);
  });

  it('is emptied when an organisation is suspended or a session revoked, but not by the idle-timeout touch', async () => {
    const m = await cachedMember();
    await asPlatform((tx) =>
      tx.update(identitySessions).set({ lastSeenAt: new Date() }).where(eq(identitySessions.id, m.sessionId)),
    );
    await cache().sync();
    expect(cache().size).toBe(m.held);

    await asPlatform((tx) =>
      tx
        .update(identityOrganisations)
        .set({ status: 'suspended' })
        .where(eq(identityOrganisations.id, m.membership.organisationId)),
    );
    await cache().sync();
    expect(cache().size).toBe(0);
    expect(await searchesAsMember(m.cookie)).toBe(false);

    const other = await cachedMember();
    await revoke(other.sessionId);
    await cache().sync();
    expect(cache().size).toBe(0);
    expect(await searchesAsMember(other.cookie)).toBe(false);
  });

  it('is never read by routes that do not ask for it', async () => {
    const m = await cachedMember();
    // Revoked without a notification reaching the cache yet: the session row is still held …
    await revoke(m.sessionId);
    // … but every other route reads the session from the database: signed out at once.
    const me = await t.app.inject({ url: '/api/auth/me', headers: { cookie: m.cookie } });
    expect(me.statusCode).toBe(401);
  });

  it('does not keep unknown tokens', async () => {
    await cachedMember();
    const before = cache().size;
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        url: '/api/directory/search?q=refuge',
        headers: { cookie: `__Host-cairn_session=made-up-${i}-${tag}` },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(cache().size).toBe(before);
  });
});
