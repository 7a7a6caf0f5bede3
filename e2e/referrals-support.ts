import type { Page } from 'playwright-core';
import { beforeAll, expect } from 'vitest';
import {
  demoCredentials,
  message,
  signInWithAuthenticator,
  useBrowserSuite,
  type RunningServer,
} from './harness.js';

/** Helpers the referral specs share: demo sign-in with the banner's secrets, labels by their start. */

export const POLL = { timeout: 15_000, interval: 100 };
export const en = (key: string) => message('en', key);

/** Signs a demo account in with its password and authenticator code, and waits for the home page. */
export async function signInDemo(
  page: Page,
  baseUrl: string,
  email: string,
  [password, secret]: string[],
): Promise<void> {
  await signInWithAuthenticator(page, baseUrl, { email, password: password!, secret: secret! });
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), POLL).toBe(en('home.title'));
}

/** The active organisation's id of the signed-in person. */
export async function organisationOf(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const me = (await (await fetch('/api/auth/me')).json()) as {
      activeMembershipId: string;
      memberships: { id: string; organisation: { id: string } }[];
    };
    return me.memberships.find((m) => m.id === me.activeMembershipId)!.organisation.id;
  });
}

/** Makes a case as the signed-in caseworker, with the survivor's consent for a purpose and recipient (setup). */
export async function caseWithConsent(
  page: Page,
  consent: { purpose: 'Referral' | 'Transfer'; recipientOrganisationId: string; sections: string[] },
): Promise<string> {
  const setup = await page.evaluate(async (consent) => {
    const created = await fetch('/api/cases', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        profile: { gender: 'Feminine', citizenships: ['KE'] },
        victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
      }),
    });
    const id = ((await created.json()) as { id: string }).id;
    const recorded = await fetch(`/api/cases/${id}/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...consent, givenOn: new Date().toISOString().slice(0, 10) }),
    });
    return { created: created.status, consent: recorded.status, id };
  }, consent);
  expect(setup).toMatchObject({ created: 201, consent: 201 });
  return setup.id;
}

/** What a referral spec works with: the server, fresh browser pages, and demo sign-in. */
export interface ReferralSpec {
  readonly server: RunningServer;
  openPage: () => Promise<Page>;
  /** Watches a page opened another way (a second tab) for the same problems. */
  watch: (page: Page) => void;
  signIn: (page: Page, email: string) => Promise<void>;
}

/**
 * Registers, inside a describe block, a server with demo data and a browser for the demo accounts named, checks
 * after each test that no page reported an uncaught error or a CSP violation, and closes everything at the end.
 */
export function referralSpec(emails: string[]): ReferralSpec {
  const suite = useBrowserSuite({ hostname: 'localhost' });
  let credentials: (email: string) => string[];

  beforeAll(() => {
    credentials = demoCredentials(suite.server.output(), emails);
  });

  return {
    get server() {
      return suite.server;
    },
    openPage: () => suite.openPage({ timeout: 15_000 }),
    watch: (page) => suite.watch(page),
    signIn: (page, email) => signInDemo(page, suite.server.baseUrl, email, credentials(email)),
  };
}
