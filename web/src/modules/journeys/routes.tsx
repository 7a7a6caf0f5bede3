import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk: a visitor reading the public map never downloads the route form.
const PublicMapPage = lazy(() => import('./pages/MapPage').then((m) => ({ default: m.PublicMapPage })));
const MemberMapPage = lazy(() => import('./pages/MapPage').then((m) => ({ default: m.MemberMapPage })));
const ContributePage = lazy(() =>
  import('./pages/ContributePage').then((m) => ({ default: m.ContributePage })),
);
const EditRoutePage = lazy(() =>
  import('./pages/ContributePage').then((m) => ({ default: m.EditRoutePage })),
);
const ContributionsPage = lazy(() =>
  import('./pages/ContributionsPage').then((m) => ({ default: m.ContributionsPage })),
);
const ImportPage = lazy(() => import('./pages/ImportPage').then((m) => ({ default: m.ImportPage })));
const ModerationPage = lazy(() =>
  import('./pages/ModerationPage').then((m) => ({ default: m.ModerationPage })),
);

/** The journey map (public and member), the route form, the spreadsheet import, the organisation's contributions and moderation (paths.ts). */
export const journeyRoutes: RouteObject[] = [
  { path: 'journeys', element: <PublicMapPage /> },
  { path: 'journeys/members', element: <MemberMapPage /> },
  { path: 'journeys/contribute', element: <ContributePage /> },
  { path: 'journeys/contributions', element: <ContributionsPage /> },
  { path: 'journeys/import', element: <ImportPage /> },
  { path: 'journeys/contributions/:routeId/edit', element: <EditRoutePage /> },
  { path: 'journeys/moderation', element: <ModerationPage /> },
];
