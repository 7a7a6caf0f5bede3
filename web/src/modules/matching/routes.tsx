import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk, so a slow connection downloads only the page being opened.
const InboxPage = lazy(() => import('./pages/InboxPage').then((m) => ({ default: m.InboxPage })));
const MatchPage = lazy(() => import('./pages/MatchPage').then((m) => ({ default: m.MatchPage })));
const SubjectsPage = lazy(() => import('./pages/SubjectsPage').then((m) => ({ default: m.SubjectsPage })));
const RegisterPage = lazy(() => import('./pages/RegisterPage').then((m) => ({ default: m.RegisterPage })));
const LookupPage = lazy(() => import('./pages/LookupPage').then((m) => ({ default: m.LookupPage })));
const AdminPage = lazy(() => import('./pages/AdminPage').then((m) => ({ default: m.AdminPage })));
const QuotasPage = lazy(() => import('./pages/QuotasPage').then((m) => ({ default: m.QuotasPage })));

/** The matches inbox, a match, registered investigations, the lookup, the organisation's settings and the platform's quotas (paths.ts). */
export const matchingRoutes: RouteObject[] = [
  { path: 'matching', element: <InboxPage /> },
  { path: 'matching/matches/:matchId', element: <MatchPage /> },
  { path: 'matching/subjects', element: <SubjectsPage /> },
  { path: 'matching/subjects/new', element: <RegisterPage /> },
  { path: 'matching/lookup', element: <LookupPage /> },
  { path: 'matching/admin', element: <AdminPage /> },
  { path: 'matching/quotas', element: <QuotasPage /> },
];
