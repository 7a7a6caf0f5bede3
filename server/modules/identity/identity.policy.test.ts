import { describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/access/policy.js';
import type { PlatformRole, Role } from '../../kernel/access/roles.js';
import { extraCountryCodes, isCountryCode, isoCountryCodes } from './identity.countries.js';
import {
  accessOf,
  actsFor,
  canAdministerPlatform,
  canManageMembers,
  canModerate,
  canViewMembers,
  canViewOrganisation,
  canViewOrganisationAudit,
  isOrganisationAdmin,
  isPlatformStaff,
  isTierExpired,
  mayTakeAction,
  membershipAbilities,
  nextStatus,
  organisationAbilities,
  tierFitsType,
  wouldRemoveLastAdmin,
  type OrganisationAction,
} from './identity.policy.js';
import { organisationStatuses, type OrganisationStatus } from './identity.vocabulary.js';

const org = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';

function person(options: { role?: Role; organisationId?: string; platformRole?: PlatformRole } = {}): Actor {
  return {
    kind: 'person',
    personId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
    sessionId: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
    level: 'full',
    platformRole: options.platformRole ?? null,
    membership: options.role
      ? {
          id: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
          organisationId: options.organisationId ?? org,
          role: options.role,
        }
      : null,
    hasRequiredFactor: true,
    stepUpAt: null,
  };
}

const anonymous: Actor = { kind: 'anonymous' };
const admin = person({ role: 'org_admin' });
const member = person({ role: 'caseworker' });
const otherAdmin = person({ role: 'org_admin', organisationId: other });
const moderator = person({ platformRole: 'moderator' });
const platformAdmin = person({ platformRole: 'platform_admin' });

describe('who may see and manage an organisation', () => {
  it('lets platform staff moderate, and only platform admins administer the platform', () => {
    expect([anonymous, admin, member].map(canModerate)).toEqual([false, false, false]);
    expect(canModerate(moderator)).toBe(true);
    expect(canModerate(platformAdmin)).toBe(true);
    expect(canAdministerPlatform(moderator)).toBe(false);
    expect(canAdministerPlatform(platformAdmin)).toBe(true);
    expect(isPlatformStaff(moderator)).toBe(true);
    expect(isPlatformStaff(admin)).toBe(false);
  });

  it('shows an organisation to the people acting for it and to platform staff only', () => {
    expect(actsFor(member, org)).toBe(true);
    expect(actsFor(member, other)).toBe(false);
    expect(canViewOrganisation(member, org)).toBe(true);
    expect(canViewOrganisation(otherAdmin, org)).toBe(false);
    expect(canViewOrganisation(anonymous, org)).toBe(false);
    expect(canViewOrganisation(moderator, org)).toBe(true);
  });

  it('lets only the organisation’s own admins manage members; platform admins may look', () => {
    expect(canManageMembers(admin, org)).toBe(true);
    expect(isOrganisationAdmin(admin, org)).toBe(true);
    expect(canManageMembers(member, org)).toBe(false);
    expect(canManageMembers(otherAdmin, org)).toBe(false);
    expect(canManageMembers(platformAdmin, org)).toBe(false);
    expect(canViewMembers(platformAdmin, org)).toBe(true);
    expect(canViewMembers(moderator, org)).toBe(false);
    expect(canViewMembers(member, org)).toBe(false);
    expect(canViewOrganisationAudit(admin, org)).toBe(true);
    expect(canViewOrganisationAudit(member, org)).toBe(false);
    expect(canViewOrganisationAudit(otherAdmin, org)).toBe(false);
    expect(canViewOrganisationAudit(platformAdmin, org)).toBe(true);
  });

  it('answers 404 for what may not be seen and 403 for what may be seen but not done', () => {
    expect(accessOf(false, false)).toBe('not_found');
    expect(accessOf(false, true)).toBe('not_found');
    expect(accessOf(true, false)).toBe('forbidden');
    expect(accessOf(true, true)).toBe('allowed');
  });
});

describe('vetting transitions', () => {
  const allowed: Record<OrganisationAction, Partial<Record<OrganisationStatus, OrganisationStatus>>> = {
    approve: { pending: 'active' },
    request_info: { pending: 'info_requested' },
    reject: { pending: 'rejected', info_requested: 'rejected' },
    respond: { info_requested: 'pending' },
    suspend: { active: 'suspended' },
    reinstate: { suspended: 'active' },
    renew: { active: 'active' },
  };

  it.each(Object.keys(allowed) as OrganisationAction[])(
    '%s moves only from the statuses it may',
    (action) => {
      for (const status of organisationStatuses) {
        expect(nextStatus(status, action), `${action} from ${status}`).toBe(allowed[action][status] ?? null);
      }
    },
  );

  it('gives moderation to staff, suspension to platform admins and the answer to the applicant', () => {
    const facts = { applicantPersonId: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
    expect(mayTakeAction(moderator, 'approve', facts)).toBe(true);
    expect(mayTakeAction(moderator, 'renew', facts)).toBe(true);
    expect(mayTakeAction(moderator, 'suspend', facts)).toBe(false);
    expect(mayTakeAction(platformAdmin, 'suspend', facts)).toBe(true);
    expect(mayTakeAction(admin, 'approve', facts)).toBe(false);
    // The factory's person id is the applicant's.
    expect(mayTakeAction(admin, 'respond', facts)).toBe(true);
    expect(mayTakeAction(admin, 'respond', { applicantPersonId: null })).toBe(false);
    expect(mayTakeAction(anonymous, 'respond', facts)).toBe(false);
  });

  it('offers only the actions that the actor may take and the status allows', () => {
    const pending = { id: org, status: 'pending' as const, applicantPersonId: null };
    expect(organisationAbilities(moderator, pending)).toMatchObject({
      approve: true,
      requestInfo: true,
      reject: true,
      suspend: false,
      renew: false,
      respond: false,
    });
    const active = { id: org, status: 'active' as const, applicantPersonId: null };
    expect(organisationAbilities(platformAdmin, active)).toMatchObject({
      approve: false,
      suspend: true,
      renew: true,
      viewMembers: true,
      manageMembers: false,
    });
    expect(organisationAbilities(admin, active)).toMatchObject({
      manageMembers: true,
      viewAudit: true,
      suspend: false,
    });
  });

  it('grants the law-enforcement tier to law-enforcement organisations only', () => {
    expect(tierFitsType('law_enforcement_verified', 'law_enforcement')).toBe(true);
    expect(tierFitsType('law_enforcement_verified', 'ngo')).toBe(false);
    expect(tierFitsType('verified', 'ngo')).toBe(true);
    expect(tierFitsType('verified_frontline', 'law_enforcement')).toBe(true);
  });

  it('counts a tier as expired from its expiry instant', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(isTierExpired(null, now)).toBe(false);
    expect(isTierExpired(new Date('2026-06-01T00:00:01Z'), now)).toBe(false);
    expect(isTierExpired(new Date('2026-06-01T00:00:00Z'), now)).toBe(true);
  });
});

describe('the last org admin', () => {
  it('cannot be removed or demoted; others can', () => {
    expect(wouldRemoveLastAdmin({ currentRole: 'org_admin', newRole: null, organisationAdmins: 1 })).toBe(
      true,
    );
    expect(wouldRemoveLastAdmin({ currentRole: 'org_admin', newRole: 'member', organisationAdmins: 1 })).toBe(
      true,
    );
    expect(
      wouldRemoveLastAdmin({ currentRole: 'org_admin', newRole: 'org_admin', organisationAdmins: 1 }),
    ).toBe(false);
    expect(wouldRemoveLastAdmin({ currentRole: 'org_admin', newRole: null, organisationAdmins: 2 })).toBe(
      false,
    );
    expect(wouldRemoveLastAdmin({ currentRole: 'member', newRole: null, organisationAdmins: 1 })).toBe(false);
  });

  it('shows the actions accordingly', () => {
    expect(membershipAbilities(admin, { organisationId: org, role: 'org_admin' }, 1)).toEqual({
      changeRole: false,
      remove: false,
    });
    expect(membershipAbilities(admin, { organisationId: org, role: 'member' }, 1)).toEqual({
      changeRole: true,
      remove: true,
    });
    expect(membershipAbilities(platformAdmin, { organisationId: org, role: 'member' }, 1)).toEqual({
      changeRole: false,
      remove: false,
    });
  });
});

describe('country codes', () => {
  it('ships the 249 ISO 3166-1 alpha-2 codes and Kosovo, each once', () => {
    expect(isoCountryCodes).toHaveLength(249);
    expect(new Set(isoCountryCodes).size).toBe(249);
    for (const code of [...isoCountryCodes, ...extraCountryCodes]) expect(code).toMatch(/^[A-Z]{2}$/);
    expect(['KE', 'TH', 'MX', 'SS', 'XK'].every(isCountryCode)).toBe(true);
    // Reserved or withdrawn codes are not countries.
    expect(['UK', 'EU', 'UN', 'YU', 'ZZ', 'AN', 'ke'].some(isCountryCode)).toBe(false);
  });
});
