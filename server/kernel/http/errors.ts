/**
 * The closed list of error codes Cairn's API can return. Clients may rely on `code`; the title and detail
 * are localised for people. Adding a code means adding its messages in every locale (a test checks).
 */
export const errorStatus = {
  validation_failed: 400,
  bad_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  second_factor_required: 401,
  forbidden: 403,
  factor_enrolment_required: 403,
  step_up_required: 403,
  csrf_rejected: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  idempotency_key_in_progress: 409,
  /** Two organisations that never worked together: the sender must confirm after seeing both tiers. */
  new_partner_unconfirmed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

/** One invalid field: where (e.g. `body.email`), a stable code, and the interpolation values for its message. */
export interface FieldIssue {
  path: string;
  code: string;
  params?: Record<string, string | number>;
}

/**
 * The one error type of Cairn. Throw it from anywhere; the HTTP layer turns it into problem+json.
 * `params` fill the localised detail message; they must never contain survivor data.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly options: {
      params?: Record<string, string | number>;
      fields?: FieldIssue[];
      /**
       * RFC 9457 extension members: machine-readable facts a client acts on (e.g. both organisations' tiers
       * for `new_partner_unconfirmed`). SECURITY: never survivor data, never a person's name.
       */
      extensions?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}
