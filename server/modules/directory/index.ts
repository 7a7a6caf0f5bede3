import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { importRoutes } from './directory.import.routes.js';
import { peopleRoutes } from './directory.people.routes.js';
import { profileRoutes } from './directory.profiles.routes.js';
import { searchRoutes } from './directory.search.routes.js';
import { supportRoutes } from './directory.support.routes.js';
import './directory.audit.js';

/** The directory module: organisation profiles, people, search and the map, find support, import and export. */
export const directoryModule: CairnModule = {
  name: 'directory',
  description:
    'Organisation and professional profiles, search and the map, find support for a case, import and export.',
  routes: async (app: FastifyInstance) => {
    await app.register(profileRoutes);
    await app.register(searchRoutes);
    await app.register(supportRoutes);
    await app.register(peopleRoutes);
    await app.register(importRoutes);
  },
};

export { rebuildSearchEntries } from './directory.profiles.service.js';
