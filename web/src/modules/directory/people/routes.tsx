import type { RouteObject } from 'react-router';

/** The directory's people pages, for the app's router (lazy, one chunk per page). */
export const peopleRoutes: RouteObject[] = [];
