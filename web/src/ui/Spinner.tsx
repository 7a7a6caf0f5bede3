import { useTranslation } from 'react-i18next';

/** A purely decorative spinning ring; pair it with text, since it is hidden from assistive technology. */
export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

/** A polite "loading" status message with a spinner, for content that is on its way. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status">
      <Spinner />
      <span>{label ?? t('ui.loading')}</span>
    </div>
  );
}
