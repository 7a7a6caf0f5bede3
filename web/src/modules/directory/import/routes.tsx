import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Only platform staff import, so the page is a chunk of its own that nobody else downloads.
const ImportPage = lazy(() => import('./ImportPage').then((m) => ({ default: m.ImportPage })));

/** The directory's import pages, for the app's router (lazy, one chunk per page). */
export const importRoutes: RouteObject[] = [{ path: 'directory/import', element: <ImportPage /> }];
