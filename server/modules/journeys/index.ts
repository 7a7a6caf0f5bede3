import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { setupCaseFollowing } from './journeys.derive.js';
import { journeyImportRoutes } from './journeys.import.routes.js';
import { setupJourneyImports } from './journeys.import.service.js';
import { closePublication, setupPublication } from './journeys.publication.js';
import { journeyRoutes } from './journeys.routes.js';
import { seedJourneys } from './journeys.seed.js';
import { registerJourneyEncryption } from './journeys.service.js';
import './journeys.audit.js';

/** The journeys module: contributed routes, their moderation, and the k-anonymous map of flows. */
export const journeysModule: CairnModule = {
  name: 'journeys',
  description:
    'Routes contributed by vetted organisations (origin, transit, exploitation), moderated, and pooled into a ' +
    'map of flows and hotspots where every number describes at least k people.',
  seed: seedJourneys,
  setup: (kernel) => {
    registerJourneyEncryption(kernel);
    setupJourneyImports(kernel);
    setupCaseFollowing(kernel);
    setupPublication(kernel);
  },
  routes: async (app: FastifyInstance, kernel) => {
    // Before the database closes: the publication thread, if any, stops (a run waiting on it rolls back).
    app.addHook('onClose', () => closePublication(kernel));
    await app.register(journeyRoutes);
    await app.register(journeyImportRoutes);
  },
};
