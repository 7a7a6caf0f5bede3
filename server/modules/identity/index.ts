import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { authRoutes } from './identity.auth.routes.js';
import { factorRoutes } from './identity.factors.routes.js';
import { memberRoutes } from './identity.members.routes.js';
import { organisationRoutes } from './identity.organisations.routes.js';
import { setupTierReminders } from './identity.organisations.service.js';
import { seedIdentity } from './identity.seed.js';
import { resolveActor } from './identity.sessions.js';
import './identity.audit.js';

/** The identity module: organisations and vetting, people, memberships, sign-in, factors, sessions. */
export const identityModule: CairnModule = {
  name: 'identity',
  description:
    'Organisations and their vetting, people, memberships and roles, sign-in, second factors and sessions.',
  resolveActor,
  seed: seedIdentity,
  setup: (kernel) => {
    setupTierReminders(kernel);
  },
  routes: async (app: FastifyInstance) => {
    await app.register(authRoutes);
    await app.register(factorRoutes);
    await app.register(organisationRoutes);
    await app.register(memberRoutes);
  },
};

export type { Actor } from '../../kernel/access/policy.js';
export { hasRecentStepUp, requireRecentStepUp } from './identity.factors.service.js';

// What other modules may use of identity (docs/ARCHITECTURE.md): read-only access to organisations and
// people for joins, and the shared vocabulary and validators.
export { identityOrganisations, identityPeople, identityMemberships } from './identity.tables.js';
export { isCountryCode, isoCountryCodes } from './identity.countries.js';
export { countryCodeSchema, decodeCursor, encodeCursor, pageOf } from './identity.organisations.schemas.js';
export { organisationTypes, tiers, type OrganisationType, type Tier } from './identity.vocabulary.js';
export { insertListedOrganisations, type ListedOrganisation } from './identity.listing.js';
export { namedPerson, personNames } from './identity.people.js';
// For modules that seed demo data through their use cases, as a demo account.
export { demoContext } from './identity.demo.js';
