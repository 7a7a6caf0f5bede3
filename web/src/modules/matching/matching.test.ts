import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/problem';
import type { Me } from '../identity/auth/useMe';
import type { Subject, SubjectInput } from './api';
import { SubjectTitle } from './components';
import { REGISTERED_KINDS, subjectBody } from './pages/RegisterPage';
import { statusOf } from './pages/InboxPage';
import { matchingRolesOf } from './roles';
import {
  SELECTOR_FIELDS,
  SELECTOR_TYPES,
  invalidFields,
  newSelector,
  placeErrors,
  selectorsBody,
  toSelectorInput,
  type SelectorDraft,
} from './selectors';

// The files the build ships, read as locales.test.ts reads them.
const locales = import.meta.glob<Record<string, unknown>>('../../i18n/locales/*.json', {
  eager: true,
  import: 'default',
});

/** A message of a locale file by its dotted key, or undefined. */
function messageOf(tree: unknown, key: string): unknown {
  return key
    .split('.')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
}

const draft = (type: SelectorDraft['type'], values: Record<string, string>): SelectorDraft => ({
  ...newSelector(type),
  values,
});

describe('matching: the selector editor’s request body', () => {
  it('sends only the fields of the chosen kind, trimmed, without empty optional ones', () => {
    // A value typed under another kind before the kind was changed is left out.
    const phone = draft('phone', { number: ' +254 712 345 678 ', defaultCountry: '', name: 'left over' });
    expect(toSelectorInput(phone)).toEqual({ type: 'phone', number: '+254 712 345 678' });
    expect(toSelectorInput(draft('identity_document', { number: 'A123', issuingCountry: 'KE' }))).toEqual({
      type: 'identity_document',
      number: 'A123',
      issuingCountry: 'KE',
    });
  });

  it('sends a person’s birth year as a number, and keeps the order of the list', () => {
    const body = selectorsBody([
      draft('person', { name: 'Jane Doe', birthYear: '1990', nationality: 'UG' }),
      draft('online_handle', { handle: '@recruiter', platform: 'telegram' }),
    ]);
    expect(body).toEqual([
      { type: 'person', name: 'Jane Doe', birthYear: 1990, nationality: 'UG' },
      { type: 'online_handle', handle: '@recruiter', platform: 'telegram' },
    ]);
  });

  it('names the fields still missing or not a year', () => {
    expect(invalidFields(draft('vehicle_plate', { plate: 'KAA 123A' }))).toEqual(['country']);
    expect(invalidFields(draft('person', { name: 'Jane', birthYear: 'nineteen' }))).toEqual(['birthYear']);
    expect(invalidFields(draft('email', { address: 'a@b.example' }))).toEqual([]);
  });

  it('knows the fields of every kind of selector the server takes', () => {
    for (const type of SELECTOR_TYPES) expect(SELECTOR_FIELDS[type].some((f) => f.required)).toBe(true);
  });

  it('builds a registration with optional place and time only when given', () => {
    const data = new FormData();
    data.set('kind', 'operation');
    data.set('title', '  Night raid  ');
    data.set('country', 'KE');
    data.set('region', 'ke.19');
    data.set('windowStart', '');
    const body = subjectBody(data, [draft('email', { address: 'x@y.example' })]);
    expect(body).toEqual({
      kind: 'operation',
      title: 'Night raid',
      country: 'KE',
      region: 'KE.19',
      selectors: [{ type: 'email', address: 'x@y.example' }],
    });
  });

  it('builds an alert with its selectors and no place', () => {
    const data = new FormData();
    data.set('kind', 'alert');
    data.set('title', ' Fake agency alert ');
    const body = subjectBody(data, [
      draft('phone', { number: '+855 12 345 678' }),
      draft('organisation_name', { name: 'Golden Bridge Manpower' }),
    ]);
    expect(body).toEqual({
      kind: 'alert',
      title: 'Fake agency alert',
      selectors: [
        { type: 'phone', number: '+855 12 345 678' },
        { type: 'organisation_name', name: 'Golden Bridge Manpower' },
      ],
    });
  });
});

