import { useContext, useId, type ComponentPropsWithRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FormContext, VisuallyHidden } from '../../../../ui';

// Controls the design system does not have yet (select, text area, radio group). They follow TextField
// exactly — same label, hint, error and ARIA wiring, same Form context — so they can move into web/src/ui
// unchanged once another module needs them.

/** The ids and message that tie a field's label, hint and error together. */
export interface FieldFrame {
  id: string;
  message: string | undefined;
  hintId: string | undefined;
  errorId: string | undefined;
  describedBy: string | undefined;
}

/** The id, error and aria-describedby a field gets from its surrounding Form (or on its own). */
export function useFieldFrame(
  name: string,
  hint: string | undefined,
  error: string | undefined,
  id?: string,
): FieldFrame {
  const form = useContext(FormContext);
  const generatedId = useId();
  const fieldId = id ?? form?.fieldId(name) ?? generatedId;
  const message = error ?? form?.errors[name];
  const hintId = hint ? `${fieldId}-hint` : undefined;
  const errorId = message ? `${fieldId}-error` : undefined;
  return {
    id: fieldId,
    message,
    hintId,
    errorId,
    describedBy: [hintId, errorId].filter(Boolean).join(' ') || undefined,
  };
}

/** A field's hint and error, in that order (as TextField shows them). */
export function FieldText({ frame, hint }: { frame: FieldFrame; hint?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      {hint && (
        <p id={frame.hintId} className="field__hint">
          {hint}
        </p>
      )}
      {frame.message && (
        <p id={frame.errorId} className="field__error">
          <VisuallyHidden>{`${t('ui.errorPrefix')} `}</VisuallyHidden>
          {frame.message}
        </p>
      )}
    </>
  );
}

/** The visible "(required)" after a label; screen readers hear the control's own `required` instead. */
export function RequiredMark({ required }: { required?: boolean }) {
  const { t } = useTranslation();
  return required ? (
    <span className="field__required" aria-hidden="true">{` (${t('ui.required')})`}</span>
  ) : null;
}

/** The classes of a field's wrapper, marked invalid when it has an error. */
export const fieldClass = (message: string | undefined, className?: string) =>
  ['field', message ? 'field--invalid' : undefined, className].filter(Boolean).join(' ');

/** Props of {@link SelectField}. */
export interface SelectFieldProps extends Omit<ComponentPropsWithRef<'select'>, 'name'> {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  options: readonly { value: string; label: string }[];
  /** A first, empty choice ("Choose…"), for selects that must not preselect an answer. */
  placeholder?: string;
}

/** A labelled native select: the most dependable picker on every phone and screen reader. */
export function SelectField({
  name,
  label,
  hint,
  error,
  options,
  placeholder,
  id,
  required,
  className,
  ...rest
}: SelectFieldProps) {
  const frame = useFieldFrame(name, hint, error, id);
  return (
    <div className={fieldClass(frame.message, className)}>
      <label className="field__label" htmlFor={frame.id}>
        {label}
        <RequiredMark required={required} />
      </label>
      <FieldText frame={frame} hint={hint} />
      <select
        id={frame.id}
        name={name}
        required={required}
        aria-invalid={frame.message ? true : undefined}
        aria-describedby={frame.describedBy}
        className="field__input orgs-select"
        {...rest}
      >
        {placeholder !== undefined && <option value="">{placeholder}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Props of {@link TextAreaField}. */
export interface TextAreaFieldProps extends Omit<ComponentPropsWithRef<'textarea'>, 'name'> {
  name: string;
  label: string;
  hint?: string;
  error?: string;
}

/** A labelled multi-line text input. */
export function TextAreaField({
  name,
  label,
  hint,
  error,
  id,
  required,
  className,
  ...rest
}: TextAreaFieldProps) {
  const frame = useFieldFrame(name, hint, error, id);
  return (
    <div className={fieldClass(frame.message, className)}>
      <label className="field__label" htmlFor={frame.id}>
        {label}
        <RequiredMark required={required} />
      </label>
      <FieldText frame={frame} hint={hint} />
      <textarea
        id={frame.id}
        name={name}
        required={required}
        rows={4}
        aria-invalid={frame.message ? true : undefined}
        aria-describedby={frame.describedBy}
        className="field__input orgs-textarea"
        {...rest}
      />
    </div>
  );
}

/** One choice of a {@link RadioGroupField}. */
export interface RadioOption {
  value: string;
  label: string;
  /** A sentence under the label explaining what the choice means. */
  description?: string;
}

/** Props of {@link RadioGroupField}. */
export interface RadioGroupFieldProps {
  name: string;
  legend: string;
  hint?: string;
  error?: string;
  options: readonly RadioOption[];
  defaultValue?: string;
  required?: boolean;
}

/**
 * A fieldset of radio buttons, for a few choices that each need explaining. The error summary links to the
 * first radio, which is where keyboard focus enters the group.
 */
export function RadioGroupField({
  name,
  legend,
  hint,
  error,
  options,
  defaultValue,
  required,
}: RadioGroupFieldProps) {
  const frame = useFieldFrame(name, hint, error);
  return (
    <fieldset className={fieldClass(frame.message, 'orgs-group')} aria-describedby={frame.describedBy}>
      <legend className="field__label">
        {legend}
        <RequiredMark required={required} />
      </legend>
      <FieldText frame={frame} hint={hint} />
      <div className="orgs-choices">
        {options.map((option, index) => {
          const optionId = index === 0 ? frame.id : `${frame.id}-${option.value}`;
          const descriptionId = option.description ? `${optionId}-description` : undefined;
          return (
            <div key={option.value} className="orgs-choice">
              <input
                type="radio"
                id={optionId}
                name={name}
                value={option.value}
                defaultChecked={defaultValue === option.value}
                required={required}
                aria-describedby={descriptionId}
              />
              <div className="orgs-choice__text">
                <label htmlFor={optionId}>{option.label}</label>
                {option.description && (
                  <p id={descriptionId} className="orgs-choice__description">
                    {option.description}
                  </p>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
