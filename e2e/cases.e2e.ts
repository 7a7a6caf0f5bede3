import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addVirtualAuthenticator,
  demoCredentials,
  escapeRegExp,
  expectNoSeriousAxeViolations,
  field,
  message,
  signInWithAuthenticator,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 15_000, interval: 100 };

// The people of the journey. The org admin and the case supervisor of Tumaini Safe Homes are demo accounts
// (server/modules/identity/identity.seed.ts) signing in with an authenticator app; the caseworker is invited
// into the same organisation by the test and adds a passkey, which the step-up before revealing needs.
const ORG_ADMIN = { email: 'orgadmin@demo.cairn' };
const SUPERVISOR = { email: 'supervisor@demo.cairn', name: 'Joseph Okello' };
const CASEWORKER = {
  name: 'Neema Wairimu',
  email: 'neema.caseworker@tumaini-e2e.example',
  password: 'lanterns drift over the quiet lagoon',
};
// The survivor is fictional; the marker makes the identifying fields easy to find (and to miss) on a page.
const SURVIVOR = {
  firstName: 'Zawadi',
  secondName: 'Markerline',
  birthYear: '1999',
  passport: 'E2E-PA-4471902',
  account: 'Recruited through a job advert for hotel work abroad; passport taken on arrival.',
};
const RECIPIENT = 'Mekong Legal Aid Network (demo)';

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

