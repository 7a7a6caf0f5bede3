import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../server/modules/identity/identity.seed.js';
import {
  addVirtualAuthenticator,
  demoCredentials,
  escapeRegExp,
  expectNoSeriousAxeViolations,
  field,
  message,
  signInWithAuthenticator,
  totpCode,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 15_000, interval: 100 };

// The people of the journey. The moderator is a demo account (server/modules/identity/identity.seed.ts);
// the applicant and the colleague are created by the test, through the pages.
const MODERATOR = { email: 'moderator@demo.cairn' };
const ADMIN = { email: 'admin@demo.cairn' };
const DEMO_APPLICANT = { email: 'applicant@demo.cairn' };
const ORGANISATION = 'Mwanga Safe Passage (e2e)';
// A pending application in the demo data, and the exchange about it.
const DEMO_APPLICATION = 'Sahel Shelter Collective (demo application)';
const QUESTION = 'Which towns do your shelters work in, and who funds them?';
const ANSWER = 'Niamey and Gao. Funded by two foundations; letters attached to our website.';
const APPLICANT = {
  name: 'Wanjiku Kamau',
  email: 'wanjiku@mwanga-e2e.example',
  password: 'amber lantern over a quiet harbour',
};
const COLLEAGUE = {
  name: 'Baraka Otieno',
  email: 'baraka@mwanga-e2e.example',
  password: 'seven kites above the dry riverbed',
};

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

