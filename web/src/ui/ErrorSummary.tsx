import { useEffect, useId, useRef, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';

/** One problem listed in an {@link ErrorSummary}, linking to the field it is about when there is one. */
export interface ErrorSummaryItem {
  /** The id of the control to move to; without one, the message is shown as plain text. */
  targetId?: string;
  message: string;
}

/** Props of {@link ErrorSummary}. */
export interface ErrorSummaryProps {
  items: readonly ErrorSummaryItem[];
  /** A message about the whole form rather than one field. */
  message?: string;
  title?: string;
}

/**
 * Lists what went wrong at the top of a form and takes focus when it appears, so the reader hears about
 * every problem at once and can jump to each field.
 */
export function ErrorSummary({ items, message, title }: ErrorSummaryProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const hasContent = items.length > 0 || Boolean(message);
  // A new set of problems (not a re-render with the same ones) is what should move focus here.
  const signature = JSON.stringify([message, items]);

  useEffect(() => {
    if (hasContent) ref.current?.focus();
  }, [hasContent, signature]);

  if (!hasContent) return null;

  const moveTo = (targetId: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    const target = document.getElementById(targetId);
    if (!target) return;
    // Focusing directly keeps the URL clean and works with ids that are awkward in a fragment.
    event.preventDefault();
    target.focus();
    target.scrollIntoView({ block: 'center' });
  };

  return (
    <div ref={ref} className="error-summary" tabIndex={-1} aria-labelledby={headingId}>
      <h2 id={headingId} className="error-summary__title">
        {title ?? t('ui.errorSummaryTitle')}
      </h2>
      {message && <p className="error-summary__message">{message}</p>}
      {items.length > 0 && (
        <ul className="error-summary__list">
          {items.map((item, index) =>
            item.targetId ? (
              <li key={`${item.targetId}-${index}`}>
                <a href={`#${item.targetId}`} onClick={moveTo(item.targetId)}>
                  {item.message}
                </a>
              </li>
            ) : (
              <li key={`message-${index}`}>{item.message}</li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}
