import { describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import { canBreakGlass, caseAbilities, caseAccess, type CaseFacts } from './cases.policy.js';

const org = '00000000-0000-4000-8000-00000000000a';
const otherOrg = '00000000-0000-4000-8000-00000000000b';
const me = '00000000-0000-4000-8000-000000000001';

function actor(role: Role, organisationId = org, level: 'full' | 'partial' = 'full'): Actor {
  return {
    kind: 'person',
    personId: me,
    sessionId: 's',
    level,
    platformRole: null,
    membership: { id: 'm', organisationId, role },
    hasRequiredFactor: true,
    stepUpAt: null,
  };
}

const base: CaseFacts = {
  organisationId: org,
  status: 'Active',
  restricted: false,
  assigned: false,
  named: false,
  breakGlassUntil: null,
  closureRequestedBy: null,
};

const future = new Date(Date.now() + 30 * 60_000);
const past = new Date(Date.now() - 60_000);

describe('cases policy: who reaches a case', () => {
  // role, facts, expected way in (null = the case does not exist for them)
  const table: [string, Actor, Partial<CaseFacts>, string | null][] = [
    ['assigned caseworker', actor('caseworker'), { assigned: true }, 'assignment'],
    ['unassigned caseworker', actor('caseworker'), {}, null],
    ['supervisor', actor('case_supervisor'), {}, 'supervision'],
    ['org admin', actor('org_admin'), { assigned: true }, null],
    ['analyst', actor('analyst'), { assigned: true }, null],
    ['member', actor('member'), { assigned: true }, null],
    ['investigator', actor('investigator'), { assigned: true }, null],
    ['supervisor of another organisation', actor('case_supervisor', otherOrg), {}, null],
    ['assigned caseworker of another organisation', actor('caseworker', otherOrg), { assigned: true }, null],
    ['half-signed-in caseworker', actor('caseworker', org, 'partial'), { assigned: true }, null],
    ['restricted: named caseworker', actor('caseworker'), { restricted: true, named: true }, 'restriction'],
    [
      'restricted: assigned but unnamed caseworker',
      actor('caseworker'),
      { restricted: true, assigned: true },
      null,
    ],
    ['restricted: unnamed supervisor', actor('case_supervisor'), { restricted: true }, null],
    [
      'restricted: named supervisor',
      actor('case_supervisor'),
      { restricted: true, named: true },
      'restriction',
    ],
    [
      'restricted: break-glass supervisor',
      actor('case_supervisor'),
      { restricted: true, breakGlassUntil: future },
      'break_glass',
    ],
    [
      'restricted: expired break-glass',
      actor('case_supervisor'),
      { restricted: true, breakGlassUntil: past },
      null,
    ],
    [
      'restricted: break-glass caseworker (not allowed)',
      actor('caseworker'),
      { restricted: true, breakGlassUntil: future },
      null,
    ],
  ];
  it.each(table)('%s', (_name, who, facts, via) => {
    expect(caseAccess(who, { ...base, ...facts })?.via ?? null).toBe(via);
  });
  it('denies anonymous callers', () => {
    expect(caseAccess({ kind: 'anonymous' }, base)).toBeNull();
  });
});

describe('cases policy: what a caller may do', () => {
  it('gives caseworkers work but not supervision', () => {
    const abilities = caseAbilities(actor('caseworker'), { ...base, assigned: true });
    expect(abilities).toMatchObject({
      update: true,
      addEntries: true,
      assign: false,
      restrict: false,
      reopen: false,
    });
    expect(abilities.viewAccessHistory).toBe(false);
  });
  it('makes break-glass read-only', () => {
    const abilities = caseAbilities(actor('case_supervisor'), {
      ...base,
      restricted: true,
      breakGlassUntil: future,
    });
    expect(
      Object.entries(abilities)
        .filter(([, allowed]) => allowed)
        .map(([name]) => name),
    ).toEqual(['reveal']);
  });
  it('needs four eyes to close a case', () => {
    const own = caseAbilities(actor('case_supervisor'), { ...base, closureRequestedBy: me });
    expect(own.approveClosure).toBe(false);
    const other = caseAbilities(actor('case_supervisor'), { ...base, closureRequestedBy: 'someone else' });
    expect(other.approveClosure).toBe(true);
    expect(other.requestClosure).toBe(false);
  });
  it('freezes closed cases until a supervisor reopens them', () => {
    const worker = caseAbilities(actor('caseworker'), { ...base, assigned: true, status: 'Closed' });
    expect(worker.update || worker.addEntries || worker.requestClosure || worker.reopen).toBe(false);
    expect(caseAbilities(actor('case_supervisor'), { ...base, status: 'ClosedReferred' }).reopen).toBe(true);
  });
  it('lets only supervisors outside a case break the glass', () => {
    expect(canBreakGlass(actor('case_supervisor'), { ...base, restricted: true })).toBe(true);
    expect(canBreakGlass(actor('case_supervisor'), { ...base, restricted: true, named: true })).toBe(false);
    expect(canBreakGlass(actor('caseworker'), { ...base, restricted: true })).toBe(false);
    expect(canBreakGlass(actor('case_supervisor', otherOrg), { ...base, restricted: true })).toBe(false);
  });
});
