import { describe, expect, it } from 'vitest';
import type { Actor } from '../../kernel/access/policy.js';
import { roles, type Role } from '../../kernel/access/roles.js';
import {
  decideEdit,
  decideTransition,
  mayOverrideConsent,
  mayReadSharedCase,
  mayRefer,
  referralAbilities,
  referralSideOf,
  seesReferral,
  transitionAllowed,
  transitionRule,
  type ReferralFacts,
  type SenderCaseAccess,
} from './referrals.policy.js';
import { referralSides, referralStates, type ReferralState } from './referrals.vocabulary.js';

/**
 * The state machine of issue 6, written out by hand (not derived from the vocabulary's table): every allowed
 * (from, to, side) and what it needs. Every other triple must be refused.
 */
const allowed: [ReferralState, ReferralState, 'sender' | 'recipient', 'reason' | 'outcome' | null][] = [
  ['draft', 'sent', 'sender', null],
  ['draft', 'cancelled', 'sender', null],
  ['sent', 'acknowledged', 'recipient', null],
  ['acknowledged', 'accepted', 'recipient', null],
  ['acknowledged', 'declined', 'recipient', 'reason'],
  ['accepted', 'in_progress', 'recipient', null],
  ['in_progress', 'completed', 'recipient', 'outcome'],
  ['in_progress', 'closed', 'sender', 'reason'],
  ['in_progress', 'closed', 'recipient', 'reason'],
  ['sent', 'cancelled', 'sender', 'reason'],
  ['sent', 'cancelled', 'recipient', 'reason'],
  ['acknowledged', 'cancelled', 'sender', 'reason'],
  ['acknowledged', 'cancelled', 'recipient', 'reason'],
  ['accepted', 'cancelled', 'sender', 'reason'],
  ['accepted', 'cancelled', 'recipient', 'reason'],
  ['in_progress', 'cancelled', 'sender', 'reason'],
  ['in_progress', 'cancelled', 'recipient', 'reason'],
];

const key = (from: string, to: string, side: string) => `${from}→${to} (${side})`;
const allowedKeys = new Set(allowed.map(([from, to, side]) => key(from, to, side)));
const triples = referralStates.flatMap((from) =>
  referralStates.flatMap((to) => referralSides.map((side) => [from, to, side] as const)),
);

describe('referrals policy: the state machine', () => {
  it('covers 9 states × 9 targets × 2 sides', () => {
    expect(triples).toHaveLength(162);
  });

  it.each(triples)('%s → %s by the %s', (from, to, side) => {
    const expected = allowedKeys.has(key(from, to, side));
    expect(transitionAllowed(from, to, side)).toBe(expected);
    const rule = transitionRule(from, to, side);
    if (expected)
      expect(rule?.needs).toBe(allowed.find(([f, t, s]) => f === from && t === to && s === side)![3]);
    else expect(rule).toBeUndefined();
  });

  it('never leaves an end state, and never goes back to draft', () => {
    for (const from of ['declined', 'completed', 'closed', 'cancelled'] as const)
      for (const to of referralStates)
        for (const side of referralSides) expect(transitionAllowed(from, to, side)).toBe(false);
    for (const from of referralStates)
      for (const side of referralSides) expect(transitionAllowed(from, 'draft', side)).toBe(false);
  });
});

const sender = '00000000-0000-4000-8000-00000000000a';
const recipient = '00000000-0000-4000-8000-00000000000b';
const third = '00000000-0000-4000-8000-00000000000c';

function actor(role: Role, organisationId: string, level: 'full' | 'partial' = 'full'): Actor {
  return {
    kind: 'person',
    personId: '00000000-0000-4000-8000-000000000001',
    sessionId: 's',
    level,
    platformRole: null,
    membership: { id: 'm', organisationId, role },
    hasRequiredFactor: true,
    stepUpAt: null,
  };
}

const facts = (over: Partial<ReferralFacts>): ReferralFacts => ({
  side: 'sender',
  role: 'caseworker',
  caseAccess: 'full',
  state: 'draft',
  wasSent: false,
  ...over,
});

