import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';
import { ErrorPage } from '../pages/ErrorPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { AppFrame } from './AppFrame';
import { RootErrorPage } from './RootErrorPage';

// Each page is its own chunk so the first load carries only the frame. The error and not-found pages stay
// in the main bundle: they must render even when the connection drops and a page chunk cannot be fetched.
const HomePage = lazy(() => import('../pages/HomePage').then((module) => ({ default: module.HomePage })));
const StatusPage = lazy(() =>
  import('../pages/StatusPage').then((module) => ({ default: module.StatusPage })),
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
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ]);
}
