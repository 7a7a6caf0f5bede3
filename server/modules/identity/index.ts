import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { authRoutes } from './identity.auth.routes.js';
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
  routes: async (app: FastifyInstance) => {
    await app.register(authRoutes);
  },
};

export type { Actor } from '../../kernel/access/policy.js';
