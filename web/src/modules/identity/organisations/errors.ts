import type { TFunction } from 'i18next';
import { ApiError, problemToFormErrors, type FieldErrors, type ProblemDetails } from '../../../api/problem';

/** What a form shows after a failed submission. */
export interface FormState {
  fieldErrors: FieldErrors;
  formError?: string;
}

export const noFormErrors: FormState = { fieldErrors: {} };

/**
 * Rewrites the server's field paths to the names the form's fields use: the request part is dropped
 * (`body.organisation.name` → `organisation.name`) and an item of a list counts as the list itself
 * (`body.organisation.countries.2` → `organisation.countries`), since the list is one control on screen.
 */
export function fieldNameOf(path: string): string {
  const parts = path.split('.');
  if (parts[0] === 'body' || parts[0] === 'query' || parts[0] === 'params') parts.shift();
  while (parts.length > 1 && /^\d+$/.test(parts[parts.length - 1] ?? '')) parts.pop();
  return parts.join('.');
}

/** The problem with its field paths rewritten by {@link fieldNameOf}. */
export function withFieldNames(problem: ProblemDetails): ProblemDetails {
  return problem.errors
    ? { ...problem, errors: problem.errors.map((error) => ({ ...error, path: fieldNameOf(error.path) })) }
    : problem;
}

/**
 * Turns whatever a submission threw into errors a form can show. Field errors land beside the fields the
 * form has (`fields`); anything else becomes the form's message, preferring `byCode` (a sentence that fits
 * this form, keyed by the problem's code) over the server's general one. A failure without a problem body
 * is almost always the connection, which is what low-bandwidth readers most need told plainly.
 */
export function formStateOf(error: unknown, t: TFunction, options: FormErrorOptions = {}): FormState {
  if (!(error instanceof ApiError) || !error.problem) {
    return {
      fieldErrors: {},
      formError: t(error instanceof ApiError ? 'orgs.errors.server' : 'orgs.errors.network'),
    };
  }
  const { fields = [], byCode = {}, rename = (name: string) => name } = options;
  const problem = withFieldNames(error.problem);
  const special = byCode[problem.code];
  if (special) return { fieldErrors: {}, formError: special };
  return problemToFormErrors(
    { ...problem, errors: problem.errors?.map((item) => ({ ...item, path: rename(item.path) })) },
    fields,
  );
}

/** How {@link formStateOf} places a problem on a form. */
export interface FormErrorOptions {
  /** The names of the form's fields; errors for other paths go to the form's message. */
  fields?: readonly string[];
  /** Messages that fit this form better than the server's general one, by problem code. */
  byCode?: Partial<Record<string, string>>;
  /** Maps a server field name to the form's, when the form names its fields differently. */
  rename?: (name: string) => string;
}

/** The form-level message of a failure, for actions that have no fields (remove, revoke, reinstate…). */
export function messageOf(
  error: unknown,
  t: TFunction,
  byCode: Partial<Record<string, string>> = {},
): string {
  return formStateOf(error, t, { byCode }).formError ?? t('orgs.errors.server');
}
