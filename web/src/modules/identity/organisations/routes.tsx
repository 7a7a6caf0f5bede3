import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk: someone applying never downloads the moderation or administration pages.
const ApplyPage = lazy(() => import('./pages/ApplyPage').then((m) => ({ default: m.ApplyPage })));
const MyApplicationsPage = lazy(() =>
  import('./pages/MyApplicationsPage').then((m) => ({ default: m.MyApplicationsPage })),
);
const ModerationQueuePage = lazy(() =>
  import('./pages/ModerationQueuePage').then((m) => ({ default: m.ModerationQueuePage })),
);
const ApplicationReviewPage = lazy(() =>
  import('./pages/ApplicationReviewPage').then((m) => ({ default: m.ApplicationReviewPage })),
);
const OrganisationPage = lazy(() =>
  import('./pages/OrganisationPage').then((m) => ({ default: m.OrganisationPage })),
);
const MembersPage = lazy(() => import('./pages/MembersPage').then((m) => ({ default: m.MembersPage })));
const OrganisationAuditPage = lazy(() =>
  import('./pages/OrganisationAuditPage').then((m) => ({ default: m.OrganisationAuditPage })),
);
const AcceptInvitationPage = lazy(() =>
  import('./pages/AcceptInvitationPage').then((m) => ({ default: m.AcceptInvitationPage })),
);
const PlatformPage = lazy(() => import('./pages/PlatformPage').then((m) => ({ default: m.PlatformPage })));

/**
 * The organisation pages, for the app's router. `/applications` and `/invitations/accept` are the addresses
 * the server's emails link to; keep them in step with the mail templates.
 */
export const organisationRoutes: RouteObject[] = [
  { path: 'organisations/apply', element: <ApplyPage /> },
  { path: 'applications', element: <MyApplicationsPage /> },
  { path: 'moderation', element: <ModerationQueuePage /> },
  { path: 'moderation/applications/:id', element: <ApplicationReviewPage /> },
  { path: 'organisations/:id', element: <OrganisationPage /> },
  { path: 'organisations/:id/members', element: <MembersPage /> },
  { path: 'organisations/:id/audit', element: <OrganisationAuditPage /> },
  { path: 'invitations/accept', element: <AcceptInvitationPage /> },
  { path: 'platform', element: <PlatformPage /> },
];
