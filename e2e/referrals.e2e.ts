import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { escapeRegExp, expectNoSeriousAxeViolations, field, message } from './harness.js';
import { POLL, caseWithConsent, organisationOf, referralSpec } from './referrals-support.js';

// Two demo organisations in different countries (server/modules/identity/identity.seed.ts), each with a demo
// caseworker signing in with an authenticator app: Tumaini Safe Homes (Kenya) refers, Mekong Legal Aid
// Network (Cambodia, Viet Nam, Thailand) receives.
const SENDER = { email: 'caseworker.tumaini@demo.cairn', organisation: 'Tumaini Safe Homes (demo)' };
const RECIPIENT = { email: 'caseworker@demo.cairn', organisation: 'Mekong Legal Aid Network (demo)' };
// The sender's case supervisor reads the organisation's referral statistics.
const SUPERVISOR = { email: 'supervisor@demo.cairn' };

describe('referrals: two organisations in two countries refer, talk live and close the loop', () => {
  const spec = referralSpec([SENDER, RECIPIENT, SUPERVISOR].map((person) => person.email));
  const { openPage, signIn } = spec;
  let sender: Page;
  let recipient: Page;
  let caseId: string;
  let referralUrl: string;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const messages = (page: Page) => page.getByRole('list', { name: en('referrals.thread.messages') });
  const composer = (page: Page) =>
    page.getByRole('textbox', { name: en('referrals.thread.message'), exact: true });
  const stateBadge = (page: Page) => page.locator('.cases-header .orgs-badge').first();

  async function expectHeading(page: Page, text: string): Promise<void> {
    await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
  }

  it('signs both caseworkers in; the sender has a case with the survivor’s Referral consent for the recipient', async () => {
    sender = await openPage();
    recipient = await openPage();
    await signIn(sender, SENDER.email);
    await signIn(recipient, RECIPIENT.email);
    // The case and its consent are the cases module's (its own spec drives those pages); here they are setup.
    caseId = await caseWithConsent(sender, {
      purpose: 'Referral',
      recipientOrganisationId: await organisationOf(recipient),
      sections: ['profile', 'victim'],
    });
  });

  it('refers the case from its case file, sharing only what the consent covers', async () => {
    await sender.goto(`${spec.server.baseUrl}/cases/${caseId}`);
    await sender.getByRole('link', { name: en('referrals.case.refer'), exact: true }).click();
    await expectHeading(sender, en('referrals.new.title'));
    await expectNoSeriousAxeViolations(sender, 'new referral');

    await sender.getByLabel(en('referrals.picker.search')).fill('Mekong');
    await sender.getByRole('button', { name: en('referrals.picker.find'), exact: true }).click();
    await sender.getByRole('radio', { name: new RegExp(`^${escapeRegExp(RECIPIENT.organisation)}`) }).check();
    await sender.getByRole('checkbox', { name: 'Legal aid', exact: true }).check();

    // With the recipient chosen, each section says whether the consent covers it; a caseworker cannot pick others.
    const covered = sender.getByRole('checkbox', {
      name: `${en('cases.vocabulary.sections.profile')} — ${en('referrals.new.covered')}`,
    });
    const uncovered = sender.getByRole('checkbox', {
      name: `${en('cases.vocabulary.sections.identity')} — ${en('referrals.new.notCovered')}`,
    });
    await expect.poll(() => uncovered.isDisabled(), POLL).toBe(true);
    await covered.check();
    await expectNoSeriousAxeViolations(sender, 'new referral, filled in');
    await sender.getByRole('button', { name: en('referrals.new.send'), exact: true }).click();

    // The demo referrals (referrals.seed.ts) already connect the two organisations: no new-partner question
    // (referrals-transfers.e2e.ts sends to a new partner).
    await expectHeading(sender, en('referrals.page.title'));
    await expect.poll(() => stateBadge(sender).textContent(), POLL).toBe(en('referrals.states.sent'));
    referralUrl = sender.url();
    expect(referralUrl).toMatch(/\/referrals\/[0-9a-f-]{36}$/);
    await expectNoSeriousAxeViolations(sender, 'referral page (sender, sent)');
  });

  it('lets the recipient find it in the received list, acknowledge and accept it', async () => {
    await recipient.goto(`${spec.server.baseUrl}/referrals?box=received`);
    await expectHeading(recipient, en('referrals.list.title'));
    // The demo data holds other referrals from the same sender: this one is found by its link.
    const link = recipient.locator(`a[href="${new URL(referralUrl).pathname}"]`);
    await link.waitFor();
    expect(await link.textContent()).toContain(SENDER.organisation);
    await expectNoSeriousAxeViolations(recipient, 'received referrals');
    await link.click();
    await expectHeading(recipient, en('referrals.page.title'));
    await expectNoSeriousAxeViolations(recipient, 'referral page (recipient, sent)');

    await recipient.getByRole('button', { name: en('referrals.actions.acknowledge'), exact: true }).click();
    await expect
      .poll(() => stateBadge(recipient).textContent(), POLL)
      .toBe(en('referrals.states.acknowledged'));
    await recipient.getByRole('button', { name: en('referrals.actions.accept'), exact: true }).click();
    await expect.poll(() => stateBadge(recipient).textContent(), POLL).toBe(en('referrals.states.accepted'));

    // Accepted: the shared sections can be read, only those shared.
    await recipient.getByRole('button', { name: en('referrals.shared.open'), exact: true }).click();
    await recipient
      .getByRole('heading', { name: en('cases.vocabulary.sections.profile'), exact: true })
      .waitFor();
    expect(
      await recipient.getByRole('heading', { name: en('cases.vocabulary.sections.victim') }).count(),
    ).toBe(0);
    await expectNoSeriousAxeViolations(recipient, 'referral page (recipient, accepted, shared sections)');
  });

  it('carries messages back and forth, each appearing on the other side without reloading', async () => {
    await sender.goto(referralUrl);
    await expectHeading(sender, en('referrals.page.title'));
    await sender.getByText(en('referrals.thread.empty')).first().waitFor();
    // The page listens on the server's event stream (no polling): it says so quietly.
    await sender
      .getByRole('status')
      .filter({ hasText: en('referrals.thread.live') })
      .waitFor();

    await composer(recipient).fill('We can see her on Thursday.');
    await recipient.getByRole('button', { name: en('referrals.thread.send'), exact: true }).click();
    await messages(recipient).getByText('We can see her on Thursday.').waitFor();
    // The sender's page was open before the thread existed: the live stream brings the message in.
    await messages(sender).getByText('We can see her on Thursday.').waitFor({ timeout: 15_000 });

    await composer(sender).fill('Thank you, she will be there.');
    await sender.getByRole('button', { name: en('referrals.thread.send'), exact: true }).click();
    await messages(recipient).getByText('Thank you, she will be there.').waitFor({ timeout: 15_000 });

    await composer(recipient).fill('Confirmed.');
    await recipient.getByRole('button', { name: en('referrals.thread.send'), exact: true }).click();
    await messages(sender).getByText('Confirmed.').waitFor({ timeout: 15_000 });
    await expectNoSeriousAxeViolations(sender, 'referral page with messages (sender)');
    await expectNoSeriousAxeViolations(recipient, 'referral page with messages (recipient)');

    // The dedicated thread page shows the same conversation.
    const threadId = await recipient.evaluate(async (url) => {
      const id = url.split('/').pop()!;
      const list = (await (await fetch(`/api/threads?subjectKind=referral&subjectId=${id}`)).json()) as {
        items: { id: string }[];
      };
      return list.items[0]!.id;
    }, referralUrl);
    const threadPage = await recipient.context().newPage();
    spec.watch(threadPage);
    await threadPage.goto(`${spec.server.baseUrl}/threads/${threadId}`);
    await expectHeading(threadPage, en('referrals.thread.heading'));
    await messages(threadPage).getByText('Confirmed.').waitFor();
    await expectNoSeriousAxeViolations(threadPage, 'thread page');
    await threadPage.close();
  });

  it('survives a dropped connection: says it is reconnecting, then shows what was missed', async () => {
    const live = sender.getByRole('status').filter({ hasText: en('referrals.thread.live') });
    const reconnecting = sender.getByRole('status').filter({ hasText: en('referrals.thread.reconnecting') });
    await live.waitFor();
    await sender.context().setOffline(true);
    await reconnecting.waitFor({ timeout: 30_000 });

    await composer(recipient).fill('Sent while you were offline.');
    await recipient.getByRole('button', { name: en('referrals.thread.send'), exact: true }).click();
    await messages(recipient).getByText('Sent while you were offline.').waitFor();
    expect(await messages(sender).getByText('Sent while you were offline.').count()).toBe(0);

    // Back online: the browser reconnects with Last-Event-ID and the missed message appears, no reload.
    await sender.context().setOffline(false);
    await live.waitFor({ timeout: 30_000 });
    await messages(sender).getByText('Sent while you were offline.').waitFor({ timeout: 30_000 });
  });

  it('lets the recipient start and complete it with an outcome, which the sender then sees', async () => {
    await recipient.getByRole('button', { name: en('referrals.actions.start'), exact: true }).click();
    await expect
      .poll(() => stateBadge(recipient).textContent(), POLL)
      .toBe(en('referrals.states.in_progress'));
    await recipient.getByRole('button', { name: en('referrals.actions.complete'), exact: true }).click();
    await field(recipient, en('referrals.page.outcome')).selectOption({
      label: en('referrals.outcomes.services_delivered'),
    });
    await expectNoSeriousAxeViolations(recipient, 'completing a referral');
    await recipient
      .locator('form')
      .getByRole('button', { name: en('referrals.actions.complete'), exact: true })
      .click();
    await expect.poll(() => stateBadge(recipient).textContent(), POLL).toBe(en('referrals.states.completed'));

    // The loop closes: the sender's list and page show the outcome.
    await sender.goto(`${spec.server.baseUrl}/referrals?box=sent`);
    const row = sender
      .getByRole('row')
      .filter({ has: sender.locator(`a[href="${new URL(referralUrl).pathname}"]`) });
    await expect.poll(() => row.textContent(), POLL).toContain(en('referrals.outcomes.services_delivered'));
    await expectNoSeriousAxeViolations(sender, 'sent referrals');
    await row.getByRole('link').click();
    await expectHeading(sender, en('referrals.page.title'));
    await expect.poll(() => stateBadge(sender).textContent(), POLL).toBe(en('referrals.states.completed'));
    await sender.getByText(en('referrals.outcomes.services_delivered')).first().waitFor();
    await expectNoSeriousAxeViolations(sender, 'referral page (sender, completed)');
  });

  it('requests a transfer of the case from its case file, then withdraws it with a reason', async () => {
    // The survivor's Transfer consent naming the recipient is the cases module's (setup here).
    const recipientOrganisation = await organisationOf(recipient);
    const status = await sender.evaluate(
      async ({ id, organisationId }) =>
        (
          await fetch(`/api/cases/${id}/consents`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              purpose: 'Transfer',
              recipientOrganisationId: organisationId,
              sections: ['profile', 'victim'],
              givenOn: new Date().toISOString().slice(0, 10),
            }),
          })
        ).status,
      { id: caseId, organisationId: recipientOrganisation },
    );
    expect(status).toBe(201);

    await sender.goto(`${spec.server.baseUrl}/cases/${caseId}`);
    await sender.getByRole('link', { name: en('referrals.case.transfer'), exact: true }).click();
    await expectHeading(sender, en('referrals.transfer.newTitle'));
    await sender.getByLabel(en('referrals.picker.search')).fill('Mekong');
    await sender.getByRole('button', { name: en('referrals.picker.find'), exact: true }).click();
    await sender.getByRole('radio', { name: new RegExp(`^${escapeRegExp(RECIPIENT.organisation)}`) }).check();
    await expectNoSeriousAxeViolations(sender, 'new transfer');
    await sender.getByRole('button', { name: en('referrals.transfer.request'), exact: true }).click();

    await expectHeading(sender, en('referrals.transfer.title'));
    await expect
      .poll(() => stateBadge(sender).textContent(), POLL)
      .toBe(en('referrals.transferStates.requested'));
    await expectNoSeriousAxeViolations(sender, 'transfer page (sender, requested)');

    // Received transfers are for the recipient's case supervisors (who decide them); its caseworker sees none.
    await recipient.goto(`${spec.server.baseUrl}/referrals?box=received&kind=transfers`);
    await recipient.getByText(en('referrals.list.noTransfers')).waitFor();
    await expectNoSeriousAxeViolations(recipient, 'transfers received');

    await sender.getByRole('button', { name: en('referrals.transfer.revoke'), exact: true }).click();
    await field(sender, en('referrals.page.reason')).fill('The survivor chose to stay in Kenya for now.');
    await sender.getByRole('button', { name: en('referrals.actions.confirm'), exact: true }).click();
    await expect
      .poll(() => stateBadge(sender).textContent(), POLL)
      .toBe(en('referrals.transferStates.revoked'));
    await expectNoSeriousAxeViolations(sender, 'transfer page (sender, revoked)');
  });

  it('shows the sender organisation’s referral statistics to its case supervisor, and in Arabic right to left', async () => {
    const page = await openPage();
    await signIn(page, SUPERVISOR.email);
    await page.goto(`${spec.server.baseUrl}/referrals/statistics`);
    await expectHeading(page, en('referrals.statistics.title'));
    const sent = page.getByRole('region', { name: en('referrals.statistics.sent') });
    const outcomes = sent.getByRole('table', {
      name: `${en('referrals.statistics.sent')} — ${en('referrals.statistics.outcomes')}`,
    });
    await expect
      .poll(
        () =>
          outcomes
            .getByRole('row', { name: new RegExp(en('referrals.outcomes.services_delivered')) })
            .textContent(),
        POLL,
      )
      // The demo referral completed with this outcome (referrals.seed.ts), and this spec's.
      .toContain('2');
    await expectNoSeriousAxeViolations(page, 'referral statistics (en)');

    const ar = (key: string) => message('ar', key);
    await page.getByLabel(en('language.label'), { exact: true }).selectOption('ar');
    await expectHeading(page, ar('referrals.statistics.title'));
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await expectNoSeriousAxeViolations(page, 'referral statistics (ar)');
    await page.goto(`${spec.server.baseUrl}/referrals?box=sent`);
    await expectHeading(page, ar('referrals.list.title'));
    await page.getByRole('rowheader').filter({ hasText: RECIPIENT.organisation }).first().waitFor();
    await expectNoSeriousAxeViolations(page, 'sent referrals (ar)');
  });
});
