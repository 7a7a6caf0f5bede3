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

// Demo accounts (server/modules/identity/identity.seed.ts): a member of a survivor-led organisation, who
// signs in with a password alone, and a caseworker of a legal aid network, who has an authenticator app.
const ME = { email: 'member@demo.cairn', name: 'Rahima Begum', organisation: 'Voices of Return' };
const COLLEAGUE = {
  email: 'caseworker@demo.cairn',
  name: 'Sophea Chan',
  organisation: 'Mekong Legal Aid Network (demo)',
};
const JOB_TITLE = 'Reintegration officer, returnees from Malaysia';
const TEXT =
  'Could your team meet two women returning from Penang next week? Their route passed through Johor.';
const REPLY = 'Yes. Write to me here with the dates and we will arrange a safe meeting place.';

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

describe('directory people: publish a profile, be found, be written to, read it', () => {
  const suite = useBrowserSuite();
  let demoPassword: string;
  let colleagueSecret: string;
  let outbox: string;
  let mine: Page;
  let colleague: Page;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const nav = (page: Page) => page.getByRole('navigation', { name: en('app.navLabel') });

  async function expectHeading(page: Page, text: string): Promise<void> {
    await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
  }

  const openPage = (options: { locale?: string; width?: number } = {}) =>
    suite.openPage({ ...options, timeout: 15_000 });

  async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
    const overflow = await page.evaluate(
      '(() => { const e = document.querySelector("main"); return e.scrollWidth - e.clientWidth; })()',
    );
    expect(overflow, `${label} scrolls sideways`).toBeLessThanOrEqual(0);
  }

  async function signIn(page: Page, email: string, language = 'en'): Promise<void> {
    await field(page, message(language, 'auth.signIn.email')).fill(email);
    await field(page, message(language, 'auth.signIn.password')).fill(demoPassword);
    await page.getByRole('button', { name: message(language, 'auth.signIn.submit'), exact: true }).click();
  }

  async function expectToast(page: Page, text: string): Promise<void> {
    await page.getByRole('status').filter({ hasText: text }).first().waitFor();
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
    [demoPassword, colleagueSecret] = demoCredentials(output, [COLLEAGUE.email])(COLLEAGUE.email) as [
      string,
      string,
    ];
    const mailDir = /Outgoing mail is written to (\S+)/.exec(output)?.[1];
    if (!mailDir) throw new Error(`The start-up banner lacks demo data:\n${output}`);
    outbox = mailDir;
  });

  it('publishes my professional profile', async () => {
    mine = await openPage();
    await mine.goto(`${suite.server.baseUrl}/directory/my-profile`);
    // Not signed in: sent to sign in, and brought back afterwards.
    await expectHeading(mine, en('auth.signIn.title'));
    await signIn(mine, ME.email);
    await expectHeading(mine, en('people.mine.title'));
    await mine.getByText(en('people.mine.neverSaved')).waitFor();
    expect(await mine.getByRole('radio', { name: en('people.mine.published.no') }).isChecked()).toBe(true);
    await expectNoSeriousAxeViolations(mine, 'my professional profile, new (en)');

    // Listing a profile without a role is refused, beside the field and in the summary.
    await mine.getByRole('radio', { name: en('people.mine.published.yes') }).check();
    await mine.getByRole('button', { name: en('people.mine.save') }).click();
    const summary = mine.locator('.error-summary');
    await summary.waitFor();
    await mine
      .locator('.field__error')
      .filter({ hasText: 'Add your role or job title before you publish your profile.' })
      .waitFor();
    await expectNoSeriousAxeViolations(mine, 'my professional profile, with an error (en)');

    await field(mine, en('people.fields.jobTitle')).fill(JOB_TITLE);
    await field(mine, en('people.fields.bio')).fill(
      'Family tracing and reintegration for women returning home.',
    );
    await mine.getByRole('checkbox', { name: en('directory.vocabulary.focus.protection') }).check();
    await mine.getByRole('checkbox', { name: en('directory.vocabulary.services.family_tracing') }).check();
    await mine.getByRole('checkbox', { name: en('directory.vocabulary.services.reintegration') }).check();
    const languages = mine.getByRole('group', { name: en('people.fields.languages'), exact: true });
    await languages.getByRole('searchbox').fill('malay');
    await languages.getByRole('checkbox', { name: 'Malay', exact: true }).check();
    const countries = mine.getByRole('group', { name: en('people.fields.countries'), exact: true });
    await countries.getByRole('searchbox').fill('banglad');
    await countries.getByRole('searchbox').press('Enter');
    await countries.getByRole('searchbox').fill('malays');
    await countries.getByRole('searchbox').press('Enter');
    await expect
      .poll(() => countries.getByRole('button', { name: /Malaysia|Bangladesh/ }).count(), POLL)
      .toBe(2);
    await mine.getByRole('button', { name: en('people.mine.save') }).click();
    await expectToast(mine, en('people.mine.savedPublished'));
    await mine.getByRole('link', { name: en('people.mine.viewAsOthers') }).waitFor();
    await expectNoSeriousAxeViolations(mine, 'my professional profile, saved (en)');

    // My own page shows it as others see it.
    await mine.getByRole('link', { name: en('people.mine.viewAsOthers') }).click();
    await expectHeading(mine, ME.name);
    await mine.getByText(en('people.person.ownPublished')).waitFor();
    expect(await mine.getByRole('heading', { name: /Send a message/ }).count()).toBe(0);
    await expectNoSeriousAxeViolations(mine, 'my person page (en)');
  });

  it('lets a colleague of another organisation find me and write to me', async () => {
    colleague = await openPage();
    await colleague.goto(`${suite.server.baseUrl}/directory/people`);
    await expectHeading(colleague, en('auth.signIn.title'));
    await signIn(colleague, COLLEAGUE.email);
    await field(colleague, en('auth.secondFactor.totpLabel')).fill(totpCode(colleagueSecret));
    await colleague.getByRole('button', { name: en('auth.secondFactor.verify'), exact: true }).click();
    // Signed in, the colleague is brought back to the people search.
    await expectHeading(colleague, en('people.search.title'));
    await expectNoSeriousAxeViolations(colleague, 'people search (en)');

    // The header offers People to members.
    expect(
      await nav(colleague)
        .getByRole('link', { name: en('people.nav.people') })
        .count(),
    ).toBe(1);

    const filters = colleague.getByRole('search', { name: en('people.search.filtersLabel') });
    await filters.getByLabel(en('people.fields.expertise')).selectOption('family_tracing');
    await filters.getByLabel(en('people.search.language')).selectOption('ms');
    await filters.getByRole('button', { name: en('people.search.submit') }).click();
    // The address holds the query, so it can be shared and comes back with Back.
    await expect
      .poll(() => new URL(colleague.url()).search, POLL)
      .toBe('?expertise=family_tracing&language=ms');
    const result = colleague.getByRole('article', { name: ME.name });
    await result.waitFor();
    expect(await result.textContent()).toContain(JOB_TITLE);
    // SECURITY: no email address anywhere on the page.
    expect(await colleague.locator('main').textContent()).not.toContain('@demo.cairn');
    await expectNoSeriousAxeViolations(colleague, 'people search with results (en)');

    await result.getByRole('link', { name: ME.name }).click();
    await expectHeading(colleague, ME.name);
    await colleague.getByText(en('directory.vocabulary.services.family_tracing'), { exact: true }).waitFor();
    await expectNoSeriousAxeViolations(colleague, 'person page (en)');

    await field(colleague, en('people.message.label')).fill(TEXT);
    await colleague.getByRole('button', { name: en('people.message.send') }).click();
    await expectToast(colleague, `Message sent to ${ME.name}.`);
    expect(await field(colleague, en('people.message.label')).inputValue()).toBe('');
    await expectNoSeriousAxeViolations(colleague, 'person page, message sent (en)');

    // The email says who wrote and where to read it: never the text, never the sender's address.
    let mail = '';
    await expect
      .poll(
        async () => {
          mail = (await mailsTo(ME.email)).find((text) => text.includes('sent you a message')) ?? '';
          return mail !== '';
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
    expect(mail).toContain(`${COLLEAGUE.name} from ${COLLEAGUE.organisation} sent you a message on Cairn`);
    expect(mail).toContain('/directory/messages');
    expect(mail).not.toContain('Penang');
    expect(mail).not.toContain(COLLEAGUE.email);
  });

  it('shows me the message in my inbox, unread until I read it, and lets me answer', async () => {
    await nav(mine)
      .getByRole('link', { name: en('people.nav.messages') })
      .click();
    await expectHeading(mine, en('people.messages.title'));
    const item = mine.getByRole('article', { name: new RegExp(COLLEAGUE.name) });
    await item.getByText(TEXT).waitFor();
    await item.getByText(en('people.messages.new'), { exact: true }).waitFor();
    await mine.getByRole('link', { name: /1 unread/ }).waitFor();
    await expectNoSeriousAxeViolations(mine, 'messages, one unread (en)');

    await item.getByRole('button', { name: new RegExp(`^${en('people.messages.markRead')}`) }).click();
    await expect.poll(() => item.getByText(en('people.messages.new'), { exact: true }).count(), POLL).toBe(0);
    expect(await mine.getByRole('link', { name: /unread/ }).count()).toBe(0);
    await expectNoSeriousAxeViolations(mine, 'messages, all read (en)');

    // An answer goes back through Cairn, though the colleague has no public profile: they wrote first.
    await item.getByRole('button', { name: new RegExp(`^${en('people.messages.reply')}`) }).click();
    await expectNoSeriousAxeViolations(mine, 'messages, replying (en)');
    await item.getByLabel(new RegExp(`^${escapeRegExp(en('people.message.label'))}`)).fill(REPLY);
    await item.getByRole('button', { name: en('people.message.send') }).click();
    await expectToast(mine, `Message sent to ${COLLEAGUE.name}.`);
    await mine
      .getByRole('navigation', { name: en('people.messages.boxesLabel') })
      .getByRole('link', { name: en('people.messages.boxes.sent') })
      .click();
    // The reply form closed once the answer was sent.
    expect(await mine.getByLabel(new RegExp(`^${escapeRegExp(en('people.message.label'))}`)).count()).toBe(0);
    await mine.getByText(REPLY).waitFor();
    await expectNoSeriousAxeViolations(mine, 'messages, sent (en)');

    // The colleague sees the answer in their own inbox.
    await colleague.goto(`${suite.server.baseUrl}/directory/messages`);
    await colleague
      .getByRole('article', { name: new RegExp(ME.name) })
      .getByText(REPLY)
      .waitFor();
  });

  it('works right to left, on a small phone', async () => {
    const ar = (key: string) => message('ar', key);
    const page = await openPage({ locale: 'ar-EG', width: 320 });
    await page.goto(`${suite.server.baseUrl}/sign-in?next=%2Fdirectory%2Fmessages`);
    await signIn(page, ME.email, 'ar');
    await expectHeading(page, ar('people.messages.title'));
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.getByText(TEXT).waitFor();
    await expectNoSidewaysScroll(page, 'messages (ar, 320px)');
    await expectNoSeriousAxeViolations(page, 'messages (ar, 320px)');

    await page.goto(`${suite.server.baseUrl}/directory/people?language=ms`);
    await expectHeading(page, ar('people.search.title'));
    await page.getByRole('article', { name: ME.name }).waitFor();
    await expectNoSidewaysScroll(page, 'people search (ar, 320px)');
    await expectNoSeriousAxeViolations(page, 'people search (ar, 320px)');

    await page.goto(`${suite.server.baseUrl}/directory/my-profile`);
    await expectHeading(page, ar('people.mine.title'));
    await expectNoSidewaysScroll(page, 'my professional profile (ar, 320px)');
    await expectNoSeriousAxeViolations(page, 'my professional profile (ar, 320px)');
  });
});
