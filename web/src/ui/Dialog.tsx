import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { VisuallyHidden } from './VisuallyHidden';

/** Props of {@link Dialog}. */
export interface DialogProps {
  open: boolean;
  /** Called however the dialog closes: the close button, Escape, or `open` becoming false. */
  onClose: () => void;
  title: string;
  children: ReactNode;
  /** Actions, usually buttons, shown at the bottom. */
  footer?: ReactNode;
}

/**
 * A modal dialog on the native `<dialog>` element, which already traps focus, closes on Escape, makes the
 * rest of the page inert and gives focus back to where it was on close.
 */
export function Dialog({ open, onClose, title, children, footer }: DialogProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    else if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <div className="dialog__header">
        <h2 id={titleId} className="dialog__title">
          {title}
        </h2>
        <button type="button" className="dialog__close" onClick={() => ref.current?.close()}>
          <span aria-hidden="true">×</span>
          <VisuallyHidden>{t('ui.close')}</VisuallyHidden>
        </button>
      </div>
      <div className="dialog__body">{children}</div>
      {footer && <div className="dialog__footer">{footer}</div>}
    </dialog>
  );
}
