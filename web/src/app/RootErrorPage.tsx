import { ErrorPage } from '../pages/ErrorPage';

/** The last-resort error screen, shown without the frame because the frame is what failed. */
export function RootErrorPage() {
  return (
    <main id="main" className="site-main" tabIndex={-1}>
      <ErrorPage />
    </main>
  );
}
