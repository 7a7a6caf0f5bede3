import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageHeading } from '../ui';

/** Shown for any address the app does not know. */
export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <PageHeading>{t('notFound.title')}</PageHeading>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </div>
  );
}
