import type { RouteObject } from 'react-router';

/** The directory's support pages, for the app's router (lazy, one chunk per page). */
export const supportRoutes: RouteObject[] = [];
