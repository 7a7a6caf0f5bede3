import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { ErrorPage } from '../pages/ErrorPage';
import { caseRoutes } from '../modules/cases/routes';
import { directoryRoutes } from '../modules/directory/routes';
import { organisationRoutes } from '../modules/identity/organisations/routes';
import { journeyRoutes } from '../modules/journeys/routes';
import { matchingRoutes } from '../modules/matching/routes';
import { referralRoutes } from '../modules/referrals/routes';
import { NotFoundPage } from '../pages/NotFoundPage';
import { AppFrame } from './AppFrame';
import { RootErrorPage } from './RootErrorPage';

// Each page is its own chunk so the first load carries only the frame. The error and not-found pages stay
// in the main bundle: they must render even when the connection drops and a page chunk cannot be fetched.
const HomePage = lazy(() => import('../pages/HomePage').then((module) => ({ default: module.HomePage })));
const StatusPage = lazy(() =>
  import('../pages/StatusPage').then((module) => ({ default: module.StatusPage })),
);
// Sign-in and account pages (web/src/modules/identity/auth), one chunk each.
const SignInPage = lazy(() =>
  import('../modules/identity/auth/pages/SignInPage').then((module) => ({ default: module.SignInPage })),
);
const ForgotPasswordPage = lazy(() =>
  import('../modules/identity/auth/pages/ForgotPasswordPage').then((module) => ({
    default: module.ForgotPasswordPage,
  })),
);
const ResetPasswordPage = lazy(() =>
  import('../modules/identity/auth/pages/ResetPasswordPage').then((module) => ({
    default: module.ResetPasswordPage,
  })),
);
const SecurityPage = lazy(() =>
  import('../modules/identity/auth/pages/SecurityPage').then((module) => ({ default: module.SecurityPage })),
);
const SessionsPage = lazy(() =>
  import('../modules/identity/auth/pages/SessionsPage').then((module) => ({ default: module.SessionsPage })),
);
const EnrolPage = lazy(() =>
  import('../modules/identity/auth/pages/EnrolPage').then((module) => ({ default: module.EnrolPage })),
);

/** Builds the browser router with every route of the app. */
export function createAppRouter() {
  return createBrowserRouter([
    {
      path: '/',
      element: <AppFrame />,
      // Only used if the frame itself fails; page errors are caught below, inside the frame.
      errorElement: <RootErrorPage />,
      children: [
        {
          errorElement: <ErrorPage />,
          children: [
            { index: true, element: <HomePage /> },
            { path: 'status', element: <StatusPage /> },
            // Paths are spelled in web/src/modules/identity/auth/navigation.ts (authPaths); emails link to them.
            { path: 'sign-in', element: <SignInPage /> },
            { path: 'forgot-password', element: <ForgotPasswordPage /> },
            { path: 'reset-password', element: <ResetPasswordPage /> },
            { path: 'account/security', element: <SecurityPage /> },
            { path: 'account/sessions', element: <SessionsPage /> },
            { path: 'account/add-passkey', element: <EnrolPage /> },
            // Organisations: applying, vetting, members, audit, platform (lazy, one chunk per page).
            ...organisationRoutes,
            // The directory: search, map, profiles, find support, people, import (web/src/modules/directory).
            ...directoryRoutes,
            // Case files on HTCDS: dashboard, list, intake, case file, history, statistics (web/src/modules/cases).
            ...caseRoutes,
            // Referrals, transfers and message threads (web/src/modules/referrals).
            ...referralRoutes,
            // The journey map (public and member), contributed routes and their moderation (web/src/modules/journeys).
            ...journeyRoutes,
            // Overlap detection: the matches inbox, registered investigations, lookups, settings (web/src/modules/matching).
            ...matchingRoutes,
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ]);
}
