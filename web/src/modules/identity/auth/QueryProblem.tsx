import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/problem';
import { Button } from '../../../ui';

/** A failed load, with the server's localised reason when there is one and a way to try again. */
export function QueryProblem({
  error,
  onRetry,
  busy,
}: {
  error: unknown;
  onRetry: () => void;
  busy?: boolean;
}) {
  const { t } = useTranslation();
  const message =
    error instanceof ApiError && error.problem
      ? (error.problem.detail ?? error.problem.title)
      : t('auth.errors.network');
  return (
    <div className="notice notice--error" role="alert">
      <p>{message}</p>
      <Button variant="secondary" busy={busy} onClick={onRetry}>
        {t('auth.errors.retry')}
      </Button>
    </div>
  );
}
