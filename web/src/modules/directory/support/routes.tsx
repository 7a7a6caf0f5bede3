import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk, so a slow connection downloads only the page being opened.
const FindSupportPage = lazy(() =>
  import('./pages/FindSupportPage').then((m) => ({ default: m.FindSupportPage })),
);
const SentRequestsPage = lazy(() =>
  import('./pages/SentRequestsPage').then((m) => ({ default: m.SentRequestsPage })),
);
const SupportRequestPage = lazy(() =>
  import('./pages/SupportRequestPage').then((m) => ({ default: m.SupportRequestPage })),
);
const IncomingRequestsPage = lazy(() =>
  import('./pages/IncomingRequestsPage').then((m) => ({ default: m.IncomingRequestsPage })),
);
const UnmetNeedsPage = lazy(() =>
  import('./pages/UnmetNeedsPage').then((m) => ({ default: m.UnmetNeedsPage })),
);

/**
 * The directory's support pages, for the app's router (lazy, one chunk per page). The server's emails link
 * to `/directory/support/incoming` and `/directory/support/requests/:id` (directory.support.service.ts);
 * keep them in step.
 */
export const supportRoutes: RouteObject[] = [
  { path: 'directory/support', element: <FindSupportPage /> },
  { path: 'directory/support/sent', element: <SentRequestsPage /> },
  { path: 'directory/support/incoming', element: <IncomingRequestsPage /> },
  { path: 'directory/support/requests/:id', element: <SupportRequestPage /> },
  { path: 'directory/support/unmet-needs', element: <UnmetNeedsPage /> },
];
