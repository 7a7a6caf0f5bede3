import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import i18next, { type i18n as I18n } from 'i18next';
import ICU from 'i18next-icu';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { MemoryRouter } from 'react-router';
import { beforeAll, describe, expect, it } from 'vitest';
import en from '../../../i18n/locales/en.json';
import { ToastProvider } from '../../../ui';
import { AccountBar } from './AccountBar';
import { meQueryKey, type Me, type Membership } from './useMe';

let i18n: I18n;

beforeAll(async () => {
  i18n = i18next.createInstance();
  await i18n.use(ICU).init({ lng: 'en', resources: { en: { translation: en } } });
});

const membership = (id: string, name: string, status: Membership['organisation']['status']): Membership => ({
  id,
  role: 'caseworker',
  organisation: { id: `org-${id}`, name, type: 'ngo', status, tier: null },
});

function person(overrides: Partial<Me> = {}): Me {
  return {
    person: {
      id: 'p1',
      email: 'sophea@example.org',
      displayName: 'Sophea Chan',
      platformRole: null,
      language: 'en',
    },
    level: 'full',
    memberships: [membership('m1', 'Mekong Legal Aid', 'active')],
    activeMembershipId: 'm1',
    factors: { passkeys: 1, totp: false, recoveryCodesLeft: 0 },
    requiredFactor: 'passkey',
    hasRequiredFactor: true,
    abilities: { moderate: false, administerPlatform: false, administerOrganisation: false },
    ...overrides,
  };
}

/** Renders the header area for a person already known to the query cache (null: signed out). */
function render(me: Me | null, path = '/cases'): string {
  const queryClient = new QueryClient();
  queryClient.setQueryData(meQueryKey, me);
  return renderToStaticMarkup(
    createElement(
      I18nextProvider,
      { i18n },
      createElement(
        QueryClientProvider,
        { client: queryClient },
        createElement(
          ToastProvider,
          null,
          createElement(MemoryRouter, { initialEntries: [path] }, createElement(AccountBar)),
        ),
      ),
    ),
  );
}

describe('AccountBar', () => {
  it('offers to sign in, coming back to the current page', () => {
    const markup = render(null);
    expect(markup).toContain('href="/sign-in?next=%2Fcases"');
    expect(markup).toContain(en.auth.signIn.link);
    expect(markup).not.toContain(en.auth.signOut.action);
  });

  it('shows who is signed in and the organisation they act for, with their pages and sign out', () => {
    const markup = render(person());
    expect(markup).toContain('Sophea Chan');
    expect(markup).toContain(en.auth.account.actingFor);
    expect(markup).toContain('<strong>Mekong Legal Aid</strong>');
    expect(markup).not.toContain('<select');
    expect(markup).toContain('href="/account/security"');
    expect(markup).toContain('href="/account/sessions"');
    expect(markup).toContain(en.auth.signOut.action);
    expect(markup).not.toContain(en.auth.account.addPasskey);
  });

  it('lets a person with several organisations switch, saying which ones are not active', () => {
    const markup = render(
      person({
        memberships: [
          membership('m1', 'Mekong Legal Aid', 'active'),
          membership('m2', 'Sahel Shelter Collective', 'pending'),
        ],
      }),
    );
    expect(markup).toMatch(/<select[^>]*name="membershipId"/);
    expect(markup).toContain('<option value="m1" selected="">Mekong Legal Aid</option>');
    expect(markup).toContain('Sahel Shelter Collective (application pending)');
    expect(markup).toContain(en.auth.account.switch);
  });

  it('points a person who still needs a passkey to adding one', () => {
    expect(
      render(
        person({ hasRequiredFactor: false, factors: { passkeys: 0, totp: false, recoveryCodesLeft: 0 } }),
      ),
    ).toContain(en.auth.account.addPasskey);
  });

  it('says a half-finished sign-in is not a signed-in person', () => {
    const markup = render(person({ level: 'partial' }));
    expect(markup).toContain(en.auth.account.unfinished);
    expect(markup).toContain(en.auth.account.finishSignIn);
    expect(markup).not.toContain('Sophea Chan');
  });
});
