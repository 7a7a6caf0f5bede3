import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk, so a slow connection downloads only the page being opened.
const DashboardPage = lazy(() => import('./pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const CaseListPage = lazy(() => import('./pages/CaseListPage').then((m) => ({ default: m.CaseListPage })));
const IntakePage = lazy(() => import('./pages/IntakePage').then((m) => ({ default: m.IntakePage })));
const CaseFilePage = lazy(() => import('./pages/CaseFilePage').then((m) => ({ default: m.CaseFilePage })));
const CaseHistoryPage = lazy(() =>
  import('./pages/CaseHistoryPage').then((m) => ({ default: m.CaseHistoryPage })),
);
const StatisticsPage = lazy(() =>
  import('./pages/StatisticsPage').then((m) => ({ default: m.StatisticsPage })),
);

/**
 * The case pages, for the app's router (lazy, one chunk per page). The server's emails link to
 * `/cases/:caseId` (follow-up reminders) and `/cases/:caseId/history` (break-glass alerts), in
 * server/modules/cases/cases.notifications.ts; keep them in step. Fixed paths win over `:caseId`.
 */
export const caseRoutes: RouteObject[] = [
  { path: 'cases', element: <DashboardPage /> },
  { path: 'cases/list', element: <CaseListPage /> },
  { path: 'cases/new', element: <IntakePage /> },
  { path: 'cases/statistics', element: <StatisticsPage /> },
  { path: 'cases/:caseId', element: <CaseFilePage /> },
  { path: 'cases/:caseId/history', element: <CaseHistoryPage /> },
];
