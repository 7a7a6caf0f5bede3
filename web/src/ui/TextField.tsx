import { useContext, useId, type ComponentPropsWithRef } from 'react';
import { useTranslation } from 'react-i18next';
import { FormContext } from './Form';
import { VisuallyHidden } from './VisuallyHidden';

/** Props of {@link TextField}: a native input's, plus its label, hint and error. */
export interface TextFieldProps extends Omit<ComponentPropsWithRef<'input'>, 'name'> {
  name: string;
  label: string;
  hint?: string;
  /** Overrides the error the surrounding Form has for this field. */
  error?: string;
}

/**
 * A labelled text input. Its hint and error are tied to it with aria-describedby and an error sets
 * aria-invalid, so screen readers say what is wrong when the field gets focus.
 */
export function TextField({ name, label, hint, error, id, required, className, ...rest }: TextFieldProps) {
  const { t } = useTranslation();
  const form = useContext(FormContext);
  const generatedId = useId();
  const inputId = id ?? form?.fieldId(name) ?? generatedId;
  const message = error ?? form?.errors[name];
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = message ? `${inputId}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;

  return (
    <div className={['field', message ? 'field--invalid' : undefined, className].filter(Boolean).join(' ')}>
      <label className="field__label" htmlFor={inputId}>
        {label}
        {/* The input's `required` already tells screen readers; this is for sighted readers. */}
        {required && <span className="field__required" aria-hidden="true">{` (${t('ui.required')})`}</span>}
      </label>
      {hint && (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      )}
      {message && (
        <p id={errorId} className="field__error">
          <VisuallyHidden>{`${t('ui.errorPrefix')} `}</VisuallyHidden>
          {message}
        </p>
      )}
      <input
        id={inputId}
        name={name}
        required={required}
        aria-invalid={message ? true : undefined}
        aria-describedby={describedBy}
        className="field__input"
        {...rest}
      />
    </div>
  );
}
