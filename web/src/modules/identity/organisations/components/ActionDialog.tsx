import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Dialog, Form, type ButtonVariant } from '../../../../ui';
import type { FormState } from '../errors';

/** Props of {@link ActionDialog}. */
export interface ActionDialogProps {
  open: boolean;
  onClose: () => void;
  title: string;
  /** What will happen, and the fields the action needs (if any). */
  children: ReactNode;
  confirmLabel: string;
  /** `danger` for actions that cannot be undone or that lock people out. */
  variant?: ButtonVariant;
  busy: boolean;
  errors: FormState;
  onConfirm: (data: FormData) => void;
}

/**
 * A confirmation dialog around a small form: the action happens only when its button is pressed, its
 * fields' errors show inline and in a summary inside the dialog, and Cancel (or Escape) changes nothing.
 */
export function ActionDialog({
  open,
  onClose,
  title,
  children,
  confirmLabel,
  variant = 'primary',
  busy,
  errors,
  onConfirm,
}: ActionDialogProps) {
  const { t } = useTranslation();
  const formId = useId();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('orgs.actions.cancel')}
          </Button>
          <Button type="submit" form={formId} variant={variant} busy={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {/* Mounted only while open, so each opening starts with empty fields and no old errors. */}
      {open && (
        <Form
          id={formId}
          errors={errors.fieldErrors}
          formError={errors.formError}
          onSubmit={(data) => onConfirm(data)}
        >
          {children}
        </Form>
      )}
    </Dialog>
  );
}
