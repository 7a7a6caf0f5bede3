import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { constantTimeEqual, hashToken } from '../../kernel/crypto/crypto.js';

/**
 * The glue between Cairn and @simplewebauthn/server: one place that fixes how Cairn speaks WebAuthn, so every
 * ceremony (registration, sign-in, step-up) asks for the same things and verifies them the same way.
 */

/** Cairn's relying party: derived from the public URL, so passkeys are bound to exactly this origin. */
export interface RelyingParty {
  rpID: string;
  origin: string;
  rpName: string;
}

/** The relying party of an installation served at `publicUrl`. */
export function relyingPartyOf(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: 'Cairn' };
}

// EdDSA, ES256, RS256: what passkey providers use today. Fixed (not the library's runtime-dependent default)
// so the options we offer and the algorithms we accept at verification can never drift apart.
const supportedAlgorithmIDs = [-8, -7, -257];

const timeoutMs = 5 * 60 * 1000;

/** A credential as Cairn stores it (base64url id and COSE public key). */
export interface StoredCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

/** The WebAuthn user handle of a person: the 16 bytes of their id (no email or name, which could change). */
export function userHandleOf(personId: string): string {
  return Buffer.from(personId.replace(/-/g, ''), 'hex').toString('base64url');
}

/**
 * Checks a challenge echoed by the client against the stored hash. SECURITY: only the challenge's hash is
 * stored (like session tokens), and the comparison takes the same time wherever the strings differ.
 */
function challengeMatcher(challengeHash: string): (challenge: string) => boolean {
  return (challenge) => constantTimeEqual(hashToken(challenge), challengeHash);
}

/** Options for navigator.credentials.create(): a discoverable credential with user verification required. */
export async function registrationOptions(
  rp: RelyingParty,
  person: { id: string; email: string; displayName: string },
  existing: StoredCredential[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userID: new Uint8Array(Buffer.from(userHandleOf(person.id), 'base64url')),
    userName: person.email,
    userDisplayName: person.displayName,
    timeout: timeoutMs,
    attestationType: 'none',
    // The same authenticator cannot be registered twice for one person.
    excludeCredentials: existing.map((credential) => ({
      id: credential.credentialId,
      transports: credential.transports,
    })),
    // residentKey 'required' makes passkey-only sign-in possible; UV 'required' makes a passkey two factors.
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs,
  });
}

/** What a verified registration yields, ready to store. */
export interface NewCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  backedUp: boolean;
}

/**
 * Verifies a registration response against the stored challenge hash, origin and RP ID, requiring user
 * verification. Returns null when anything fails. SECURITY: the library's error messages quote the
 * challenge and the client's data, so they are swallowed here and never logged.
 */
export async function verifyRegistration(
  rp: RelyingParty,
  challengeHash: string,
  response: RegistrationResponseJSON,
): Promise<NewCredential | null> {
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challengeMatcher(challengeHash),
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserPresence: true,
      requireUserVerification: true,
      supportedAlgorithmIDs,
    });
    if (!result.verified) return null;
    const { credential, credentialBackedUp } = result.registrationInfo;
    return {
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? response.response.transports ?? [],
      backedUp: credentialBackedUp,
    };
  } catch {
    return null;
  }
}

/**
 * Options for navigator.credentials.get(). Without `allow`, any discoverable credential of this site may
 * answer (passkey-only sign-in); with it, only those credentials (second factor, step-up).
 */
export async function authenticationOptions(
  rp: RelyingParty,
  allow: StoredCredential[] | null,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    timeout: timeoutMs,
    userVerification: 'required',
    allowCredentials: allow?.map((credential) => ({
      id: credential.credentialId,
      transports: credential.transports,
    })),
  });
}

/** What a verified assertion yields: the counter and backup state to store. */
export interface VerifiedAssertion {
  newCounter: number;
  backedUp: boolean;
}

/**
 * Verifies an assertion by a stored credential: challenge, origin, RP ID, user presence and verification,
 * signature, and the signature counter (a counter that did not grow means a cloned authenticator). Returns
 * null when anything fails; SECURITY: errors are swallowed, never logged (they quote client data).
 */
export async function verifyAssertion(
  rp: RelyingParty,
  challengeHash: string,
  response: AuthenticationResponseJSON,
  credential: StoredCredential,
): Promise<VerifiedAssertion | null> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challengeMatcher(challengeHash),
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      expectedType: 'webauthn.get',
      requireUserVerification: true,
      credential: {
        id: credential.credentialId,
        publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
        counter: credential.counter,
        transports: credential.transports,
      },
    });
    if (!result.verified) return null;
    return {
      newCounter: result.authenticationInfo.newCounter,
      backedUp: result.authenticationInfo.credentialBackedUp,
    };
  } catch {
    return null;
  }
}