describe('matching: the kinds of subject', () => {
  // Every kind the server takes: a kind added there and not here fails type-checking.
  const registered: Record<SubjectInput['kind'], true> = {
    investigation: true,
    operation: true,
    alert: true,
  };
  const all: Record<Subject['kind'], true> = { ...registered, case: true };

  it('offers every kind a person registers by hand, the alert included, and never a case file', () => {
    expect([...REGISTERED_KINDS].sort()).toEqual(Object.keys(registered).sort());
    expect(REGISTERED_KINDS).toContain('alert');
    expect(REGISTERED_KINDS).not.toContain('case');
  });

  it('labels every kind, and explains the alert, in every shipped locale, translated', () => {
    const english = Object.entries(locales).find(([path]) => path.endsWith('/en.json'))![1];
    expect(Object.keys(locales)).toHaveLength(4);
    for (const [path, tree] of Object.entries(locales)) {
      for (const key of [
        ...Object.keys(all).map((kind) => `matching.subjectKinds.${kind}`),
        'matching.register.kindHint',
      ]) {
        const message = messageOf(tree, key);
        expect(typeof message === 'string' && message.trim() !== '', `${path}: ${key}`).toBe(true);
        if (!path.endsWith('/en.json') && key.endsWith('.alert'))
          expect(message, `${path}: ${key} is not translated`).not.toBe(messageOf(english, key));
      }
      if (!path.endsWith('/en.json'))
        expect(messageOf(tree, 'matching.register.kindHint')).not.toBe(
          messageOf(english, 'matching.register.kindHint'),
        );
    }
  });
});

describe('matching: the server’s errors beside the right selector', () => {
  const problem = (errors: { path: string; message: string }[]) =>
    new ApiError(400, {
      type: 'about:blank',
      title: 'Invalid',
      status: 400,
      code: 'validation_failed',
      errors: errors.map((e) => ({ ...e, code: 'x' })),
    });

  it('places body.selectors.2 (and its fields) on the third selector, the list’s own on the list', () => {
    const placed = placeErrors(
      problem([
        { path: 'body.selectors.2', message: 'Not a phone number' },
        { path: 'body.selectors.0.issuingCountry', message: 'Required' },
        { path: 'body.selectors', message: 'Needs two attributes' },
        { path: 'body.title', message: 'Too long' },
      ]),
      ['title'],
    );
    expect(placed).toEqual({
      fieldErrors: {
        'selectors.2': 'Not a phone number',
        'selectors.0': 'Required',
        selectors: 'Needs two attributes',
        title: 'Too long',
      },
    });
  });

  it('keeps what it cannot place as the form’s message', () => {
    expect(placeErrors(problem([{ path: 'body.other', message: 'Odd' }]), [])).toEqual({
      fieldErrors: {},
      formError: 'Odd',
    });
    expect(placeErrors(new Error('offline'), [])).toBeNull();
  });
});

describe('matching: roles and the inbox filter', () => {
  const me = (role: string, status = 'active') =>
    ({
      level: 'full',
      hasRequiredFactor: true,
      activeMembershipId: 'm',
      person: { platformRole: null },
      memberships: [{ id: 'm', role, organisation: { status } }],
    }) as unknown as Me;

  it('reads the roles as the server’s policies do', () => {
    const roles = (screener: boolean, admin: boolean, member = true) => ({
      screener,
      admin,
      member,
      platformAdmin: false,
    });
    expect(matchingRolesOf(me('investigator'))).toEqual(roles(true, false));
    expect(matchingRolesOf(me('case_supervisor'))).toEqual(roles(true, false));
    expect(matchingRolesOf(me('org_admin'))).toEqual(roles(false, true));
    // Any member reads the quotas and the lookup record.
    expect(matchingRolesOf(me('caseworker'))).toEqual(roles(false, false));
    expect(matchingRolesOf(me('caseworker', 'suspended'))).toEqual(roles(false, false, false));
    expect(
      matchingRolesOf({
        level: 'full',
        hasRequiredFactor: true,
        person: { platformRole: 'platform_admin' },
        memberships: [],
      } as unknown as Me),
    ).toEqual({ screener: false, admin: false, member: false, platformAdmin: true });
    expect(matchingRolesOf(me('case_supervisor', 'suspended')).screener).toBe(false);
    expect(matchingRolesOf(null).screener).toBe(false);
  });

  it('takes only a known status from the address', () => {
    expect(statusOf(new URLSearchParams('status=in_contact'))).toBe('in_contact');
    expect(statusOf(new URLSearchParams('status=bogus'))).toBeUndefined();
  });
});

describe('matching: a subject’s title', () => {
  const render = (subject: { title: string; caseId: string | null }) =>
    renderToStaticMarkup(createElement(MemoryRouter, null, createElement(SubjectTitle, { subject })));

  it('links a case file, titled by its reference, to its case', () => {
    const html = render({ title: '2026-0042', caseId: '7f0c2a64-1111-4d7e-9a55-0a1b2c3d4e5f' });
    expect(html).toMatch(
      /^<a [^>]*href="\/cases\/7f0c2a64-1111-4d7e-9a55-0a1b2c3d4e5f"[^>]*>2026-0042<\/a>$/,
    );
  });

  it('shows an investigation’s own title as text (it has no page of its own)', () => {
    expect(render({ title: 'Nairobi <network>', caseId: null })).toBe('Nairobi &lt;network&gt;');
  });
});
