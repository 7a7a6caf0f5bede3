import type { RouteObject } from 'react-router';
import { importRoutes } from './import/routes';
import { peopleRoutes } from './people/routes';
import { searchRoutes } from './search/routes';
import { supportRoutes } from './support/routes';

/** Every directory page, for the app's router. */
export const directoryRoutes: RouteObject[] = [
  ...searchRoutes,
  ...supportRoutes,
  ...peopleRoutes,
  ...importRoutes,
];