describe('organisations: apply, vet, invite, manage members', () => {
  // Passkeys need a domain name as relying party, hence localhost rather than an IP address.
  const suite = useBrowserSuite({ hostname: 'localhost' });
  let moderatorSecret: string;
  let adminSecret: string;
  let outbox: string;
  // Pages that live across the steps of the journey, as the same people keep working.
  let applicantPage: Page;
  let invitationLink: string;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

  async function expectHeading(page: Page, text: string): Promise<void> {
    await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
  }

  /** A fresh browser context (no cookies, no stored language) with a virtual passkey authenticator. */
  async function openPage(options: { locale?: string; width?: number } = {}): Promise<Page> {
    const page = await suite.openPage({ ...options, timeout: 15_000 });
    await addVirtualAuthenticator(page);
    return page;
  }

  /**
   * Nothing may make the page scroll sideways. `scope` narrows the check to one element's content (its
   * own overflow, tables scrolling inside their regions excepted), for pages whose frame is not this
   * spec's concern.
   */
  async function expectNoSidewaysScroll(page: Page, label: string, scope = 'html'): Promise<void> {
    const overflow = await page.evaluate(
      `(() => { const e = document.querySelector(${JSON.stringify(scope)}); return e.scrollWidth - e.clientWidth; })()`,
    );
    expect(overflow, `${label} scrolls sideways`).toBeLessThanOrEqual(0);
  }

  async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
    await field(page, en('auth.signIn.email')).fill(email);
    await field(page, en('auth.signIn.password')).fill(password);
    await page.getByRole('button', { name: en('auth.signIn.submit'), exact: true }).click();
  }

  /** A success toast with this text (toasts are announced in a polite live region). */
  async function expectToast(page: Page, text: string): Promise<void> {
    await page.getByRole('status').filter({ hasText: text }).first().waitFor();
  }

  /** Waits for the email to this address that contains `marker`, and returns its decoded text. */
  async function emailTo(address: string, marker: RegExp): Promise<string> {
    let found = '';
    await expect
      .poll(
        async () => {
          const files = await readdir(outbox).catch(() => [] as string[]);
          for (const file of files.filter((name) => name.endsWith('.eml')).sort()) {
            const text = decodeQuotedPrintable(await readFile(path.join(outbox, file), 'utf8'));
            if (new RegExp(`^To: .*${escapeRegExp(address)}`, 'm').test(text) && marker.test(text)) {
              found = text;
              return true;
            }
          }
          return false;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
    return found;
  }

  beforeAll(() => {
    const output = suite.server.output();
    // The start-up banner lists the demo accounts with their TOTP secrets, and where mail is written, as a
    // newcomer would read them.
    const credentials = demoCredentials(output, [MODERATOR.email, ADMIN.email]);
    moderatorSecret = credentials(MODERATOR.email)[1]!;
    adminSecret = credentials(ADMIN.email)[1]!;
    const mailDir = /Outgoing mail is written to (\S+)/.exec(output)?.[1];
    if (!mailDir) throw new Error(`The start-up banner lacks demo data or the outbox:\n${output}`);
    outbox = mailDir;
  });

  it('applies for an organisation on a small phone, with every error shown inline first', async () => {
    const page = await openPage({ width: 320 });
    await page.goto(`${suite.server.baseUrl}/organisations/apply`);
    await expectHeading(page, en('orgs.apply.title'));

    // Sending the empty form lists every missing answer at the top and beside each field.
    await page.getByRole('button', { name: en('orgs.apply.submit') }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    for (const key of ['name', 'type', 'countries', 'referee', 'displayName', 'email', 'password']) {
      const text = en(`orgs.apply.errors.${key}`);
      expect(await summary.getByRole('link', { name: text }).count(), `summary lists ${key}`).toBe(1);
      expect(await page.locator('.field__error').filter({ hasText: text }).count(), `inline ${key}`).toBe(1);
    }
    expect(await page.evaluate('document.activeElement?.classList.contains("error-summary")')).toBe(true);
    await expectNoSidewaysScroll(page, 'apply form with errors (320px)');
    await expectNoSeriousAxeViolations(page, 'apply, with errors (en, 320px)');

    // The summary's link takes the reader to the field.
    await summary.getByRole('link', { name: en('orgs.apply.errors.countries') }).click();
    expect(await page.evaluate('document.activeElement?.type')).toBe('search');

    await field(page, en('orgs.apply.name')).fill(ORGANISATION);
    await field(page, en('orgs.apply.type')).selectOption('ngo');
    // Countries: tick one from the filtered list, and pick another by typing it and pressing Enter.
    const search = field(page, en('orgs.countries.search'));
    await search.fill('keny');
    await page.getByRole('checkbox', { name: 'Kenya' }).check();
    await search.fill('ugan');
    await search.press('Enter');
    await expect.poll(() => page.getByRole('button', { name: /Uganda/ }).count(), POLL).toBe(1);
    expect(await page.getByRole('button', { name: /Kenya/ }).count()).toBe(1);
    await field(page, en('orgs.apply.website')).fill('mwanga-e2e.example');
    await field(page, en('orgs.apply.referee')).fill('Grace Achieng, Coast Women’s Network, +254 700 000000');
    await field(page, en('orgs.apply.displayName')).fill(APPLICANT.name);
    await field(page, en('orgs.apply.email')).fill(APPLICANT.email);
    await field(page, en('orgs.apply.password')).fill(APPLICANT.password);
    await page.getByRole('button', { name: en('orgs.apply.submit') }).click();

    await page.getByRole('heading', { name: en('orgs.apply.sentTitle') }).waitFor();
    await expectNoSidewaysScroll(page, 'application sent (320px)');
    await expectNoSeriousAxeViolations(page, 'apply, sent (en, 320px)');
    await emailTo(APPLICANT.email, /applications/);

    // The applicant can follow the application straight away: no second factor is needed for that.
    await page.getByRole('link', { name: en('orgs.apply.sentSignIn') }).click();
    await expectHeading(page, en('auth.signIn.title'));
    await signInWithPassword(page, APPLICANT.email, APPLICANT.password);
    await expectHeading(page, en('orgs.mine.title'));
    const card = page.getByRole('article', { name: ORGANISATION });
    await card.waitFor();
    expect(await card.textContent()).toContain(en('orgs.statuses.pending'));
    // Signed in, the header's organisation menu is as wide as the longest name (the sign-in pages' own
    // concern); this page's content must fit.
    await expectNoSidewaysScroll(page, 'my applications (320px)', 'main');
    await expectNoSeriousAxeViolations(page, 'my applications (en, 320px)');
  });

  it('is approved by the demo moderator, who signs in with an authenticator code and questions another', async () => {
    const page = await openPage();
    await page.goto(`${suite.server.baseUrl}/sign-in`);
    await expectHeading(page, en('auth.signIn.title'));
    await signInWithPassword(page, MODERATOR.email, demoPassword);
    await field(page, en('auth.secondFactor.totpLabel')).fill(totpCode(moderatorSecret));
    await page.getByRole('button', { name: en('auth.secondFactor.verify'), exact: true }).click();

    // The header offers moderation because the server says this person may moderate.
    const nav = page.getByRole('navigation', { name: en('app.navLabel') });
    await nav.getByRole('link', { name: en('orgs.nav.moderation'), exact: true }).click();
    await expectHeading(page, en('orgs.queue.title'));
    await page.getByRole('table').waitFor();
    await expectNoSeriousAxeViolations(page, 'moderation queue (en)');

    await page.getByRole('link', { name: ORGANISATION }).click();
    await expectHeading(page, ORGANISATION);
    expect(await page.getByText(/Grace Achieng/).count()).toBe(1);
    expect(await page.getByText('Kenya and Uganda').count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'application review (en)');

    await page.getByRole('button', { name: en('orgs.review.approve'), exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // Confirming without a tier is refused inside the dialog.
    await dialog.getByRole('button', { name: en('orgs.review.dialog.approve.confirm'), exact: true }).click();
    await dialog
      .locator('.field__error')
      .filter({ hasText: en('orgs.review.tierRequired') })
      .waitFor();
    await expectNoSeriousAxeViolations(page, 'approve dialog with an error (en)');
    await dialog.getByRole('radio', { name: en('orgs.tiers.verified_frontline.name') }).check();
    await dialog.getByRole('button', { name: en('orgs.review.dialog.approve.confirm'), exact: true }).click();

    await expectHeading(page, en('orgs.queue.title'));
    await expectToast(page, `${ORGANISATION} has been approved.`);
    await expect.poll(() => page.getByRole('link', { name: ORGANISATION }).count(), POLL).toBe(0);
    await emailTo(APPLICANT.email, /approved/);

    // The demo's other application gets a question instead; it moves to the applicant's side of the queue.
    await page.getByRole('link', { name: DEMO_APPLICATION }).click();
    await expectHeading(page, DEMO_APPLICATION);
    await page.getByRole('button', { name: en('orgs.review.requestInfo'), exact: true }).click();
    await page
      .getByRole('dialog')
      .getByLabel(new RegExp(`^${en('orgs.review.messageLabel')}`))
      .fill(QUESTION);
    await page
      .getByRole('dialog')
      .getByRole('button', { name: en('orgs.review.dialog.requestInfo.confirm') })
      .click();
    await expectHeading(page, en('orgs.queue.title'));
    await page.getByRole('link', { name: en('orgs.queue.tabs.info_requested') }).click();
    await page.getByRole('link', { name: DEMO_APPLICATION }).waitFor();
  });

  it('lets the demo applicant read the moderator’s question and answer it', async () => {
    const page = await openPage({ locale: 'es-ES' });
    await page.goto(`${suite.server.baseUrl}/sign-in?next=%2Fapplications`);
    await field(page, message('es', 'auth.signIn.email')).fill(DEMO_APPLICANT.email);
    await field(page, message('es', 'auth.signIn.password')).fill(demoPassword);
    await page.getByRole('button', { name: message('es', 'auth.signIn.submit'), exact: true }).click();
    await expectHeading(page, message('es', 'orgs.mine.title'));
    const card = page.getByRole('article', { name: DEMO_APPLICATION });
    await card.getByText(QUESTION).waitFor();
    await expectNoSeriousAxeViolations(page, 'my applications with a question (es)');
    await card.getByLabel(new RegExp(`^${message('es', 'orgs.mine.answerLabel')}`)).fill(ANSWER);
    await card.getByRole('button', { name: message('es', 'orgs.mine.answerSubmit') }).click();
    await card.getByText(message('es', 'orgs.mine.yourAnswer')).waitFor();
    expect(await card.textContent()).toContain(message('es', 'orgs.statuses.pending'));
    expect(await card.getByRole('button').count()).toBe(0);
  });

  it('lets the applicant sign in, add a passkey and invite a colleague', async () => {
    const page = await openPage();
    applicantPage = page;
    await page.goto(`${suite.server.baseUrl}/sign-in`);
    await signInWithPassword(page, APPLICANT.email, APPLICANT.password);
    // An administrator's role needs a second factor: the sign-in leads to adding a passkey first.
    await expectHeading(page, en('auth.enrol.title'));
    await page.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname, POLL).not.toBe('/account/add-passkey');

    const nav = page.getByRole('navigation', { name: en('app.navLabel') });
    await nav.getByRole('link', { name: en('orgs.nav.myOrganisation') }).click();
    await expectHeading(page, ORGANISATION);
    expect(await page.getByText(en('orgs.tiers.verified_frontline.name')).first().isVisible()).toBe(true);
    expect(await page.getByText(en('orgs.fields.lastVerified')).count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'organisation page (en)');

    await page.getByRole('link', { name: en('orgs.organisation.members') }).click();
    await expectHeading(page, en('orgs.members.title'));
    await page.getByRole('row', { name: new RegExp(APPLICANT.name) }).waitFor();
    await field(page, en('orgs.members.email')).fill(COLLEAGUE.email);
    await field(page, en('orgs.members.role')).selectOption('member');
    await page.getByRole('button', { name: en('orgs.members.inviteSubmit') }).click();
    await expectToast(page, `Invitation sent to ${COLLEAGUE.email}.`);
    await page.getByRole('row', { name: new RegExp(escapeRegExp(COLLEAGUE.email)) }).waitFor();
    await expectNoSeriousAxeViolations(page, 'members with a pending invitation (en)');

    const mail = await emailTo(COLLEAGUE.email, /invitations\/accept#token=/);
    invitationLink = /(https?:\/\/\S+\/invitations\/accept#token=[A-Za-z0-9_-]+)/.exec(mail)?.[1] ?? '';
    expect(invitationLink.startsWith(suite.server.baseUrl)).toBe(true);
  });

  it('lets the colleague accept in Arabic and create an account; the token leaves the address bar', async () => {
    const page = await openPage({ locale: 'ar-EG', width: 360 });
    await page.goto(invitationLink);
    await expectHeading(page, message('ar', 'orgs.accept.title'));
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    // The token is read, then removed from the address (and history) at once.
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe('');

    await field(page, message('ar', 'orgs.accept.displayName')).fill(COLLEAGUE.name);
    await field(page, message('ar', 'orgs.accept.password')).fill(COLLEAGUE.password);
    await expectNoSeriousAxeViolations(page, 'accept invitation (ar)');
    await page.getByRole('button', { name: message('ar', 'orgs.accept.create') }).click();
    await page
      .getByRole('heading', {
        level: 2,
        name: message('ar', 'orgs.accept.joinedTitle').replace('{organisation}', ORGANISATION),
      })
      .waitFor();
    await expectNoSidewaysScroll(page, 'invitation accepted (ar)');
    await expectNoSeriousAxeViolations(page, 'invitation accepted (ar)');
  });

  it('lets the administrator change the colleague’s role, remove them, and read it all in the audit trail', async () => {
    const page = applicantPage;
    await page.reload();
    await expectHeading(page, en('orgs.members.title'));
    const colleagueRow = page.getByRole('row', { name: new RegExp(COLLEAGUE.name) });
    await colleagueRow.waitFor();
    expect(await colleagueRow.textContent()).toContain(en('orgs.roles.member.name'));
    expect(await page.getByText(en('orgs.members.noInvitations')).count()).toBe(1);

    await colleagueRow.getByRole('button', { name: new RegExp(`^${en('orgs.members.changeRole')}`) }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: en('orgs.roles.caseworker.name') }).check();
    await expectNoSeriousAxeViolations(page, 'change role dialog (en)');
    await dialog.getByRole('button', { name: en('orgs.members.dialog.changeRole.confirm') }).click();
    await expectToast(page, `${COLLEAGUE.name} is now: ${en('orgs.roles.caseworker.name')}.`);
    await expect.poll(() => colleagueRow.textContent(), POLL).toContain(en('orgs.roles.caseworker.name'));

    await colleagueRow.getByRole('button', { name: new RegExp(`^${en('orgs.members.remove')}`) }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: en('orgs.members.dialog.remove.confirm'), exact: true })
      .click();
    await expectToast(page, `${COLLEAGUE.name} has been removed from the organisation.`);
    await expect.poll(() => colleagueRow.count(), POLL).toBe(0);
    await expectNoSeriousAxeViolations(page, 'members after removal (en)');

    await page
      .getByRole('link', { name: new RegExp(escapeRegExp(ORGANISATION)) })
      .first()
      .click();
    await expectHeading(page, ORGANISATION);
    await page.getByRole('link', { name: en('orgs.organisation.audit') }).click();
    await expectHeading(page, en('orgs.audit.title'));
    const table = page.getByRole('table');
    await table.waitFor();
    for (const action of [
      'member_removed',
      'member_role_changed',
      'invitation_accepted',
      'member_invited',
      'organisation_approved',
    ]) {
      expect(
        await table.getByText(en(`orgs.audit.actions.identity_${action}`)).count(),
        action,
      ).toBeGreaterThan(0);
    }
    // The moderator who vetted the organisation is not named in the organisation's own trail.
    expect(await table.getByText(en('orgs.audit.staff')).count()).toBeGreaterThan(0);
    await expectNoSeriousAxeViolations(page, 'audit trail (en)');
  });

  it('shows the platform administrator every organisation, with filters, and the sign-in setting', async () => {
    const page = await openPage();
    await signInWithAuthenticator(
      page,
      suite.server.baseUrl,
      { email: ADMIN.email, password: demoPassword, secret: adminSecret },
      '/platform',
    );
    await expectHeading(page, en('orgs.platform.title'));
    await page.getByRole('link', { name: ORGANISATION }).waitFor();

    // Filtering by status keeps only the suspended demo organisation; the filter lives in the address.
    await field(page, en('orgs.fields.status')).selectOption('suspended');
    await page.getByRole('button', { name: en('orgs.platform.filter') }).click();
    await expect.poll(() => page.getByRole('link', { name: ORGANISATION }).count(), POLL).toBe(0);
    expect(new URL(page.url()).searchParams.get('status')).toBe('suspended');
    expect(await page.getByRole('table').getByRole('link').count()).toBeGreaterThan(0);

    // The demo lets sensitive roles use authenticator apps, which the page warns about.
    await page.getByText(en('orgs.platform.factor.totpWarning')).waitFor();
    expect(
      await page
        .getByRole('radio', { name: en('orgs.platform.factor.options.passkey_or_totp.label') })
        .isChecked(),
    ).toBe(true);
    await expectNoSeriousAxeViolations(page, 'platform administration (en)');
  });
});
