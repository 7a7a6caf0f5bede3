import type { FastifyInstance } from 'fastify';
import type { CairnModule } from '../../kernel/kernel.js';
import { profileRoutes } from './directory.profiles.routes.js';
import './directory.audit.js';

/** The directory module: organisation profiles, people, search and the map, find support, import and export. */
export const directoryModule: CairnModule = {
  name: 'directory',
  description:
    'Organisation and professional profiles, search and the map, find support for a case, import and export.',
  routes: async (app: FastifyInstance) => {
    await app.register(profileRoutes);
  },
};

export { rebuildSearchEntries } from './directory.profiles.service.js';
