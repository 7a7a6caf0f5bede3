import { and, eq, inArray } from 'drizzle-orm';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { DemoAccount, Kernel } from '../../kernel/kernel.js';
import { identityMemberships, identityPeople } from '../identity/index.js';
import { matchingSettings } from './matching.tables.js';

/** The demo case supervisors each demo organisation names as its matching focal point. */
const demoFocalPoints = ['supervisor@demo.cairn', 'supervisor.mekong@demo.cairn'];

/** Demo data for matching: the two demo organisations that work matches name a focal point each. */
export async function seedMatching(kernel: Kernel): Promise<DemoAccount[]> {
  await inTransaction(kernel.database.db, async (tx) => {
    // Platform scope: seeding writes the settings of several organisations.
    await setPlatformScope(tx);
    const rows = await tx
      .select({ personId: identityPeople.id, organisationId: identityMemberships.organisationId })
      .from(identityPeople)
      .innerJoin(
        identityMemberships,
        and(
          eq(identityMemberships.personId, identityPeople.id),
          eq(identityMemberships.role, 'case_supervisor'),
        ),
      )
      .where(inArray(identityPeople.email, demoFocalPoints));
    for (const { personId, organisationId } of rows)
      await tx
        .insert(matchingSettings)
        .values({ organisationId, focalPersonId: personId })
        .onConflictDoNothing();
  });
  return [];
}
