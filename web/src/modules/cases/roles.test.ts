import { describe, expect, it } from 'vitest';
import type { Me } from '../identity/auth/useMe';
import { filtersOf } from './list-filters';
import { caseRolesOf } from './roles';

const me = (role: Me['memberships'][number]['role'], overrides: Partial<Me> = {}): Me => ({
  person: { id: 'p', email: 'a@example.org', displayName: 'A', platformRole: null, language: 'en' },
  level: 'full',
  memberships: [
    {
      id: 'm',
      role,
      organisation: { id: 'o', name: 'O', type: 'ngo', status: 'active', tier: 'verified' },
    },
  ],
  activeMembershipId: 'm',
  factors: { passkeys: 1, totp: false, recoveryCodesLeft: 0 },
  requiredFactor: 'passkey',
  hasRequiredFactor: true,
  abilities: { moderate: false, administerPlatform: false, administerOrganisation: false },
  ...overrides,
});

describe('caseRolesOf', () => {
  it('follows the server’s route policies: case staff, supervisors, statistics', () => {
    expect(caseRolesOf(me('caseworker'))).toEqual({ caseStaff: true, supervisor: false, statistics: false });
    expect(caseRolesOf(me('case_supervisor'))).toEqual({
      caseStaff: true,
      supervisor: true,
      statistics: true,
    });
    expect(caseRolesOf(me('analyst'))).toEqual({ caseStaff: false, supervisor: false, statistics: true });
    expect(caseRolesOf(me('org_admin')).caseStaff).toBe(false);
  });

  it('gives nothing before the sign-in is complete, without the required factor, or for a suspended organisation', () => {
    const none = { caseStaff: false, supervisor: false, statistics: false };
    expect(caseRolesOf(null)).toEqual(none);
    expect(caseRolesOf(me('caseworker', { level: 'partial' }))).toEqual(none);
    expect(caseRolesOf(me('caseworker', { hasRequiredFactor: false }))).toEqual(none);
    const suspended = me('case_supervisor');
    suspended.memberships[0]!.organisation.status = 'suspended';
    expect(caseRolesOf(suspended)).toEqual(none);
  });
});

describe('filtersOf', () => {
  it('reads only values the API knows, and the organisation scope only for supervisors', () => {
    const params = new URLSearchParams('scope=organisation&status=Closed&closurePending=true');
    expect(filtersOf(params, true)).toEqual({
      scope: 'organisation',
      status: 'Closed',
      closurePending: 'true',
    });
    expect(filtersOf(params, false).scope).toBe('mine');
    expect(filtersOf(new URLSearchParams('status=closed&closurePending=yes'), true)).toEqual({
      scope: 'mine',
      status: undefined,
      closurePending: undefined,
    });
  });
});
