import { describe, expect, it } from 'vitest';
import { PasskeyError, passkeyProblemOf } from './passkeyError';

/** An error shaped like the DOMExceptions navigator.credentials throws (and WebAuthnError wraps). */
function browserError(name: string, code?: string): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  if (code) Object.assign(error, { code });
  return error;
}

describe('passkeyProblemOf', () => {
  it('reads a closed prompt, a timeout or an abort as cancelled', () => {
    expect(passkeyProblemOf(browserError('NotAllowedError', 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY'))).toBe(
      'cancelled',
    );
    expect(passkeyProblemOf(browserError('AbortError', 'ERROR_CEREMONY_ABORTED'))).toBe('cancelled');
  });

  it('recognises an authenticator that already holds a passkey for the account', () => {
    expect(
      passkeyProblemOf(browserError('InvalidStateError', 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED')),
    ).toBe('already_registered');
  });

  it('recognises a device that cannot do what Cairn asks (discoverable keys, user verification)', () => {
    expect(
      passkeyProblemOf(
        browserError('ConstraintError', 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT'),
      ),
    ).toBe('unsupported');
    expect(passkeyProblemOf(browserError('NotSupportedError'))).toBe('unsupported');
  });

  it('keeps an existing classification and calls anything else a failure', () => {
    expect(passkeyProblemOf(new PasskeyError('unsupported'))).toBe('unsupported');
    expect(passkeyProblemOf(browserError('SecurityError', 'ERROR_INVALID_DOMAIN'))).toBe('failed');
    expect(passkeyProblemOf('nope')).toBe('failed');
  });
});
