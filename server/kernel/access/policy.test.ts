import { describe, expect, it } from 'vitest';
import { anonymous, checkRoutePolicy, type Actor, type RoutePolicy } from './policy.js';
import { roles, type Role } from './roles.js';

const person = (overrides: Partial<Extract<Actor, { kind: 'person' }>> = {}): Actor => ({
  kind: 'person',
  personId: 'p',
  sessionId: 's',
  level: 'full',
  platformRole: null,
  membership: { id: 'm', organisationId: 'o', role: 'caseworker' },
  hasRequiredFactor: true,
  stepUpAt: null,
  ...overrides,
});

const verdict = (policy: RoutePolicy, actor: Actor) => {
  const result = checkRoutePolicy(policy, actor);
  return result.allowed ? 'allowed' : result.code;
};

describe('checkRoutePolicy', () => {
  it('lets anyone through a public route', () => {
    expect(verdict({ access: 'public' }, anonymous)).toBe('allowed');
    expect(verdict({ access: 'public' }, person({ level: 'partial' }))).toBe('allowed');
  });

  it('asks anonymous callers to sign in everywhere else', () => {
    for (const policy of [
      { access: 'signed_in' },
      { access: 'member' },
      { access: 'platform', roles: ['moderator'] },
    ] as RoutePolicy[]) {
      expect(verdict(policy, anonymous)).toBe('unauthenticated');
    }
  });

  it('holds a half-signed-in session to the second-factor routes', () => {
    const half = person({ level: 'partial' });
    expect(verdict({ access: 'signed_in', partial: true }, half)).toBe('allowed');
    expect(verdict({ access: 'signed_in' }, half)).toBe('second_factor_required');
    expect(verdict({ access: 'member' }, half)).toBe('second_factor_required');
  });

  it('holds a sensitive role without its required factor to enrolment', () => {
    const unenrolled = person({ hasRequiredFactor: false });
    expect(verdict({ access: 'signed_in', unenrolled: true }, unenrolled)).toBe('allowed');
    expect(verdict({ access: 'signed_in' }, unenrolled)).toBe('factor_enrolment_required');
    expect(verdict({ access: 'member', roles: ['caseworker'] }, unenrolled)).toBe(
      'factor_enrolment_required',
    );
  });

  it('admits exactly the listed roles of an active membership', () => {
    const allowed: Role[] = ['org_admin', 'case_supervisor'];
    for (const role of roles) {
      const actor = person({ membership: { id: 'm', organisationId: 'o', role } });
      expect(verdict({ access: 'member', roles: allowed }, actor), role).toBe(
        allowed.includes(role) ? 'allowed' : 'forbidden',
      );
      expect(verdict({ access: 'member' }, actor), role).toBe('allowed');
    }
    expect(verdict({ access: 'member' }, person({ membership: null }))).toBe('forbidden');
  });

  it('admits platform staff by platform role only', () => {
    expect(verdict({ access: 'platform', roles: ['moderator'] }, person({ platformRole: 'moderator' }))).toBe(
      'allowed',
    );
    expect(
      verdict({ access: 'platform', roles: ['platform_admin'] }, person({ platformRole: 'moderator' })),
    ).toBe('forbidden');
    expect(verdict({ access: 'platform', roles: ['moderator'] }, person())).toBe('forbidden');
  });
});
