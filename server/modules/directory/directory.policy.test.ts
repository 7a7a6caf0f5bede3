import { describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/access/policy.js';
import { canEditProfile, canSee, readerOf, searchAudience } from './directory.policy.js';

const org = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const member = (organisationId: string, role: 'member' | 'org_admin' = 'member'): Actor => ({
  kind: 'person',
  personId: 'p',
  sessionId: 's',
  level: 'full',
  platformRole: null,
  membership: { id: 'm', organisationId, role },
  hasRequiredFactor: true,
  stepUpAt: null,
});

describe('directory policy', () => {
  it('reads a profile as its own people, a partner, a member or the public', () => {
    expect(readerOf(member(org), org, false)).toBe('own');
    expect(readerOf(member(other), org, true)).toBe('partner');
    expect(readerOf(member(other), org, false)).toBe('member');
    expect(readerOf({ kind: 'anonymous' }, org, true)).toBe('public');
    // A session still waiting for its second factor is nobody yet.
    expect(
      readerOf({ ...(member(other) as Extract<Actor, { kind: 'person' }>), level: 'partial' }, org, true),
    ).toBe('public');
  });

  it('shows each visibility only to readers at or above it', () => {
    expect(canSee('public', 'public')).toBe(true);
    expect(canSee('public', 'members')).toBe(false);
    expect(canSee('member', 'members')).toBe(true);
    expect(canSee('member', 'partners')).toBe(false);
    expect(canSee('partner', 'partners')).toBe(true);
    expect(canSee('own', 'partners')).toBe(true);
  });

  it('lets only the organisation’s admins edit its profile', () => {
    expect(canEditProfile(member(org, 'org_admin'), org)).toBe(true);
    expect(canEditProfile(member(org), org)).toBe(false);
    expect(canEditProfile(member(other, 'org_admin'), org)).toBe(false);
  });

  it('searches the members’ directory only with a membership or a platform role', () => {
    expect(searchAudience(member(other))).toBe('members');
    expect(searchAudience({ kind: 'anonymous' })).toBe('public');
  });
});
