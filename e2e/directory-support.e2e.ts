import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  demoCredentials,
  escapeRegExp,
  expectNoSeriousAxeViolations,
  field,
  message,
  totpCode,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 15_000, interval: 100 };

// Demo accounts and organisations (server/modules/identity/identity.seed.ts, directory.seed.ts): a
// caseworker of a legal aid network asks for support on the Kenyan coast; a case supervisor of Tumaini,
// whose safe homes serve girls there, answers. Both sign in with an authenticator app.
const REQUESTER = { email: 'caseworker@demo.cairn', organisation: 'Mekong Legal Aid Network (demo)' };
const RECIPIENT = { email: 'supervisor@demo.cairn', organisation: 'Tumaini Safe Homes (demo)' };
const STAFF = { email: 'moderator@demo.cairn' };

/** Decodes a quoted-printable body (RFC 2045): soft line breaks go, `=XX` bytes become UTF-8 text. */
function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < joined.length; i += 1) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('find support: a caseworker asks two organisations, one accepts', () => {
  const suite = useBrowserSuite();
  let credentials: (email: string) => string[];
  let outbox: string;
  let requester: Page;
  let requestUrl: string;

  const en = (key: string) => message('en', key);
  const ar = (key: string) => message('ar', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

  async function expectHeading(page: Page, text: string): Promise<void> {
    await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
  }

  const openPage = (options: { locale?: string; width?: number } = {}) =>
    suite.openPage({ ...options, timeout: 15_000 });

  /**
   * Signs in on the sign-in page already open, with the demo password and the account's authenticator code,
   * in the page's language.
   */
  async function signIn(page: Page, email: string, language = 'en'): Promise<void> {
    const [password, secret] = credentials(email);
    await field(page, message(language, 'auth.signIn.email')).fill(email);
    await field(page, message(language, 'auth.signIn.password')).fill(password!);
    await page.getByRole('button', { name: message(language, 'auth.signIn.submit'), exact: true }).click();
    await field(page, message(language, 'auth.secondFactor.totpLabel')).fill(totpCode(secret!));
    await page
      .getByRole('button', { name: message(language, 'auth.secondFactor.verify'), exact: true })
      .click();
  }

  async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
    const overflow = await page.evaluate(
      '(() => { const e = document.querySelector("main"); return e.scrollWidth - e.clientWidth; })()',
    );
    expect(overflow, `${label} scrolls sideways`).toBeLessThanOrEqual(0);
  }

  /** The decoded text of every mail so far to this address. */
  async function mailsTo(address: string): Promise<string[]> {
    const files = (await readdir(outbox).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.eml'))
      .sort();
    const texts = await Promise.all(
      files.map(async (file) => decodeQuotedPrintable(await readFile(path.join(outbox, file), 'utf8'))),
    );
    return texts.filter((text) => new RegExp(`^To: .*${escapeRegExp(address)}`, 'm').test(text));
  }

  beforeAll(() => {
    const output = suite.server.output();
    credentials = demoCredentials(
      output,
      [REQUESTER, RECIPIENT, STAFF].map((person) => person.email),
    );
    const mailDir = /Outgoing mail is written to (\S+)/.exec(output)?.[1];
    if (!mailDir) throw new Error(`The start-up banner lacks demo data:\n${output}`);
    outbox = mailDir;
  });

  it('describes a need without identifying anyone, reads the ranked reasons and asks two organisations', async () => {
    requester = await openPage();
    await requester.goto(`${suite.server.baseUrl}/sign-in`);
    await expectHeading(requester, en('auth.signIn.title'));
    await expectNoSeriousAxeViolations(requester, 'sign in (en)');
    await signIn(requester, REQUESTER.email);
    // The header offers "find support" because the server says this caseworker may ask for it.
    const nav = requester.getByRole('navigation', { name: en('app.navLabel') });
    await nav.getByRole('link', { name: en('support.nav.support') }).click();
    await expectHeading(requester, en('support.find.title'));
    await expectNoSeriousAxeViolations(requester, 'find support, empty (en)');

    // Sending nothing lists what is missing, beside each field and in the summary.
    await requester.getByRole('button', { name: en('support.find.submit') }).click();
    const summary = requester.locator('.error-summary');
    await summary.waitFor();
    await summary.getByRole('link', { name: en('support.find.errors.services') }).waitFor();
    await expectNoSeriousAxeViolations(requester, 'find support, with errors (en)');

    // The place comes from the offline gazetteer and sets the country.
    const place = requester.getByRole('combobox', { name: new RegExp(`^${en('support.find.place')}`) });
    await place.fill('Mombasa');
    await requester.getByRole('option', { name: /^Mombasa, Mombasa County/ }).click();
    await expect.poll(() => field(requester, en('support.find.country')).inputValue(), POLL).toBe('KE');
    await requester
      .getByRole('checkbox', { name: en('directory.vocabulary.services.shelter'), exact: true })
      .check();
    await requester
      .getByRole('checkbox', { name: en('directory.vocabulary.services.psychosocial'), exact: true })
      .check();
    await field(requester, en('support.find.gender')).selectOption('female');
    await field(requester, en('support.find.ageBand')).selectOption('12_17');
    const languages = requester.getByRole('group', { name: en('support.find.languages'), exact: true });
    await languages.getByRole('searchbox').fill('swahili');
    await languages.getByRole('checkbox', { name: 'Swahili', exact: true }).check();
    await requester
      .getByRole('checkbox', { name: en('directory.vocabulary.exploitationTypes.SexualExploitation') })
      .check();
    await requester.getByRole('radio', { name: en('directory.vocabulary.urgencies.emergency') }).check();
    await requester.getByRole('button', { name: en('support.find.submit') }).click();

    await requester.getByRole('heading', { level: 2, name: en('support.results.heading') }).waitFor();
    const results = requester.locator('.support-results__list > li');
    await expect.poll(() => results.count(), POLL).toBeGreaterThan(1);
    const tumaini = results.filter({ hasText: RECIPIENT.organisation });
    expect(await tumaini.count(), `${RECIPIENT.organisation} is among the results`).toBe(1);
    // Each organisation says why it fits, in words.
    const why = await tumaini.getByRole('list').textContent();
    expect(why).toContain(en('support.reasons.offers_all_services'));
    expect(why).toContain(en('support.reasons.serves_population'));
    expect(why).toContain('Speaks Swahili');
    // The requester's own organisation is never offered to itself.
    expect(await results.filter({ hasText: REQUESTER.organisation }).count()).toBe(0);
    await expectNoSeriousAxeViolations(requester, 'find support, results (en)');

    await tumaini.getByRole('checkbox').check();
    const other = results.filter({ hasNotText: RECIPIENT.organisation }).first();
    const otherName =
      (await other.locator('label').first().textContent())?.replace(/^Ask\s*/, '').trim() ?? '';
    await other.getByRole('checkbox').check();
    await requester.getByRole('button', { name: 'Send the request to 2 organisations' }).click();

    await expectHeading(requester, en('support.request.title'));
    requestUrl = requester.url();
    expect(new URL(requestUrl).pathname).toMatch(/^\/directory\/support\/requests\/[0-9a-f-]{36}$/);
    const table = requester.getByRole('table');
    await table.waitFor();
    expect(
      await table.getByRole('row', { name: new RegExp(escapeRegExp(RECIPIENT.organisation)) }).count(),
    ).toBe(1);
    expect(await table.getByRole('row', { name: new RegExp(escapeRegExp(otherName)) }).count()).toBe(1);
    expect(await table.getByText(en('support.recipientStatus.pending')).count()).toBe(2);
    await expectNoSeriousAxeViolations(requester, 'support request, sent (en)');

    // The recipient's case supervisor is told by email that a request arrived — and nothing about the need.
    let mail = '';
    await expect
      .poll(
        async () => {
          mail =
            (await mailsTo(RECIPIENT.email)).find((text) => text.includes('/directory/support/incoming')) ??
            '';
          return mail !== '';
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
    for (const detail of ['Mombasa', 'Shelter', 'shelter', 'Swahili', 'Female', 'girl'])
      expect(mail.split('\n\n').slice(1).join('\n\n'), `the email mentions "${detail}"`).not.toContain(
        detail,
      );
  });

  it('lets the recipient’s case supervisor accept it, in Arabic, with its response record', async () => {
    const page = await openPage({ locale: 'ar-EG', width: 390 });
    await page.goto(`${suite.server.baseUrl}/directory/support/incoming`);
    await expectHeading(page, ar('auth.signIn.title'));
    await signIn(page, RECIPIENT.email, 'ar');
    await expectHeading(page, ar('support.incoming.title'));
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.getByRole('heading', { level: 2, name: ar('support.stats.heading') }).waitFor();
    const card = page.getByRole('article', { name: new RegExp(escapeRegExp(REQUESTER.organisation)) });
    await card.waitFor();
    // The recipient reads the need in its own language, and never who else was asked.
    expect(await card.textContent()).toContain(message('ar', 'directory.vocabulary.services.shelter'));
    await expectNoSidewaysScroll(page, 'incoming requests (ar, 390px)');
    await expectNoSeriousAxeViolations(page, 'incoming requests (ar)');

    await card
      .getByRole('button', { name: new RegExp(`^${escapeRegExp(ar('support.answer.accept'))}`) })
      .click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: ar('support.answer.acceptTitle') }).waitFor();
    await expectNoSeriousAxeViolations(page, 'accept dialog (ar)');
    await dialog.getByRole('button', { name: ar('support.answer.acceptConfirm'), exact: true }).click();
    // Accepted, it leaves the list of requests waiting for an answer.
    await page.getByText(ar('support.incoming.none.pending')).waitFor();
    await page.getByRole('link', { name: ar('support.incoming.filter.answered') }).click();
    await card.getByText(ar('support.recipientStatus.accepted')).waitFor();
    await expectNoSeriousAxeViolations(page, 'incoming requests, answered (ar)');
  });

  it('shows the requester the acceptance as it arrives, and the other organisation withdrawn', async () => {
    const page = requester;
    // The open request page refreshes itself (every 10 s while visible): no reload.
    const accepted = `Accepted by ${RECIPIENT.organisation}.`;
    await page.getByText(accepted).waitFor({ timeout: 25_000 });
    const table = page.getByRole('table');
    await table.getByText(en('support.recipientStatus.accepted')).waitFor();
    await table.getByText(en('support.recipientStatus.withdrawn')).waitFor();
    expect(await page.getByRole('button', { name: en('support.request.close') }).count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'support request, accepted (en)');

    await page.getByRole('link', { name: en('support.tabs.sent') }).click();
    await expectHeading(page, en('support.sent.title'));
    const card = page.locator('.support-card').first();
    await card.locator('.orgs-badges').getByText(en('support.status.accepted'), { exact: true }).waitFor();
    await card.getByText(accepted).waitFor();
    await expectNoSeriousAxeViolations(page, 'sent requests (en)');

    // The requester is also told by email, again without details.
    await expect
      .poll(
        async () =>
          (await mailsTo(REQUESTER.email)).some((text) => text.includes(new URL(requestUrl).pathname)),
        {
          timeout: 20_000,
          interval: 250,
        },
      )
      .toBe(true);
  });

  it('shows platform staff unmet needs by country and service', async () => {
    const page = await openPage();
    await page.goto(`${suite.server.baseUrl}/sign-in`);
    await signIn(page, STAFF.email);
    const nav = page.getByRole('navigation', { name: en('app.navLabel') });
    await nav.getByRole('link', { name: en('support.nav.unmet') }).click();
    await expectHeading(page, en('support.unmet.title'));
    // The only request was accepted: nothing is unmet.
    await page.getByText(en('support.unmet.none')).waitFor();
    await expectNoSeriousAxeViolations(page, 'unmet needs (en)');
  });
});
