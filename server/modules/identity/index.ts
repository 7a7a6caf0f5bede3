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
export { requireRecentStepUp } from './identity.factors.service.js';
