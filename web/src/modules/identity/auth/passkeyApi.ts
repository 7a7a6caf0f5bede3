import { api, unwrap } from '../../../api/client';
import type { components } from '../../../api/schema';
import { bodyOf } from './apiBody';
import type { Passkey } from './authApi';
import { assertPasskey, createPasskey } from './webauthn';

// Passkey calls live apart from authApi.ts so that only the pages using passkeys load the WebAuthn library;
// the header (in every page's first download) needs sign-out but not this.

// The browser library types the credential's extension results as an interface, which TypeScript does not
// treat as a plain record; the JSON is the same, so it is passed through as the server's schema describes.
type RegistrationBody = components['schemas']['PasskeyRegistrationResponseInput'];
type AuthenticationBody = components['schemas']['PasskeyAuthenticationResponseInput'];

/**
 * Signs in with a passkey: alone (any passkey of this site), or as step two after the password, in which
 * case the server asks only for that person's passkeys.
 */
export async function signInWithPasskey(): Promise<void> {
  const { challengeId, options } = await bodyOf(unwrap(api.POST('/api/auth/passkey/options')));
  const response = await assertPasskey(options);
  await unwrap(
    api.POST('/api/auth/passkey/verify', {
      body: { challengeId, response: response as AuthenticationBody },
    }),
  );
}

/** Creates a passkey on this device and adds it to the account under a name the person chose. */
export async function addPasskey(name: string): Promise<Passkey> {
  const { challengeId, options } = await bodyOf(unwrap(api.POST('/api/auth/passkeys/registration-options')));
  const response = await createPasskey(options);
  return bodyOf(
    unwrap(
      api.POST('/api/auth/passkeys', {
        body: { challengeId, name, response: response as RegistrationBody },
      }),
    ),
  );
}

/** A fresh passkey check that lets this session do sensitive things for a few minutes. */
export async function stepUp(): Promise<void> {
  const { challengeId, options } = await bodyOf(unwrap(api.POST('/api/auth/step-up/options')));
  const response = await assertPasskey(options);
  await unwrap(
    api.POST('/api/auth/step-up/verify', {
      body: { challengeId, response: response as AuthenticationBody },
    }),
  );
}
