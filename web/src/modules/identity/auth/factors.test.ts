import { describe, expect, it } from 'vitest';
import { factorsFromMe } from './factors';
import type { Me } from './useMe';

function me(factors: Me['factors']): Me {
  return {
    person: { id: 'p', email: 'a@b.org', displayName: 'A', platformRole: null, language: 'en' },
    level: 'partial',
    memberships: [],
    activeMembershipId: null,
    factors,
    requiredFactor: 'passkey',
    hasRequiredFactor: true,
    abilities: { moderate: false, administerPlatform: false, administerOrganisation: false },
  };
}

describe('factorsFromMe', () => {
  it('offers each enrolled factor, passkey first', () => {
    expect(factorsFromMe(me({ passkeys: 2, totp: true, recoveryCodesLeft: 3 }))).toEqual([
      'passkey',
      'totp',
      'recovery_code',
    ]);
    expect(factorsFromMe(me({ passkeys: 0, totp: true, recoveryCodesLeft: 0 }))).toEqual(['totp']);
  });

  it('offers recovery codes only alongside a real factor', () => {
    expect(factorsFromMe(me({ passkeys: 0, totp: false, recoveryCodesLeft: 5 }))).toEqual([]);
  });
});
