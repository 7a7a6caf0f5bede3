import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { ApiError } from '../../../../api/problem';
import { Button } from '../../../../ui';
import { authPaths, signInPathFor } from '../../auth/navigation';

/**
 * What a page shows when loading its data failed, in words that tell the reader what to do next: sign in,
 * finish signing in, add the required sign-in method, or try again. 404 and 403 read the same way on
 * purpose: the server does not say whether something it will not show exists.
 */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;

  if (error instanceof ApiError) {
    const code = error.problem?.code;
    if (error.status === 401) {
      return (
        <div className="notice" role="alert">
          <p>{t(code === 'second_factor_required' ? 'orgs.load.finishSignIn' : 'orgs.load.signIn')}</p>
          <p>
            <Link to={signInPathFor(here)}>{t('orgs.load.signInLink')}</Link>
          </p>
        </div>
      );
    }
    if (code === 'factor_enrolment_required') {
      return (
        <div className="notice" role="alert">
          <p>{t('orgs.load.enrol')}</p>
          <p>
            <Link to={`${authPaths.enrol}?next=${encodeURIComponent(here)}`}>{t('orgs.load.enrolLink')}</Link>
          </p>
        </div>
      );
    }
    if (error.status === 403 || error.status === 404) {
      return (
        <div className="notice notice--error" role="alert">
          <p>{t('orgs.load.notFound')}</p>
          <p>
            <Link to="/">{t('orgs.load.home')}</Link>
          </p>
        </div>
      );
    }
  }
  return (
    <div className="notice notice--error" role="alert">
      <p>
        {error instanceof ApiError && error.problem
          ? (error.problem.detail ?? error.problem.title)
          : t(error instanceof ApiError ? 'orgs.errors.server' : 'orgs.errors.network')}
      </p>
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          {t('orgs.load.retry')}
        </Button>
      )}
    </div>
  );
}

/** A message shown in place of a list with nothing in it. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="orgs-empty">{children}</div>;
}
