import {
  createContext,
  useCallback,
  useId,
  useMemo,
  type ComponentPropsWithRef,
  type FormEvent,
} from 'react';
import { ErrorSummary } from './ErrorSummary';

/** Field name to the message shown beside that field. */
export type FormFieldErrors = Readonly<Record<string, string>>;

/** What a {@link Form} shares with the fields inside it. */
export interface FormContextValue {
  errors: FormFieldErrors;
  /** The id a field with this name gets, so the error summary can link to it. */
  fieldId: (name: string) => string;
}

/** Set by {@link Form}; fields outside a form get `null` and manage their own id and error. */
export const FormContext = createContext<FormContextValue | null>(null);

/** Props of {@link Form}: a native form's, with errors to show and a submit handler that gets the data. */
export interface FormProps extends Omit<ComponentPropsWithRef<'form'>, 'onSubmit'> {
  /** Errors by field name, shown inline and in the summary. */
  errors?: FormFieldErrors;
  /** An error about the whole form, shown in the summary. */
  formError?: string;
  onSubmit: (data: FormData, event: FormEvent<HTMLFormElement>) => void;
}

const noErrors: FormFieldErrors = {};

/**
 * A form that validates on the server's terms: the browser's own bubbles are off (they are not localised
 * by Cairn and vanish too fast), and errors appear both in a summary and beside each field.
 */
export function Form({ errors = noErrors, formError, onSubmit, children, ...rest }: FormProps) {
  const prefix = useId();
  const fieldId = useCallback((name: string) => `${prefix}-${name}`, [prefix]);
  const context = useMemo(() => ({ errors, fieldId }), [errors, fieldId]);
  const items = Object.entries(errors).map(([name, message]) => ({ targetId: fieldId(name), message }));

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(new FormData(event.currentTarget), event);
  };

  return (
    <FormContext value={context}>
      <form noValidate onSubmit={handleSubmit} {...rest}>
        <ErrorSummary items={items} message={formError} />
        {children}
      </form>
    </FormContext>
  );
}
