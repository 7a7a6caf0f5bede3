import { randomBytes } from 'node:crypto';
import type { Role, PlatformRole } from '../kernel/access/roles.js';
import { inTransaction } from '../kernel/db/transaction.js';
import { setPlatformScope } from '../kernel/db/tenant.js';
import type { Db } from '../kernel/db/types.js';
import { createSession, sessionCookie } from '../modules/identity/identity.sessions.js';
import {
  identityMemberships,
  identityOrganisations,
  identityPasskeys,
  identityPeople,
} from '../modules/identity/identity.tables.js';
import type { OrganisationStatus, OrganisationType, Tier } from '../modules/identity/identity.vocabulary.js';

const unique = () => randomBytes(4).toString('hex');

// A fixed, precomputed argon2id hash of `factory password 2026!` keeps factories fast (no hashing per person).
export const factoryPassword = 'factory password 2026!';
const factoryPasswordHash =
  '$argon2id$v=19$m=19456,t=2,p=1$Dfq2jpXja48eesRoINooww$6R4bx3ZF1HT9MCPcPRPc6QVB3/+VlV46PNcuN83Cj8s';

export interface OrganisationSpec {
  name?: string;
  type?: OrganisationType;
  status?: OrganisationStatus;
  tier?: Tier | null;
  countries?: string[];
}

/** Makes an organisation (active and verified unless told otherwise). */
export async function createOrganisation(db: Db, spec: OrganisationSpec = {}) {
  const [org] = await db
    .insert(identityOrganisations)
    .values({
      name: spec.name ?? `Test organisation ${unique()}`,
      type: spec.type ?? 'ngo',
      countries: spec.countries ?? ['KE'],
      referee: 'Test network',
      status: spec.status ?? 'active',
      tier: spec.tier === undefined ? 'verified' : spec.tier,
      verifiedAt: new Date(),
      tierExpiresAt: new Date(Date.now() + 365 * 86_400_000),
    })
    .returning();
  return org!;
}

export interface PersonSpec {
  email?: string;
  displayName?: string;
  platformRole?: PlatformRole | null;
  /** Gives the person a (fake) passkey so sensitive roles are fully enrolled. */
  passkey?: boolean;
}

/** Makes a person with the factory password. */
export async function createPerson(db: Db, spec: PersonSpec = {}) {
  const [person] = await db
    .insert(identityPeople)
    .values({
      email: spec.email ?? `person-${unique()}@cairn.test`,
      displayName: spec.displayName ?? `Person ${unique()}`,
      passwordHash: factoryPasswordHash,
      platformRole: spec.platformRole ?? null,
    })
    .returning();
  if (spec.passkey) {
    await db.insert(identityPasskeys).values({
      personId: person!.id,
      credentialId: `factory-${unique()}`,
      publicKey: 'factory-public-key',
      name: 'Factory key',
    });
  }
  return person!;
}

/**
 * Makes a member of an organisation in a role, building the organisation and the person when not given.
 * Sensitive roles get a passkey unless `passkey: false`.
 */
export async function createMember(
  db: Db,
  spec: { role?: Role; organisationId?: string; personId?: string; passkey?: boolean } = {},
) {
  const role = spec.role ?? 'member';
  const organisationId = spec.organisationId ?? (await createOrganisation(db)).id;
  const personId =
    spec.personId ?? (await createPerson(db, { passkey: spec.passkey ?? role !== 'member' })).id;
  const membership = await inTransaction(db, async (tx) => {
    await setPlatformScope(tx);
    const [row] = await tx.insert(identityMemberships).values({ personId, organisationId, role }).returning();
    return row!;
  });
  return { membership, personId, organisationId };
}

/** Signs a person in without the UI: a full session, acting for the given membership. Returns a cookie header. */
export async function signIn(
  db: Db,
  personId: string,
  options: { membershipId?: string | null; level?: 'partial' | 'full' } = {},
): Promise<{ cookie: string; sessionId: string }> {
  const session = await inTransaction(db, (tx) =>
    createSession(tx, {
      personId,
      level: options.level ?? 'full',
      activeMembershipId: options.membershipId ?? null,
      ip: '127.0.0.1',
      userAgent: 'factory',
    }),
  );
  return { cookie: `${sessionCookie}=${session.token}`, sessionId: session.id };
}
