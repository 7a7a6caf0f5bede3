import { api, unwrap } from '../../../api/client';
import { ApiError } from '../../../api/problem';
import type { components } from '../../../api/schema';
import { bodyOf } from './apiBody';
import type { Me } from './useMe';

/** Cache keys of this area's lists (the signed-in person's is `meQueryKey` in useMe.ts). */
export const authQueryKeys = {
  passkeys: ['auth', 'passkeys'],
  sessions: ['auth', 'sessions'],
} as const;

/** What the password step answers: signed in, or which second factors can finish the sign-in. */
export type SignInResult = components['schemas']['SignInResult'];

/** A second factor that can finish a sign-in. */
export type FactorKind = SignInResult['factors'][number];

/** One of the person's passkeys as the server lists it. */
export type Passkey = components['schemas']['Passkey'];

/** One of the person's signed-in sessions. */
export type Session = components['schemas']['Session'];

/** A new, unconfirmed authenticator-app secret. */
export type TotpSetup = components['schemas']['TotpSetup'];

/** Step one: email and password. */
export function signInWithPassword(email: string, password: string): Promise<SignInResult> {
  return bodyOf(unwrap(api.POST('/api/auth/sign-in', { body: { email, password } })));
}

/** Step two with an authenticator-app code. */
export async function signInWithTotp(code: string): Promise<void> {
  await unwrap(api.POST('/api/auth/sign-in/totp', { body: { code } }));
}

/** Step two with a recovery code; answers how many unused codes are left. */
export async function signInWithRecoveryCode(code: string): Promise<number | undefined> {
  const result = await bodyOf(unwrap(api.POST('/api/auth/sign-in/recovery-code', { body: { code } })));
  return result.recoveryCodesLeft;
}

/** Ends this session. Already signed out (401) counts as done: the goal is reached either way. */
export async function signOut(): Promise<void> {
  try {
    await unwrap(api.POST('/api/auth/sign-out'));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
}

/** Chooses the organisation this session acts for; answers the updated person. */
export function setActiveMembership(membershipId: string): Promise<Me> {
  return bodyOf(unwrap(api.PUT('/api/auth/active-membership', { body: { membershipId } })));
}

/** The person's passkeys, oldest first. */
export function listPasskeys(signal?: AbortSignal): Promise<Passkey[]> {
  return bodyOf(unwrap(api.GET('/api/auth/passkeys', { signal })));
}

/** Removes a passkey (the server asks for a recent step-up first). */
export async function removePasskey(passkeyId: string): Promise<void> {
  await unwrap(api.DELETE('/api/auth/passkeys/{passkeyId}', { params: { path: { passkeyId } } }));
}

/** Starts adding an authenticator app: a new secret, not yet in force. */
export function setupTotp(): Promise<TotpSetup> {
  return bodyOf(unwrap(api.POST('/api/auth/totp/setup')));
}

/** Puts the authenticator app in force with a first code from it. */
export async function confirmTotp(code: string): Promise<void> {
  await unwrap(api.POST('/api/auth/totp/confirm', { body: { code } }));
}

/** Removes the authenticator app: with a passkey after a step-up, otherwise with the current password. */
export async function removeTotp(currentPassword?: string): Promise<void> {
  await unwrap(api.DELETE('/api/auth/totp', { body: currentPassword ? { currentPassword } : {} }));
}

/** Ten new recovery codes, shown once; earlier codes stop working. */
export async function generateRecoveryCodes(): Promise<string[]> {
  return (await bodyOf(unwrap(api.POST('/api/auth/recovery-codes')))).codes;
}

/** The person's live sessions, most recently active first. */
export function listSessions(signal?: AbortSignal): Promise<Session[]> {
  return bodyOf(unwrap(api.GET('/api/auth/sessions', { signal })));
}

/** Signs out one of the person's other sessions. */
export async function revokeSession(sessionId: string): Promise<void> {
  await unwrap(api.DELETE('/api/auth/sessions/{sessionId}', { params: { path: { sessionId } } }));
}

/** Signs out every session of the person but this one. */
export async function revokeOtherSessions(): Promise<void> {
  await unwrap(api.POST('/api/auth/sessions/revoke-others'));
}

/** Changes the password; the server also ends the person's other sessions. */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  await unwrap(api.POST('/api/auth/password', { body: { currentPassword, newPassword } }));
}

/** Asks for a reset link by email; the answer is the same whether or not the account exists. */
export async function requestPasswordReset(email: string): Promise<void> {
  await unwrap(api.POST('/api/auth/password-reset', { body: { email } }));
}

/** Sets a new password with the token of a reset link; every session of the person ends. */
export async function completePasswordReset(token: string, newPassword: string): Promise<void> {
  await unwrap(api.POST('/api/auth/password-reset/complete', { body: { token, newPassword } }));
}