describe('referrals policy: sides and visibility', () => {
  const parties = { senderOrganisationId: sender, recipientOrganisationId: recipient };

  it('places the caller on a side by their active organisation', () => {
    expect(referralSideOf(actor('caseworker', sender), parties)).toEqual({
      side: 'sender',
      role: 'caseworker',
    });
    expect(referralSideOf(actor('org_admin', recipient), parties)).toEqual({
      side: 'recipient',
      role: 'org_admin',
    });
    expect(referralSideOf(actor('case_supervisor', third), parties).side).toBeNull();
    expect(referralSideOf(actor('caseworker', sender, 'partial'), parties).side).toBeNull();
    expect(referralSideOf({ kind: 'anonymous' }, parties).side).toBeNull();
  });

  it('shows a referral to case staff of either side only (the recipient once it was sent)', () => {
    for (const role of roles) {
      const staff = role === 'caseworker' || role === 'case_supervisor';
      expect(seesReferral(facts({ role, caseAccess: 'full' })), role).toBe(staff);
      expect(seesReferral(facts({ role, side: 'recipient', state: 'sent', wasSent: true })), role).toBe(
        staff,
      );
      expect(seesReferral(facts({ role, side: null, state: 'sent', wasSent: true })), role).toBe(false);
    }
    // The sender's staff must reach the case; a break-glass opening reaches it read-only.
    expect(seesReferral(facts({ caseAccess: 'none' }))).toBe(false);
    expect(seesReferral(facts({ caseAccess: 'read_only' }))).toBe(true);
    // A draft (and a discarded draft) is the sender's alone.
    expect(seesReferral(facts({ side: 'recipient', state: 'draft', wasSent: false }))).toBe(false);
    expect(seesReferral(facts({ side: 'recipient', state: 'cancelled', wasSent: false }))).toBe(false);
    expect(seesReferral(facts({ side: 'recipient', state: 'cancelled', wasSent: true }))).toBe(true);
  });
});

describe('referrals policy: deciding a transition', () => {
  const cases: [string, Partial<ReferralFacts>, ReferralState, string][] = [
    ['sender sends a draft', { state: 'draft' }, 'sent', 'allowed'],
    ['supervisor sends a draft', { role: 'case_supervisor', state: 'draft' }, 'sent', 'allowed'],
    [
      'break-glass supervisor cannot send',
      { role: 'case_supervisor', caseAccess: 'read_only' },
      'sent',
      'forbidden',
    ],
    ['caseworker without the case', { caseAccess: 'none' }, 'sent', 'not_found'],
    ['org admin of the sender', { role: 'org_admin' }, 'sent', 'not_found'],
    ['recipient on a draft', { side: 'recipient', wasSent: false }, 'acknowledged', 'not_found'],
    ['a third organisation', { side: null, state: 'sent', wasSent: true }, 'acknowledged', 'not_found'],
    ['sender acknowledges', { state: 'sent', wasSent: true }, 'acknowledged', 'forbidden'],
    [
      'recipient acknowledges',
      { side: 'recipient', state: 'sent', wasSent: true },
      'acknowledged',
      'allowed',
    ],
    [
      'recipient accepts before acknowledging',
      { side: 'recipient', state: 'sent', wasSent: true },
      'accepted',
      'conflict',
    ],
    ['sender completes', { state: 'in_progress', wasSent: true }, 'completed', 'forbidden'],
    ['sender closes', { state: 'in_progress', wasSent: true }, 'closed', 'allowed'],
    [
      'recipient closes an accepted referral',
      { side: 'recipient', state: 'accepted', wasSent: true },
      'closed',
      'conflict',
    ],
    [
      'recipient cancels a sent referral',
      { side: 'recipient', state: 'sent', wasSent: true },
      'cancelled',
      'allowed',
    ],
    [
      'recipient discards the draft',
      { side: 'recipient', state: 'draft', wasSent: true },
      'cancelled',
      'forbidden',
    ],
    ['sender reopens a completed referral', { state: 'completed', wasSent: true }, 'in_progress', 'conflict'],
    ['sender re-sends a sent referral', { state: 'sent', wasSent: true }, 'sent', 'conflict'],
  ];
  it.each(cases)('%s', (_name, over, to, expected) => {
    expect(decideTransition(facts(over), to)).toBe(expected);
  });

  it('gives each side exactly the steps the table gives it, as abilities', () => {
    for (const state of referralStates)
      for (const side of referralSides)
        for (const caseAccess of ['full', 'read_only'] as SenderCaseAccess[]) {
          const f = facts({ side, state, wasSent: state !== 'draft', caseAccess });
          const abilities = referralAbilities(f);
          const acting = side === 'recipient' || caseAccess === 'full';
          const visible = side === 'sender' || state !== 'draft';
          expect(abilities.send).toBe(visible && acting && transitionAllowed(state, 'sent', side));
          expect(abilities.acknowledge).toBe(
            visible && acting && transitionAllowed(state, 'acknowledged', side),
          );
          expect(abilities.accept).toBe(visible && acting && transitionAllowed(state, 'accepted', side));
          expect(abilities.decline).toBe(visible && acting && transitionAllowed(state, 'declined', side));
          expect(abilities.start).toBe(visible && acting && transitionAllowed(state, 'in_progress', side));
          expect(abilities.complete).toBe(visible && acting && transitionAllowed(state, 'completed', side));
          expect(abilities.close).toBe(visible && acting && transitionAllowed(state, 'closed', side));
          expect(abilities.cancel).toBe(visible && acting && transitionAllowed(state, 'cancelled', side));
        }
  });
});

