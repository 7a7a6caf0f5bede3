import { sql } from 'drizzle-orm';
import { Secret } from 'otpauth';
import type { PlatformRole, Role } from '../../kernel/access/roles.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { DemoAccount, Kernel } from '../../kernel/kernel.js';
import { hashPassword } from './identity.passwords.js';
import {
  identityMemberships,
  identityOrganisations,
  identityPeople,
  identitySettings,
  identityTotpFactors,
} from './identity.tables.js';
import type { OrganisationStatus, OrganisationType, Tier } from './identity.vocabulary.js';
import './identity.audit.js';

/**
 * The password every demo account shares. Demo data is for trying Cairn on the embedded database: the
 * accounts are fictional, printed at start-up, and must never exist on a real installation.
 */
export const demoPassword = 'cairn demo only, never for real work';

interface DemoOrganisation {
  key: string;
  name: string;
  type: OrganisationType;
  countries: string[];
  status: OrganisationStatus;
  tier: Tier | null;
  website?: string;
}

// Fictional organisations in the places Cairn's users work; names are invented.
const organisations: DemoOrganisation[] = [
  {
    key: 'tumaini',
    name: 'Tumaini Safe Homes (demo)',
    type: 'ngo',
    countries: ['KE', 'UG'],
    status: 'active',
    tier: 'verified_frontline',
  },
  {
    key: 'mekong',
    name: 'Mekong Legal Aid Network (demo)',
    type: 'legal',
    countries: ['KH', 'VN', 'TH'],
    status: 'active',
    tier: 'verified',
  },
  {
    key: 'nairobi-police',
    name: 'Nairobi Anti-Trafficking Unit (demo)',
    type: 'law_enforcement',
    countries: ['KE'],
    status: 'active',
    tier: 'law_enforcement_verified',
  },
  {
    key: 'survivors',
    name: 'Voices of Return — survivor-led (demo)',
    type: 'survivor_led',
    countries: ['BD', 'MY'],
    status: 'active',
    tier: 'verified',
  },
  {
    key: 'research',
    name: 'Institute for Migration Research (demo)',
    type: 'academic',
    countries: ['TH'],
    status: 'active',
    tier: 'verified',
  },
  {
    key: 'ministry',
    name: 'Ministry of Labour Inspection (demo)',
    type: 'central_government',
    countries: ['VN'],
    status: 'active',
    tier: 'verified',
  },
  {
    key: 'applicant',
    name: 'Sahel Shelter Collective (demo application)',
    type: 'ngo',
    countries: ['NE', 'ML'],
    status: 'pending',
    tier: null,
  },
  {
    key: 'suspended',
    name: 'Coastal Outreach Trust (demo, suspended)',
    type: 'faith_based',
    countries: ['TZ'],
    status: 'suspended',
    tier: 'verified',
  },
];

interface DemoPerson {
  email: string;
  displayName: string;
  role: Role | PlatformRole;
  organisation?: string;
  platformRole?: PlatformRole;
  language?: string;
}

const people: DemoPerson[] = [
  {
    email: 'admin@demo.cairn',
    displayName: 'Grace Wanjiru',
    role: 'platform_admin',
    platformRole: 'platform_admin',
  },
  {
    email: 'moderator@demo.cairn',
    displayName: 'Lucía Fernández',
    role: 'moderator',
    platformRole: 'moderator',
    language: 'es',
  },
  { email: 'orgadmin@demo.cairn', displayName: 'Amina Odhiambo', role: 'org_admin', organisation: 'tumaini' },
  {
    email: 'supervisor@demo.cairn',
    displayName: 'Joseph Okello',
    role: 'case_supervisor',
    organisation: 'tumaini',
  },
  { email: 'caseworker@demo.cairn', displayName: 'Sophea Chan', role: 'caseworker', organisation: 'mekong' },
  {
    email: 'supervisor.mekong@demo.cairn',
    displayName: 'Dara Sok',
    role: 'case_supervisor',
    organisation: 'mekong',
  },
  {
    email: 'caseworker.tumaini@demo.cairn',
    displayName: 'Grace Achieng',
    role: 'caseworker',
    organisation: 'tumaini',
  },
  { email: 'analyst@demo.cairn', displayName: 'Nguyễn Thị Mai', role: 'analyst', organisation: 'research' },
  {
    email: 'investigator@demo.cairn',
    displayName: 'Peter Kamau',
    role: 'investigator',
    organisation: 'nairobi-police',
  },
  { email: 'member@demo.cairn', displayName: 'Rahima Begum', role: 'member', organisation: 'survivors' },
  {
    email: 'applicant@demo.cairn',
    displayName: 'Aïssata Traoré',
    role: 'org_admin',
    organisation: 'applicant',
    language: 'fr',
  },
];

