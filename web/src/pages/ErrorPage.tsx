import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { Button, PageHeading } from '../ui';
import { NotFoundPage } from './NotFoundPage';

/** What the router shows when a page throws or cannot be loaded (often a page chunk on a dropped connection). */
export function ErrorPage() {
  const { t } = useTranslation();
  const error = useRouteError();

  useEffect(() => {
    console.error(error);
  }, [error]);

  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;

  return (
    <div className="page page--narrow">
      <PageHeading>{t('error.title')}</PageHeading>
      <p>{t('error.body')}</p>
      <div className="actions">
        {/* A full reload also fetches page code again, which is what a failed chunk download needs. */}
        <Button onClick={() => window.location.reload()}>{t('error.retry')}</Button>
        <Link to="/" reloadDocument className="button button--secondary">
          {t('error.home')}
        </Link>
      </div>
    </div>
  );
}