/** YYYY-MM-DD, `days` from today (UTC, as the server counts). */
function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe('cases: a caseworker opens and works a case, a supervisor approves its closure', () => {
  // Passkeys need a host name: WebAuthn refuses an IP address as the relying party.
  const suite = useBrowserSuite({ hostname: 'localhost' });
  let credentials: (email: string) => string[];
  let outbox: string;
  let caseworker: Page;
  let caseUrl: string;
  let reference: string;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const nav = (page: Page) => page.getByRole('navigation', { name: en('app.navLabel') });

  async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
    if (typeof text === 'string') await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
    else await expect.poll(() => h1(page).textContent(), POLL).toMatch(text);
  }

  /** A watched page in a fresh context, with a virtual passkey authenticator. */
  async function openPage(): Promise<Page> {
    const page = await suite.openPage({ timeout: 15_000 });
    await addVirtualAuthenticator(page);
    return page;
  }

  /** Opens the sign-in page and signs in a demo account with the demo password and its authenticator code. */
  async function signInWithTotp(page: Page, email: string): Promise<void> {
    const [password, secret] = credentials(email);
    await signInWithAuthenticator(page, suite.server.baseUrl, {
      email,
      password: password!,
      secret: secret!,
    });
  }

  /** A success toast with this text (toasts are announced in a polite live region). */
  async function expectToast(page: Page, text: string): Promise<void> {
    await page.getByRole('status').filter({ hasText: text }).first().waitFor();
  }

  /** Waits for the email to this address that matches `marker`, and returns its decoded text. */
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

  /** A section of the case file, by its heading. */
  const section = (page: Page, heading: string) =>
    page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });

  beforeAll(() => {
    const output = suite.server.output();
    credentials = demoCredentials(output, [ORG_ADMIN.email, SUPERVISOR.email]);
    const mailDir = /Outgoing mail is written to (\S+)/.exec(output)?.[1];
    if (!mailDir) throw new Error(`The start-up banner lacks demo data:\n${output}`);
    outbox = mailDir;
  });

  it('lets the organisation admin invite a caseworker, who joins and adds a passkey', async () => {
    const admin = await openPage();
    await signInWithTotp(admin, ORG_ADMIN.email);
    await expectHeading(admin, en('home.title'));
    // The invitation itself is the identity module's (its own spec drives the page); here it is only setup.
    const status = await admin.evaluate(async (email) => {
      const me = (await (await fetch('/api/auth/me')).json()) as {
        activeMembershipId: string;
        memberships: { id: string; organisation: { id: string } }[];
      };
      const organisation = me.memberships.find((m) => m.id === me.activeMembershipId)!.organisation.id;
      const response = await fetch(`/api/identity/organisations/${organisation}/invitations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, role: 'caseworker' }),
      });
      return response.status;
    }, CASEWORKER.email);
    expect(status).toBe(201);

    const mail = await emailTo(CASEWORKER.email, /invitations\/accept#token=/);
    const link = /(https?:\/\/\S+\/invitations\/accept#token=[A-Za-z0-9_-]+)/.exec(mail)?.[1] ?? '';
    caseworker = await openPage();
    await caseworker.goto(link);
    await expectHeading(caseworker, en('orgs.accept.title'));
    await field(caseworker, en('orgs.accept.displayName')).fill(CASEWORKER.name);
    await field(caseworker, en('orgs.accept.password')).fill(CASEWORKER.password);
    await caseworker.getByRole('button', { name: en('orgs.accept.create') }).click();
    await caseworker
      .locator('#main')
      .getByRole('link', { name: en('orgs.accept.signIn') })
      .click();
    await field(caseworker, en('auth.signIn.email')).fill(CASEWORKER.email);
    await field(caseworker, en('auth.signIn.password')).fill(CASEWORKER.password);
    await caseworker.getByRole('button', { name: en('auth.signIn.submit'), exact: true }).click();
    // A case role needs a second factor: the sign-in leads to adding a passkey first.
    await expectHeading(caseworker, en('auth.enrol.title'));
    await caseworker.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await expect.poll(() => new URL(caseworker.url()).pathname, POLL).not.toBe('/account/add-passkey');
  });

  it('opens a case through the intake, keeping everything typed when the connection drops', async () => {
    const page = caseworker;
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    await expectHeading(page, en('cases.dashboard.title'));
    await page.getByText(en('cases.dashboard.noneMine')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case dashboard, empty (en)');

    await page.getByRole('link', { name: en('cases.dashboard.newCase') }).click();
    await expectHeading(page, en('cases.intake.title'));
    await expectNoSeriousAxeViolations(page, 'intake, empty (en)');

    // Completing without the two facts HTCDS needs lists them, beside each field and in the summary.
    await page.getByRole('button', { name: en('cases.intake.complete') }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(await summary.getByRole('link', { name: en('cases.errors.requiredToComplete') }).count()).toBe(2);
    await expectNoSeriousAxeViolations(page, 'intake, with errors (en)');

    await field(page, en('cases.fields.identity.firstName')).fill(SURVIVOR.firstName);
    await field(page, en('cases.fields.identity.secondName')).fill(SURVIVOR.secondName);
    await field(page, en('cases.fields.identity.birthYear')).fill(SURVIVOR.birthYear);
    await page.getByRole('button', { name: en('cases.fields.documents.add') }).click();
    await field(page, en('cases.fields.documents.type')).selectOption('Passport');
    await field(page, en('cases.fields.documents.number')).fill(SURVIVOR.passport);
    await field(page, en('cases.fields.profile.gender')).selectOption('Feminine');
    await field(page, en('cases.fields.victim.traffickingStatus')).selectOption('ActualVictimOfTrafficking');
    await page
      .getByRole('checkbox', { name: en('cases.vocabulary.methodsOfControl.WithholdsDocuments') })
      .check();
    // Cairn's additions to the HTCDS lists say so on the label.
    await page
      .getByRole('checkbox', {
        name: en('cases.vocabulary.extension').replace(
          '{label}',
          en('cases.vocabulary.methodsOfControl.RestrictsMovement'),
        ),
      })
      .check();
    await page
      .getByRole('checkbox', { name: en('directory.vocabulary.exploitationTypes.ForcedLabour'), exact: true })
      .check();
    await field(page, en('cases.fields.narrative.account')).fill(SURVIVOR.account);
    await expectNoSeriousAxeViolations(page, 'intake, filled in (en)');

    // The connection drops as the intake is sent: the reader is told, and everything typed is still there.
    await page.context().setOffline(true);
    await page.getByRole('button', { name: en('cases.intake.complete') }).click();
    await page.locator('.error-summary').getByText(en('orgs.errors.network')).waitFor();
    expect(await field(page, en('cases.fields.narrative.account')).inputValue()).toBe(SURVIVOR.account);
    await page.context().setOffline(false);
    await page.getByRole('button', { name: en('cases.intake.complete') }).click();
    await expectHeading(page, /^Case \d{4}-\d{4}$/);
    reference = (await h1(page).textContent())!.replace('Case ', '');
    caseUrl = page.url();
    expect(new URL(caseUrl).pathname).toMatch(/^\/cases\/[0-9a-f-]{36}$/);
    await expectToast(page, `Case ${reference} opened.`);
    // Nothing identifying is shown until asked for, and nothing of it is in the address.
    expect(await page.locator('main').textContent()).not.toContain(SURVIVOR.secondName);
    expect(caseUrl).not.toContain(SURVIVOR.secondName);
    await page.getByText(en('cases.vocabulary.traffickingStatuses.ActualVictimOfTrafficking')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, identifying details hidden (en)');
  });

  it('warns of a possible duplicate on the next intake, and asks before leaving it unsaved', async () => {
    const page = caseworker;
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    await expectHeading(page, en('cases.dashboard.title'));
    await page.getByRole('link', { name: en('cases.dashboard.newCase') }).click();
    await expectHeading(page, en('cases.intake.title'));
    await page.getByRole('button', { name: en('cases.fields.documents.add') }).click();
    await field(page, en('cases.fields.documents.number')).fill(SURVIVOR.passport);
    await page.getByRole('heading', { name: 'Possible duplicate', exact: true }).waitFor();
    await page.getByRole('link', { name: `open case ${reference}` }).waitFor();
    await expectNoSeriousAxeViolations(page, 'intake with a duplicate warning (en)');

    // Leaving with unsaved changes asks first; staying keeps everything typed.
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    const leave = page.getByRole('dialog', { name: en('cases.leave.title') });
    await leave.waitFor();
    await expectNoSeriousAxeViolations(page, 'leave without saving dialog (en)');
    await leave.getByRole('button', { name: en('cases.leave.stay') }).click();
    expect(await field(page, en('cases.fields.documents.number')).inputValue()).toBe(SURVIVOR.passport);
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    await leave.getByRole('button', { name: en('cases.leave.leave') }).click();
    await expectHeading(page, en('cases.dashboard.title'));
    await page
      .getByRole('row', { name: new RegExp(escapeRegExp(reference)) })
      .first()
      .waitFor();
    await expectNoSeriousAxeViolations(page, 'case dashboard with a case (en)');
  });

  it('reveals the identifying details after a passkey check', async () => {
    const page = caseworker;
    await page.goto(caseUrl);
    await expectHeading(page, `Case ${reference}`);
    await page.getByRole('button', { name: en('cases.file.reveal') }).click();
    const stepUp = page.getByRole('dialog', { name: en('auth.stepUp.title') });
    await stepUp.waitFor();
    await expectNoSeriousAxeViolations(page, 'step-up before revealing (en)');
    await stepUp.getByRole('button', { name: en('auth.stepUp.usePasskey') }).click();
    const identifying = section(page, en('cases.file.identifyingHeading'));
    await identifying.getByText(SURVIVOR.secondName).waitFor();
    expect(await identifying.textContent()).toContain(SURVIVOR.passport);
    expect(await identifying.textContent()).toContain(SURVIVOR.account);
    await page.getByText(en('cases.file.shown')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, identifying details shown (en)');
  });

  it('explains a version conflict, keeps what was typed, and saves after reloading', async () => {
    const page = caseworker;
    const profile = section(page, en('cases.sections.profile'));
    await profile
      .getByRole('button', { name: `${en('cases.file.edit')} ${en('cases.sections.profile')}` })
      .click();
    await field(profile, en('cases.fields.profile.maritalStatus')).selectOption('Single');
    // Meanwhile the case changes: a comment is added (comments are added, never edited).
    const comments = section(page, en('cases.entries.comment.heading'));
    await comments.getByRole('button', { name: en('cases.entries.comment.add') }).click();
    await field(comments, en('cases.entries.comment.body')).fill('First meeting at the shelter went well.');
    await comments.getByRole('button', { name: en('cases.entries.comment.submit') }).click();
    await comments.getByText('First meeting at the shelter went well.').waitFor();

    await profile.getByRole('button', { name: `Save ${en('cases.sections.profile')}` }).click();
    await profile.getByText(en('cases.file.conflictHelp')).waitFor();
    expect(await field(profile, en('cases.fields.profile.maritalStatus')).inputValue()).toBe('Single');
    await expectNoSeriousAxeViolations(page, 'profile editor with a version conflict (en)');
    await profile.getByRole('button', { name: en('cases.file.reload') }).click();
    await expectToast(page, en('cases.file.reloaded'));
    await profile.getByRole('button', { name: `Save ${en('cases.sections.profile')}` }).click();
    await expectToast(page, `${en('cases.sections.profile')} saved.`);
    await profile.getByText(en('cases.vocabulary.maritalStatuses.Single'), { exact: true }).waitFor();
    // The reader continues from the section's heading.
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent'), POLL)
      .toBe(en('cases.sections.profile'));
  });

  it('records a referral consent for a named organisation', async () => {
    const page = caseworker;
    const consents = section(page, en('cases.consents.heading'));
    await consents.getByRole('button', { name: en('cases.consents.add') }).click();
    await field(consents, en('cases.consents.purpose')).selectOption('Referral');
    await field(consents, en('cases.consents.recipientSearch')).fill('Mekong');
    await consents.getByRole('button', { name: en('cases.consents.recipientFind') }).click();
    await consents.getByRole('radio', { name: new RegExp(`^${escapeRegExp(RECIPIENT)}`) }).check();
    const covers = consents.getByRole('group', { name: en('cases.consents.sections') });
    await covers
      .getByRole('checkbox', { name: en('cases.vocabulary.sections.profile'), exact: true })
      .check();
    await covers
      .getByRole('checkbox', { name: en('cases.vocabulary.sections.supportPlan'), exact: true })
      .check();
    await expectNoSeriousAxeViolations(page, 'consent form (en)');
    await consents.getByRole('button', { name: en('cases.consents.submit') }).click();
    const record = consents.getByRole('article', {
      name: `${en('cases.vocabulary.consentPurposes.Referral')}: ${RECIPIENT}`,
    });
    await record.waitFor();
    await record.getByText(en('cases.consents.state.active')).waitFor();
    expect(await record.textContent()).toContain(
      `${en('cases.vocabulary.sections.profile')}, ${en('cases.vocabulary.sections.supportPlan')}`,
    );
    await expectNoSeriousAxeViolations(page, 'case file with a consent (en)');
  });

  it('adds a support-plan item and an overdue follow-up, then marks the follow-up done', async () => {
    const page = caseworker;
    const plan = section(page, en('cases.entries.supportPlan.heading'));
    await plan.getByRole('button', { name: en('cases.entries.supportPlan.add') }).click();
    await field(plan, en('cases.entries.supportPlan.type')).selectOption('Health');
    await field(plan, en('cases.entries.supportPlan.status')).selectOption('InProgress');
    await field(plan, en('cases.entries.supportPlan.plannedEndDate')).fill(isoDay(30));
    await field(plan, en('cases.entries.supportPlan.objectives')).fill(
      'Weekly clinic visits until recovered.',
    );
    await expectNoSeriousAxeViolations(page, 'support-plan form (en)');
    await plan.getByRole('button', { name: en('cases.entries.supportPlan.submit') }).click();
    await plan.getByRole('article', { name: 'Health — In progress' }).waitFor();
    await expectToast(page, en('cases.entries.supportPlan.saved'));

    const followUps = section(page, en('cases.entries.followUp.heading'));
    await followUps.getByRole('button', { name: en('cases.entries.followUp.add') }).click();
    await field(followUps, en('cases.entries.followUp.dueOn')).fill(isoDay(-1));
    await field(followUps, en('cases.entries.followUp.note')).fill('Call about the clinic appointment.');
    await followUps.getByRole('button', { name: en('cases.entries.followUp.submit') }).click();
    const item = followUps.getByRole('listitem').filter({ hasText: 'Call about the clinic appointment.' });
    await item.getByText(en('cases.badges.overdue')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file with a plan and a follow-up (en)');

    // The dashboard lists it among the follow-ups due, marked overdue, by reference only.
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    await expectHeading(page, en('cases.dashboard.title'));
    const due = page.locator('.cases-due__item--overdue').filter({ hasText: `Case ${reference}` });
    await due.waitFor();
    expect(await page.locator('main').textContent()).not.toContain(SURVIVOR.secondName);
    await due.getByRole('link').click();
    await expectHeading(page, `Case ${reference}`);
    // Marking it done sends the whole entry, note included, so the details are revealed first.
    const again = section(page, en('cases.entries.followUp.heading'));
    await again.getByRole('button', { name: en('cases.entries.followUp.markDone') }).click();
    const dialog = page.getByRole('dialog', { name: en('auth.stepUp.title') });
    const done = again.getByText(en('cases.badges.done'), { exact: true });
    // The passkey check of a few minutes ago may still hold; if not, the server asks for a fresh one.
    await Promise.race([
      dialog.waitFor().then(() => dialog.getByRole('button', { name: en('auth.stepUp.usePasskey') }).click()),
      done.waitFor(),
    ]);
    await done.waitFor();
    expect(await again.textContent()).toContain('Call about the clinic appointment.');
  });

  it('asks for the case to be closed', async () => {
    const page = caseworker;
    const closure = section(page, en('cases.closure.heading'));
    await closure.getByRole('button', { name: en('cases.closure.request') }).click();
    await closure
      .getByRole('radio', { name: en('cases.vocabulary.caseStatuses.Closed'), exact: true })
      .check();
    await field(closure, en('cases.closure.reasonLabel')).fill(
      'Recovered and back with family; no further support needed.',
    );
    await expectNoSeriousAxeViolations(page, 'closure request form (en)');
    await closure.getByRole('button', { name: en('cases.closure.submit') }).click();
    await expectToast(page, en('cases.closure.requested'));
    await page.getByText(en('cases.badges.closurePending')).first().waitFor();
    // The one who asked does not decide.
    expect(await page.getByRole('button', { name: en('cases.closure.approve') }).count()).toBe(0);
    await page.getByText(en('cases.closure.waiting')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, closure requested (en)');
  });

  it('shows the intake in Arabic, right to left, on a small phone', async () => {
    const page = caseworker;
    const ar = (key: string) => message('ar', key);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.getByLabel(en('language.label'), { exact: true }).selectOption('ar');
    await page
      .getByRole('navigation', { name: ar('app.navLabel') })
      .getByRole('link', { name: ar('cases.nav.cases') })
      .click();
    await expectHeading(page, ar('cases.dashboard.title'));
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await page.getByRole('link', { name: ar('cases.dashboard.newCase') }).click();
    await expectHeading(page, ar('cases.intake.title'));
    await page.getByRole('checkbox', { name: ar('cases.vocabulary.methodsOfControl.DebtBondage') }).waitFor();
    const overflow = await page.evaluate(
      '(() => { const e = document.querySelector("main"); return e.scrollWidth - e.clientWidth; })()',
    );
    expect(overflow, 'the intake scrolls sideways at 360px').toBeLessThanOrEqual(0);
    await expectNoSeriousAxeViolations(page, 'intake (ar, 360px)');
    await page.getByLabel(ar('language.label'), { exact: true }).selectOption('en');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('lets a case supervisor of the same organisation approve the closure', async () => {
    const page = await openPage();
    await signInWithTotp(page, SUPERVISOR.email);
    await expectHeading(page, en('home.title'));
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    await expectHeading(page, en('cases.dashboard.title'));
    await page
      .getByRole('link', { name: /^\d+ cases? waits? for your decision on (its|their) closure$/ })
      .click();
    await expectHeading(page, en('cases.list.title'));
    expect(await field(page, en('cases.list.scope')).inputValue()).toBe('organisation');
    const row = page.getByRole('row', { name: new RegExp(escapeRegExp(reference)) });
    await row.waitFor();
    expect(await row.textContent()).toContain(CASEWORKER.name);
    await expectNoSeriousAxeViolations(page, 'case list, closures pending (en)');

    await row.getByRole('link', { name: reference }).click();
    await expectHeading(page, `Case ${reference}`);
    // The supervisor adds themself to the case, keeping the caseworker as its lead.
    const staff = section(page, en('cases.staff.heading'));
    await staff.getByRole('button', { name: en('cases.staff.assign') }).click();
    await staff.getByRole('checkbox', { name: new RegExp(`^${SUPERVISOR.name}`) }).check();
    await expectNoSeriousAxeViolations(page, 'assignment form (en)');
    await staff.getByRole('button', { name: en('cases.staff.assignSubmit') }).click();
    await expectToast(page, en('cases.staff.assigned'));
    await staff.getByText(`${CASEWORKER.name} (lead), ${SUPERVISOR.name}`).waitFor();
    const closure = section(page, en('cases.closure.heading'));
    await closure.getByText(CASEWORKER.name, { exact: false }).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, supervisor (en)');
    await closure.getByRole('button', { name: en('cases.closure.approve') }).click();
    const dialog = page.getByRole('dialog', { name: en('cases.closure.approveTitle') });
    await dialog.waitFor();
    await expectNoSeriousAxeViolations(page, 'approve closure dialog (en)');
    await dialog.getByRole('button', { name: en('cases.closure.approveConfirm') }).click();
    await expectToast(page, en('cases.closure.approved'));
    await page
      .locator('.cases-page .orgs-badges')
      .first()
      .getByText(en('cases.vocabulary.caseStatuses.Closed'), { exact: true })
      .waitFor();
    // A closed case takes no new entries; a supervisor may reopen it.
    expect(await page.getByRole('button', { name: en('cases.entries.followUp.add') }).count()).toBe(0);
    await page.getByRole('heading', { name: en('cases.closure.reopen') }).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, closed (en)');

    // The case's own access history names who read it and what they saw.
    await page.getByRole('link', { name: en('cases.file.historyLink') }).click();
    await expectHeading(page, en('cases.history.title'));
    const table = page.getByRole('table');
    await table.getByText(en('cases.history.actions.closure_approved')).first().waitFor();
    expect(await table.getByText(CASEWORKER.name).count()).toBeGreaterThan(0);
    expect(await table.getByText(en('cases.history.actions.case_read')).count()).toBeGreaterThan(0);
    await expectNoSeriousAxeViolations(page, 'access history (en)');

    // Statistics count completed cases and hide small cells.
    await nav(page)
      .getByRole('link', { name: en('cases.nav.cases') })
      .click();
    await expectHeading(page, en('cases.dashboard.title'));
    await page.getByRole('link', { name: en('cases.tabs.statistics') }).click();
    await expectHeading(page, en('cases.statistics.title'));
    // The demo data holds a few cases of its own: the count is checked for shape, not for a number.
    await page.getByText(/^\d+ completed cases?\.$/).waitFor();
    expect(await page.getByText('fewer than 5').count()).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).not.toContain(SURVIVOR.secondName);
    await expectNoSeriousAxeViolations(page, 'case statistics (en)');
  });
});
