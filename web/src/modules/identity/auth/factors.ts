import type { FactorKind } from './authApi';
import type { Me } from './useMe';

/**
 * The second factors a half-signed-in person can finish with, read from what they have enrolled (used after
 * a reload, when the password step's answer is gone). Recovery codes stand in for a real factor, so they
 * count only alongside one, as on the server.
 */
export function factorsFromMe(me: Me): FactorKind[] {
  const factors: FactorKind[] = [];
  if (me.factors.passkeys > 0) factors.push('passkey');
  if (me.factors.totp) factors.push('totp');
  if (factors.length > 0 && me.factors.recoveryCodesLeft > 0) factors.push('recovery_code');
  return factors;
}
