import type { CairnModule } from '../../kernel/kernel.js';
import { systemRoutes } from './system.routes.js';

/** The system module: health and instance facts. */
export const systemModule: CairnModule = {
  name: 'system',
  description: 'Health and facts about this Cairn instance.',
  routes: systemRoutes,
};
