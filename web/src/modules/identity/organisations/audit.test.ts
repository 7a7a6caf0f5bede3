import type { TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from './api';
import { describeAction, describeActor, describeDetails } from './audit';

// Echoes the key and values, so the tests read what would be translated.
const t = ((key: string, values?: Record<string, unknown>) =>
  values && 'defaultValue' in values
    ? `${key}|${String(values.defaultValue)}`
    : `${key}${values ? JSON.stringify(values) : ''}`) as unknown as TFunction;

const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  occurredAt: '2025-01-01T00:00:00Z',
  action: 'identity.member_invited',
  actor: { displayName: 'Amina', platformStaff: false },
  objectType: 'invitation',
  objectId: null,
  organisationId: null,
  details: {},
  ...overrides,
});

describe('describeDetails', () => {
  it('names roles, tiers and counts, and leaves ids out', () => {
    expect(describeDetails(entry({ details: { role: 'caseworker', invitationId: 'x' } }), t, String)).toBe(
      'orgs.audit.details.role{"role":"orgs.roles.caseworker.name"}',
    );
    expect(
      describeDetails(entry({ details: { from: 'member', to: 'org_admin', membershipId: 'y' } }), t, String),
    ).toBe('orgs.audit.details.roleChange{"from":"orgs.roles.member.name","to":"orgs.roles.org_admin.name"}');
    expect(describeDetails(entry({ details: { tier: 'verified', expiresAt: 'z' } }), t, String)).toBe(
      'orgs.audit.details.tier{"tier":"orgs.tiers.verified.name"}',
    );
    expect(describeDetails(entry({ details: { sessionsEnded: 3 } }), t, String)).toBe(
      'orgs.audit.details.sessionsEnded{"count":3}',
    );
    expect(
      describeDetails(entry({ details: { countries: ['KE', 'UG'] } }), t, (codes) => codes.join('+')),
    ).toBe('KE+UG');
  });

  it('ignores values it does not know', () => {
    expect(describeDetails(entry({ details: { role: 'emperor', tier: 42 } }), t, String)).toBe('');
  });
});

describe('describeAction', () => {
  it('looks the action up, falling back to its code', () => {
    expect(describeAction(entry({ action: 'identity.member_removed' }), t)).toBe(
      'orgs.audit.actions.identity_member_removed|identity.member_removed',
    );
  });
});

describe('describeActor', () => {
  it('names people, withholds staff names when the server did, and names the system', () => {
    expect(describeActor(entry({}), t)).toBe('Amina');
    expect(describeActor(entry({ actor: { displayName: null, platformStaff: true } }), t)).toBe(
      'orgs.audit.staff',
    );
    expect(describeActor(entry({ actor: { displayName: 'Lucía', platformStaff: true } }), t)).toBe(
      'orgs.audit.staffNamed{"name":"Lucía"}',
    );
    expect(describeActor(entry({ actor: null }), t)).toBe('orgs.audit.system');
  });
});
