import { ApiError, problemToFormErrors, type FieldErrors, type FormProblem } from '../../../api/problem';
import { PasskeyError, type PasskeyProblem } from './passkeyError';

/** A translator, as react-i18next's `t` (kept minimal so these helpers are easy to test). */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** The messages a failed action can show: at most one per field, and one for the form as a whole. */
export interface ActionErrors {
  fieldErrors: FieldErrors;
  formError?: string;
}

export const noErrors: ActionErrors = { fieldErrors: {} };

/** The i18n key explaining each passkey problem. */
export const passkeyProblemKeys: Record<PasskeyProblem, string> = {
  cancelled: 'auth.passkey.cancelled',
  unsupported: 'auth.passkey.unsupported',
  already_registered: 'auth.passkey.alreadyRegistered',
  failed: 'auth.passkey.failed',
};

/**
 * Turns whatever an action threw into messages for a form. The server reports request-body fields as
 * `body.<name>`; forms name their fields without the prefix, so it is removed before matching. Errors about
 * other fields, problems without fields, passkey failures and network failures become the form's message.
 */
export function actionErrorsOf(error: unknown, fields: readonly string[], t: Translate): FormProblem {
  if (error instanceof PasskeyError)
    return { fieldErrors: {}, formError: t(passkeyProblemKeys[error.problem]) };
  if (error instanceof ApiError && error.problem) {
    const problem = {
      ...error.problem,
      errors: error.problem.errors?.map((item) => ({ ...item, path: item.path.replace(/^body\./, '') })),
    };
    return problemToFormErrors(problem, fields);
  }
  if (error instanceof ApiError) return { fieldErrors: {}, formError: t('auth.errors.server') };
  return { fieldErrors: {}, formError: t('auth.errors.network') };
}

/** Whether an error is the server's answer with this problem code (e.g. `step_up_required`). */
export function hasProblemCode(error: unknown, code: string): error is ApiError {
  return error instanceof ApiError && error.problem?.code === code;
}

/**
 * Checks that required fields are filled in before anything is sent: an empty form should not cost a round
 * trip on a slow connection. Returns a message per empty field (the key comes from `messages`).
 */
export function missingFields(
  data: FormData,
  messages: Readonly<Record<string, string>>,
  t: Translate,
): FieldErrors {
  const errors: Record<string, string> = {};
  for (const [name, key] of Object.entries(messages)) {
    const value = data.get(name);
    if (typeof value !== 'string' || value.trim() === '') errors[name] = t(key);
  }
  return errors;
}

/** A form field's text value ('' when absent). */
export function textOf(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}
