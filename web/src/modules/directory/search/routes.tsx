import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk: a visitor searching never downloads the profile editor.
const SearchPage = lazy(() => import('./SearchPage').then((m) => ({ default: m.SearchPage })));
const ProfilePage = lazy(() => import('../profile/ProfilePage').then((m) => ({ default: m.ProfilePage })));
const ProfileEditPage = lazy(() =>
  import('../profile/ProfileEditPage').then((m) => ({ default: m.ProfileEditPage })),
);

/** The directory's search, profile and profile-editor pages, for the app's router (lazy, one chunk per page). */
export const searchRoutes: RouteObject[] = [
  { path: 'directory', element: <SearchPage /> },
  { path: 'directory/organisations/:organisationId', element: <ProfilePage /> },
  { path: 'directory/organisations/:organisationId/edit', element: <ProfileEditPage /> },
];
