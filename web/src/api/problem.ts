/** One invalid field reported by the server, with a message already in the reader's language. */
export interface ProblemFieldError {
  path: string;
  code: string;
  message: string;
}

/** An error body from the server: RFC 9457 problem details, extended with Cairn's code and request id. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: ProblemFieldError[];
}

/** Field name (the server's path) to the first message reported for it. */
export type FieldErrors = Record<string, string>;

/** Whether a value has the shape of Cairn's problem+json body. */
export function isProblemDetails(value: unknown): value is ProblemDetails {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.title === 'string' &&
    typeof candidate.status === 'number' &&
    typeof candidate.code === 'string' &&
    (candidate.errors === undefined || Array.isArray(candidate.errors))
  );
}

/** A failed API call: the HTTP status and, when the server sent one, its problem details. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly problem: ProblemDetails | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }

  /** True for errors the caller caused (4xx): repeating the same request will not help. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

/** What a form needs from a problem: one message per field, and a message for the form as a whole. */
export interface FormProblem {
  fieldErrors: FieldErrors;
  /** Present when the problem is not (only) about fields the form shows. */
  formError?: string;
}

/**
 * Splits a problem into field errors for a Form. Errors whose path is not one of `fields` (when given) or is
 * empty are folded into the form-level message, so nothing the server said is silently dropped.
 */
export function problemToFormErrors(problem: ProblemDetails, fields?: readonly string[]): FormProblem {
  const fieldErrors: FieldErrors = {};
  const unplaced: string[] = [];
  for (const error of problem.errors ?? []) {
    const known = error.path !== '' && (fields === undefined || fields.includes(error.path));
    if (!known) unplaced.push(error.message);
    else fieldErrors[error.path] ??= error.message;
  }
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  if (hasFieldErrors && unplaced.length === 0) return { fieldErrors };
  const formError = unplaced.length > 0 ? unplaced.join(' ') : (problem.detail ?? problem.title);
  return { fieldErrors, formError };
}
