import { recordAudit, type AuditContext } from '../../kernel/audit/audit.js';
import type { Tx } from '../../kernel/db/types.js';
import { identityOrganisations } from './identity.tables.js';
import type { OrganisationType, Tier } from './identity.vocabulary.js';
import './identity.audit.js';

/** An organisation listed in the directory by a network coordinator's import, or by demo and benchmark data. */
export interface ListedOrganisation {
  name: string;
  type: OrganisationType;
  countries: string[];
  website?: string | null;
  tier?: Tier | null;
}

/**
 * Creates organisations that are listed, not applied for: active (so the directory shows them) with no
 * members until someone from the organisation is invited, and no tier unless one is given (vetting still
 * applies to anything beyond being listed). `referee` records where the listing came from. Runs in the
 * caller's transaction and audits each one; returns the new ids in input order.
 */
export async function insertListedOrganisations(
  tx: Tx,
  organisations: ListedOrganisation[],
  source: { referee: string; audit?: AuditContext; auditEach?: boolean },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < organisations.length; i += 500) {
    const batch = organisations.slice(i, i + 500);
    const rows = await tx
      .insert(identityOrganisations)
      .values(
        batch.map((o) => ({
          name: o.name,
          type: o.type,
          countries: o.countries,
          website: o.website ?? null,
          referee: source.referee,
          status: 'active',
          tier: o.tier ?? null,
          verifiedAt: o.tier ? new Date() : null,
          tierExpiresAt: o.tier ? new Date(Date.now() + 365 * 86_400_000) : null,
        })),
      )
      .returning({ id: identityOrganisations.id });
    ids.push(...rows.map((r) => r.id));
  }
  if (source.auditEach !== false) {
    for (const [index, id] of ids.entries()) {
      await recordAudit(
        tx,
        {
          action: 'identity.organisation_listed',
          objectType: 'organisation',
          objectId: id,
          organisationId: id,
          details: { type: organisations[index]!.type, countries: organisations[index]!.countries },
        },
        source.audit,
      );
    }
  }
  return ids;
}
