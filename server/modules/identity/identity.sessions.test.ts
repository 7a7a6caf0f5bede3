import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sensitiveRoles } from '../../kernel/access/roles.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestDatabase, type TestDatabase } from '../../test/db.js';
import { createMember, signIn } from '../../test/factories.js';
import { loadActor } from './identity.sessions.js';

describe('session lookup (identity_session_actor)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it('resolves a session’s membership in one call, which row-level security hides from the app role', async () => {
    const m = await createMember(database.db, { role: 'caseworker' });
    const { cookie } = await signIn(database.db, m.personId, { membershipId: m.membership.id });
    const token = cookie.split('=')[1]!;
    // SECURITY: without a tenant, the app role sees no membership at all ...
    const direct = await queryRows(
      database.db,
      sql`select id from identity_memberships where person_id = ${m.personId}`,
    );
    expect(direct).toEqual([]);
    // ... yet the session's own actor carries it, with the factor check.
    const actor = await loadActor(database.db, token);
    expect(actor).toMatchObject({
      kind: 'person',
      personId: m.personId,
      membership: { id: m.membership.id, organisationId: m.organisationId, role: 'caseworker' },
      hasRequiredFactor: true,
    });
    expect(sensitiveRoles).toContain('caseworker');
  });

  it('answers nothing for an unknown or revoked token', async () => {
    expect(await loadActor(database.db, 'x'.repeat(43))).toEqual({ kind: 'anonymous' });
    const m = await createMember(database.db);
    const { cookie, sessionId } = await signIn(database.db, m.personId, { membershipId: m.membership.id });
    await database.db.execute(sql`update identity_sessions set revoked_at = now() where id = ${sessionId}`);
    expect(await loadActor(database.db, cookie.split('=')[1]!)).toEqual({ kind: 'anonymous' });
  });

  it('may be run by the app role only, not by every role', async () => {
    const grants = await database.asOwner((db) =>
      queryRows<{ grantee: string }>(
        db,
        sql`select grantee from information_schema.routine_privileges
             where routine_name = 'identity_session_actor' and privilege_type = 'EXECUTE'`,
      ),
    );
    const grantees = grants.map((g) => g.grantee);
    expect(grantees).toContain('cairn_app');
    expect(grantees).not.toContain('PUBLIC');
  });
});
