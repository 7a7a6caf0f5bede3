import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk, so a slow connection downloads only the page being opened.
const PeopleSearchPage = lazy(() =>
  import('./pages/PeopleSearchPage').then((m) => ({ default: m.PeopleSearchPage })),
);
const PersonPage = lazy(() => import('./pages/PersonPage').then((m) => ({ default: m.PersonPage })));
const MyProfilePage = lazy(() => import('./pages/MyProfilePage').then((m) => ({ default: m.MyProfilePage })));
const MessagesPage = lazy(() => import('./pages/MessagesPage').then((m) => ({ default: m.MessagesPage })));

/**
 * The directory's people pages, for the app's router. `/directory/messages` is the address the server's
 * "you have a message" email links to (directory.people.service.ts); keep them in step.
 */
export const peopleRoutes: RouteObject[] = [
  { path: 'directory/people', element: <PeopleSearchPage /> },
  { path: 'directory/people/:personId', element: <PersonPage /> },
  { path: 'directory/my-profile', element: <MyProfilePage /> },
  { path: 'directory/messages', element: <MessagesPage /> },
];
