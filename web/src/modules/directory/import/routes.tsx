import type { RouteObject } from 'react-router';

/** The directory's import pages, for the app's router (lazy, one chunk per page). */
export const importRoutes: RouteObject[] = [];