describe('referrals policy: reading the case, referring, overriding consent', () => {
  it('lets only the recipient read the case, and only while acknowledged, accepted or in progress', () => {
    for (const state of referralStates) {
      const open = ['acknowledged', 'accepted', 'in_progress'].includes(state);
      expect(mayReadSharedCase(facts({ side: 'recipient', state, wasSent: true })), state).toBe(open);
      expect(
        mayReadSharedCase(facts({ side: 'recipient', role: 'case_supervisor', state, wasSent: true })),
      ).toBe(open);
      expect(mayReadSharedCase(facts({ side: 'recipient', role: 'org_admin', state, wasSent: true }))).toBe(
        false,
      );
      expect(mayReadSharedCase(facts({ side: 'sender', state, wasSent: true }))).toBe(false);
      expect(mayReadSharedCase(facts({ side: null, state, wasSent: true }))).toBe(false);
    }
  });

  it('lets case staff who fully reach a case refer it, and only case supervisors override consent', () => {
    for (const role of roles) {
      const staff = role === 'caseworker' || role === 'case_supervisor';
      expect(mayRefer(role, 'full'), role).toBe(staff);
      expect(mayRefer(role, 'read_only'), role).toBe(false);
      expect(mayRefer(role, 'none'), role).toBe(false);
      expect(mayOverrideConsent(role), role).toBe(role === 'case_supervisor');
    }
    expect(mayOverrideConsent(null)).toBe(false);
  });

  it('lets only the sender’s staff who may refer the case edit, and only a draft', () => {
    for (const state of referralStates)
      for (const role of roles)
        for (const caseAccess of ['full', 'read_only', 'none'] as SenderCaseAccess[]) {
          const sender = facts({ side: 'sender', role, caseAccess, state, wasSent: state !== 'draft' });
          const expected = !seesReferral(sender)
            ? 'not_found'
            : !mayRefer(role, caseAccess)
              ? 'forbidden'
              : state === 'draft'
                ? 'allowed'
                : 'conflict';
          expect(decideEdit(sender), `${state} ${role} ${caseAccess}`).toBe(expected);
          expect(referralAbilities(sender).edit).toBe(expected === 'allowed');
        }
    expect(decideEdit(facts({ side: 'sender', caseAccess: 'full', role: 'caseworker' }))).toBe('allowed');
    expect(decideEdit(facts({ side: 'sender', caseAccess: 'read_only', role: 'case_supervisor' }))).toBe(
      'forbidden',
    );
    // The recipient never sees a draft, and may not edit what was sent to it.
    expect(decideEdit(facts({ side: 'recipient', wasSent: false }))).toBe('not_found');
    expect(decideEdit(facts({ side: 'recipient', state: 'sent', wasSent: true }))).toBe('forbidden');
    expect(decideEdit(facts({ side: null }))).toBe('not_found');
  });
});
