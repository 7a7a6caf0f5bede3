import { lazy } from 'react';
import type { RouteObject } from 'react-router';

// Each page is its own chunk, so a slow connection downloads only the page being opened.
const ReferralListPage = lazy(() =>
  import('./pages/ReferralListPage').then((m) => ({ default: m.ReferralListPage })),
);
const NewReferralPage = lazy(() =>
  import('./pages/NewReferralPage').then((m) => ({ default: m.NewReferralPage })),
);
const EditReferralPage = lazy(() =>
  import('./pages/NewReferralPage').then((m) => ({ default: m.EditReferralPage })),
);
const ReferralPage = lazy(() => import('./pages/ReferralPage').then((m) => ({ default: m.ReferralPage })));
const ReferralStatisticsPage = lazy(() =>
  import('./pages/StatisticsPage').then((m) => ({ default: m.ReferralStatisticsPage })),
);
const PlatformStatisticsPage = lazy(() =>
  import('./pages/StatisticsPage').then((m) => ({ default: m.PlatformReferralStatisticsPage })),
);
const NewTransferPage = lazy(() =>
  import('./pages/TransferPages').then((m) => ({ default: m.NewTransferPage })),
);
const TransferPage = lazy(() => import('./pages/TransferPages').then((m) => ({ default: m.TransferPage })));
const ThreadPage = lazy(() => import('./pages/ThreadPage').then((m) => ({ default: m.ThreadPage })));

/**
 * The referral, transfer and message pages. The server's thread subjects link to `/referrals/:id` and
 * `/transfers/:id` (referrals.access.ts, referrals.transfers.access.ts), its emails to `/threads/:id`; keep
 * them in step (paths.ts). Fixed paths win over `:id`.
 */
export const referralRoutes: RouteObject[] = [
  { path: 'referrals', element: <ReferralListPage /> },
  { path: 'referrals/new', element: <NewReferralPage /> },
  { path: 'referrals/statistics', element: <ReferralStatisticsPage /> },
  { path: 'referrals/platform-statistics', element: <PlatformStatisticsPage /> },
  { path: 'referrals/:referralId', element: <ReferralPage /> },
  { path: 'referrals/:referralId/edit', element: <EditReferralPage /> },
  { path: 'transfers/new', element: <NewTransferPage /> },
  { path: 'transfers/:transferId', element: <TransferPage /> },
  { path: 'threads/:threadId', element: <ThreadPage /> },
];
