import { eq } from 'drizzle-orm';
import type { PersonActor } from '../../kernel/access/policy.js';
import type { PlatformRole, Role } from '../../kernel/access/roles.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Kernel } from '../../kernel/kernel.js';
import { identityMemberships, identityPeople } from './identity.tables.js';

/**
 * A request context for a demo account, for modules that seed their demo data through their own use cases
 * (so it is sealed, indexed and audited like anything a person makes): the account's first membership, if
 * any, and its platform role, if any. Throws when the account is missing (identity seeds first).
 */
export async function demoContext(kernel: Kernel, email: string): Promise<Ctx> {
  const found = await inTransaction(kernel.database.db, async (tx) => {
    // Platform scope: the seed looks up demo people across organisations.
    await setPlatformScope(tx);
    const [row] = await tx
      .select({
        personId: identityPeople.id,
        platformRole: identityPeople.platformRole,
        membershipId: identityMemberships.id,
        organisationId: identityMemberships.organisationId,
        role: identityMemberships.role,
      })
      .from(identityPeople)
      .leftJoin(identityMemberships, eq(identityMemberships.personId, identityPeople.id))
      .where(eq(identityPeople.email, email));
    return row;
  });
  if (!found) throw new Error(`demo account ${email} is missing`);
  const membership =
    found.membershipId && found.organisationId && found.role
      ? { id: found.membershipId, organisationId: found.organisationId, role: found.role as Role }
      : null;
  const actor: PersonActor = {
    kind: 'person',
    personId: found.personId,
    sessionId: 'demo-seed',
    level: 'full',
    platformRole: (found.platformRole as PlatformRole | null) ?? null,
    membership,
    hasRequiredFactor: true,
    stepUpAt: null,
  };
  return {
    kernel,
    actor,
    audit: {
      actorPersonId: found.personId,
      actorMembershipId: membership?.id ?? null,
      ip: null,
      requestId: null,
    },
    language: 'en',
    ip: '127.0.0.1',
    userAgent: 'demo seed',
  };
}
