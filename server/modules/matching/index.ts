import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { matchingRoutes } from './matching.routes.js';
import { setupCaseFollowing } from './matching.cases.js';
import { seedMatching } from './matching.seed.js';
import { setupRescreening } from './matching.rescreen.js';
import { setupMatchThreads } from './matching.threads.js';
import { registerMatchingEncryption } from './matching.service.js';
import './matching.audit.js';

export { rescreenOrganisation } from './matching.rescreen.js';

/** The matching module: privacy-preserving overlap detection between organisations' cases and investigations. */
export const matchingModule: CairnModule = {
  name: 'matching',
  description:
    'Keyed blind indexes of selectors (phones, documents, accounts, names …) compared across organisations: ' +
    'each side learns only that an overlap exists, on what kind of selector, and with whom.',
  seed: seedMatching,
  setup: (kernel) => {
    registerMatchingEncryption(kernel);
    setupRescreening(kernel);
    setupCaseFollowing(kernel);
    setupMatchThreads();
  },
  routes: async (app: FastifyInstance) => {
    await app.register(matchingRoutes);
  },
};
