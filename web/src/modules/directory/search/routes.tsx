import type { RouteObject } from 'react-router';

/** The directory's search pages, for the app's router (lazy, one chunk per page). */
export const searchRoutes: RouteObject[] = [];
