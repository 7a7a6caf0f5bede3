import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type { components } from '../../../api/schema';
import { PasskeyError, passkeyProblemOf } from './passkeyError';

/** Whether this browser can use passkeys at all (false on old browsers and non-secure pages). */
export function passkeysSupported(): boolean {
  return browserSupportsWebAuthn();
}

// The server builds these options with @simplewebauthn/server; its OpenAPI schema describes the enums
// (residentKey, userVerification, transports…) as plain strings, so the casts below only narrow the types
// back to what the library produced. The browser validates the values itself.
type CreationOptions = components['schemas']['PasskeyCreationOptions'];
type RequestOptions = components['schemas']['PasskeyRequestOptions'];

/** Asks the browser to create a passkey; throws {@link PasskeyError} if the person or device does not. */
export async function createPasskey(options: CreationOptions): Promise<RegistrationResponseJSON> {
  if (!passkeysSupported()) throw new PasskeyError('unsupported');
  try {
    return await startRegistration({ optionsJSON: options as PublicKeyCredentialCreationOptionsJSON });
  } catch (error) {
    throw new PasskeyError(passkeyProblemOf(error), { cause: error });
  }
}

/** Asks the browser to sign a challenge with a passkey; throws {@link PasskeyError} on failure. */
export async function assertPasskey(options: RequestOptions): Promise<AuthenticationResponseJSON> {
  if (!passkeysSupported()) throw new PasskeyError('unsupported');
  try {
    return await startAuthentication({ optionsJSON: options as PublicKeyCredentialRequestOptionsJSON });
  } catch (error) {
    throw new PasskeyError(passkeyProblemOf(error), { cause: error });
  }
}