/**
 * Demo data for the identity module: organisations of several types, tiers and states in several countries,
 * and a person for every role. Demo installations let case roles use TOTP (a platform setting), so a newcomer
 * can try every role with the authenticator secrets printed at start-up.
 */
export async function seedIdentity(kernel: Kernel): Promise<DemoAccount[]> {
  const passwordHash = await hashPassword(demoPassword);
  return inTransaction(kernel.database.db, async (tx) => {
    // Platform scope: seeding creates memberships across many organisations.
    await setPlatformScope(tx);
    const orgIds = new Map<string, string>();
    for (const org of organisations) {
      const verified = org.tier !== null;
      const [row] = await tx
        .insert(identityOrganisations)
        .values({
          name: org.name,
          type: org.type,
          countries: org.countries,
          referee: 'Demo network',
          status: org.status,
          tier: org.tier,
          verifiedAt: verified ? new Date() : null,
          tierExpiresAt: verified ? new Date(Date.now() + 365 * 86_400_000) : null,
        })
        .returning({ id: identityOrganisations.id });
      orgIds.set(org.key, row!.id);
    }
    await tx
      .insert(identitySettings)
      .values({ key: 'required_factor', value: 'passkey_or_totp' })
      .onConflictDoNothing();
    const accounts: DemoAccount[] = [];
    for (const person of people) {
      const [row] = await tx
        .insert(identityPeople)
        .values({
          email: person.email,
          displayName: person.displayName,
          passwordHash,
          platformRole: person.platformRole ?? null,
          language: person.language ?? 'en',
        })
        .returning({ id: identityPeople.id });
      const personId = row!.id;
      const orgId = person.organisation ? orgIds.get(person.organisation) : undefined;
      if (orgId) {
        await tx
          .insert(identityMemberships)
          .values({ personId, organisationId: orgId, role: person.role as Role });
        if (person.organisation === 'applicant') {
          await tx
            .update(identityOrganisations)
            .set({ applicantPersonId: personId })
            .where(sql`id = ${orgId}`);
        }
      }
      let secret: string | undefined;
      if (person.role !== 'member' && person.organisation !== 'applicant') {
        secret = new Secret({ size: 20 }).base32;
        await tx.insert(identityTotpFactors).values({
          personId,
          // Must match the AAD the factors service uses to open it.
          secretSealed: kernel.seal(secret, `identity_totp_factors.secret_sealed.${personId}`),
          confirmedAt: new Date(),
        });
      }
      accounts.push({
        role: person.role,
        email: person.email,
        organisation: organisations.find((o) => o.key === person.organisation)?.name,
        password: demoPassword,
        secret: secret ? `TOTP ${secret}` : undefined,
      });
    }
    await recordAudit(tx, {
      action: 'identity.organisation_applied',
      objectType: 'organisation',
      objectId: orgIds.get('applicant') ?? null,
      organisationId: orgIds.get('applicant') ?? null,
      details: { type: 'ngo', countries: ['NE', 'ML'] },
    });
    return accounts;
  });
}
