import { inTransaction } from '../kernel/db/transaction.js';
import type { Db } from '../kernel/db/types.js';
import { profileInputSchema } from '../modules/directory/directory.profiles.schemas.js';
import { storeProfile } from '../modules/directory/directory.profiles.service.js';
import { createOrganisation, type OrganisationSpec } from './factories.js';

/**
 * Makes an active organisation with a directory profile (search rows included). `profile` is the editor's
 * input: anything left out takes its default; countries default to the organisation's.
 */
export async function createProfile(
  db: Db,
  spec: {
    organisation?: OrganisationSpec;
    organisationId?: string;
    profile?: Record<string, unknown>;
    updatedAt?: Date;
  } = {},
) {
  const organisation = spec.organisationId
    ? { id: spec.organisationId, countries: spec.organisation?.countries ?? ['KE'] }
    : await createOrganisation(db, spec.organisation);
  const input = profileInputSchema.parse({ countries: organisation.countries, ...spec.profile });
  await inTransaction(db, (tx) =>
    storeProfile(tx, organisation.id, input, { personId: null, now: spec.updatedAt }),
  );
  return { organisationId: organisation.id, input };
}
