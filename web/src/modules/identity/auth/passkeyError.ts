// Kept apart from webauthn.ts, which loads the WebAuthn library: error handling is needed by code in every
// page's first download (the header), the library only by the pages that run passkey ceremonies.

/**
 * Why a passkey ceremony did not finish, in terms a person can act on:
 * - `cancelled`: they closed the browser's prompt, it timed out, or no passkey was chosen;
 * - `unsupported`: this browser or device cannot use passkeys;
 * - `already_registered`: this authenticator already holds a passkey for this account;
 * - `failed`: anything else (the device refused, a security check failed).
 */
export type PasskeyProblem = 'cancelled' | 'unsupported' | 'already_registered' | 'failed';

/** A passkey ceremony that ended in the browser, before anything reached the server. */
export class PasskeyError extends Error {
  override readonly name = 'PasskeyError';

  constructor(
    readonly problem: PasskeyProblem,
    options?: { cause?: unknown },
  ) {
    super(`passkey ${problem}`, options);
  }
}

/**
 * Classifies what navigator.credentials (through @simplewebauthn/browser) threw. Browsers deliberately
 * report "cancelled", "timed out" and "no matching passkey" all as NotAllowedError, so as not to reveal
 * which passkeys exist; we can only tell the person to try again.
 */
export function passkeyProblemOf(error: unknown): PasskeyProblem {
  if (error instanceof PasskeyError) return error.problem;
  if (!(error instanceof Error)) return 'failed';
  const code = (error as { code?: unknown }).code;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || error.name === 'InvalidStateError') {
    return 'already_registered';
  }
  if (
    code === 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT' ||
    code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT' ||
    error.name === 'NotSupportedError'
  ) {
    return 'unsupported';
  }
  if (code === 'ERROR_CEREMONY_ABORTED' || error.name === 'NotAllowedError' || error.name === 'AbortError') {
    return 'cancelled';
  }
  return 'failed';
}
