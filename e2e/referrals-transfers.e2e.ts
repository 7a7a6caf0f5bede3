import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addVirtualAuthenticator, escapeRegExp, expectNoSeriousAxeViolations, field } from './harness.js';
import { POLL, caseWithConsent, en, organisationOf, referralSpec } from './referrals-support.js';

// The demo organisations (server/modules/identity/identity.seed.ts): Tumaini Safe Homes and Mekong Legal Aid
// Network each have a caseworker and a case supervisor. Tumaini's supervisor decides the transfers it receives;
// Mekong's opens the record Mekong keeps of a case it transferred.
const TUMAINI = 'Tumaini Safe Homes (demo)';
const MEKONG = 'Mekong Legal Aid Network (demo)';
const WORKER = 'caseworker.tumaini@demo.cairn';
const SUPERVISOR = 'supervisor@demo.cairn';
const MEKONG_WORKER = 'caseworker@demo.cairn';
const MEKONG_SUPERVISOR = 'supervisor.mekong@demo.cairn';
// Platform staff (no organisation): the platform-wide referral statistics are theirs.
const PLATFORM_ADMIN = 'admin@demo.cairn';
const PLAN_NAME = 'support-plan.txt';
const PLAN = Buffer.from('Week 1: first meeting at the office.\nWeek 2: legal advice.\n');

describe('referrals: drafts edited, consent overridden with a reason, a file in a thread, a case transferred', () => {
  const spec = referralSpec([WORKER, SUPERVISOR, MEKONG_WORKER, MEKONG_SUPERVISOR, PLATFORM_ADMIN]);
  let worker: Page;
  let supervisor: Page;
  let mekong: Page;
  let caseId: string;
  let referralUrl: string;

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const stateBadge = (page: Page) => page.locator('.cases-header .orgs-badge').first();
  const detail = (page: Page, label: string) =>
    page.locator('.cases-details__row').filter({ has: page.getByRole('term').filter({ hasText: label }) });
  const expectHeading = (page: Page, text: string) =>
    expect.poll(() => h1(page).textContent(), POLL).toBe(text);

  /** On the new-referral form: Mekong as the recipient, found through the organisation picker. */
  async function pickMekong(page: Page): Promise<void> {
    await page.getByLabel(en('referrals.picker.search')).fill('Mekong');
    await page.getByRole('button', { name: en('referrals.picker.find'), exact: true }).click();
    await page.getByRole('radio', { name: new RegExp(`^${escapeRegExp(MEKONG)}`) }).check();
  }
  /** A passkey on the browser's virtual authenticator, for the step-ups that reveal or download. */
  async function addPasskey(page: Page): Promise<void> {
    await addVirtualAuthenticator(page);
    await page.goto(`${spec.server.baseUrl}/account/security`);
    await expectHeading(page, en('auth.security.title'));
    await field(page, en('auth.passkey.nameLabel')).fill('E2E laptop');
    await page.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await page.getByRole('rowheader', { name: 'E2E laptop', exact: true }).waitFor();
  }
  /** Clicks `button` and passes the passkey check it may ask for (a passkey added a moment ago may still count). */
  async function withStepUp<T>(
    page: Page,
    button: ReturnType<Page['getByRole']>,
    done: Promise<T>,
  ): Promise<T> {
    await button.click();
    const stepUp = page.getByRole('dialog', { name: en('auth.stepUp.title') });
    await Promise.race([
      stepUp
        .waitFor()
        .then(() => stepUp.getByRole('button', { name: en('auth.stepUp.usePasskey'), exact: true }).click())
        .catch(() => undefined),
      done,
    ]);
    return done;
  }
  const section = (page: Page, name: string, covered: boolean) =>
    page.getByRole('checkbox', {
      name: `${en(`cases.vocabulary.sections.${name}`)} — ${en(covered ? 'referrals.new.covered' : 'referrals.new.notCovered')}`,
    });

  it('signs in two people of Tumaini and one of Mekong; Tumaini has a case with a Referral consent for Mekong', async () => {
    worker = await spec.openPage();
    supervisor = await spec.openPage();
    mekong = await spec.openPage();
    await spec.signIn(worker, WORKER);
    await spec.signIn(supervisor, SUPERVISOR);
    await spec.signIn(mekong, MEKONG_WORKER);
    // Downloading a thread's file wants a recent passkey step-up: Mekong's caseworker gets a passkey.
    await addPasskey(mekong);
    caseId = await caseWithConsent(worker, {
      purpose: 'Referral',
      recipientOrganisationId: await organisationOf(mekong),
      sections: ['profile', 'victim'],
    });
  });

  it('saves a draft, edits it from its page with the same form, then sends it', async () => {
    await worker.goto(`${spec.server.baseUrl}/referrals/new?caseId=${caseId}`);
    await expectHeading(worker, en('referrals.new.title'));
    await pickMekong(worker);
    await worker.getByRole('checkbox', { name: 'Legal aid', exact: true }).check();
    await section(worker, 'profile', true).check();
    await worker.getByRole('button', { name: en('referrals.new.saveDraft'), exact: true }).click();
    await expectHeading(worker, en('referrals.page.title'));
    await expect.poll(() => stateBadge(worker).textContent(), POLL).toBe(en('referrals.states.draft'));
    referralUrl = worker.url();
    await expectNoSeriousAxeViolations(worker, 'referral page (draft)');

    await worker.getByRole('link', { name: en('referrals.actions.edit'), exact: true }).click();
    await expectHeading(worker, en('referrals.edit.title'));
    // The form opens with the draft's own choices.
    await expect
      .poll(() => worker.getByRole('checkbox', { name: 'Legal aid', exact: true }).isChecked(), POLL)
      .toBe(true);
    expect(await section(worker, 'profile', true).isChecked()).toBe(true);
    await expectNoSeriousAxeViolations(worker, 'editing a draft referral');
    await worker.getByRole('checkbox', { name: 'Shelter', exact: true }).check();
    await section(worker, 'victim', true).check();
    await field(worker, en('referrals.new.note')).fill('Please call our office before noon.');
    await worker.getByRole('button', { name: en('referrals.edit.save'), exact: true }).click();

    await expectHeading(worker, en('referrals.page.title'));
    expect(worker.url()).toBe(referralUrl);
    await expect
      .poll(() => detail(worker, en('referrals.page.services')).textContent(), POLL)
      .toContain('Shelter, Legal aid');
    expect(await detail(worker, en('referrals.page.sections')).textContent()).toContain(
      en('cases.vocabulary.sections.victim'),
    );
    expect(await detail(worker, en('referrals.page.note')).textContent()).toContain(
      'Please call our office before noon.',
    );
    await expectNoSeriousAxeViolations(worker, 'referral page (draft, edited)');

    await worker.getByRole('button', { name: en('referrals.actions.send'), exact: true }).click();
    await expect.poll(() => stateBadge(worker).textContent(), POLL).toBe(en('referrals.states.sent'));
    // Sent: no side may edit it any more.
    expect(await worker.getByRole('link', { name: en('referrals.actions.edit'), exact: true }).count()).toBe(
      0,
    );
  });

  it('lets a case supervisor share a section without consent only with a written reason, kept on the sender’s side', async () => {
    await supervisor.goto(`${spec.server.baseUrl}/referrals/new?caseId=${caseId}`);
    await expectHeading(supervisor, en('referrals.new.title'));
    await pickMekong(supervisor);
    await supervisor.getByRole('checkbox', { name: 'Medical care', exact: true }).check();
    await section(supervisor, 'profile', true).check();
    // A supervisor may pick a section the consent does not cover; the form then asks why.
    await section(supervisor, 'identity', false).check();
    const reason = field(supervisor, en('referrals.new.overrideReason'));
    await reason.waitFor();
    await supervisor.getByRole('button', { name: en('referrals.new.saveDraft'), exact: true }).click();
    await supervisor.getByText(en('referrals.new.errors.overrideReason')).first().waitFor();
    await expectNoSeriousAxeViolations(supervisor, 'new referral with a consent override, no reason');

    await reason.fill('She cannot be reached before the hearing and asked us to act for her.');
    await supervisor.getByRole('button', { name: en('referrals.new.saveDraft'), exact: true }).click();
    await expectHeading(supervisor, en('referrals.page.title'));
    await expect
      .poll(() => detail(supervisor, en('referrals.page.overrideReason')).textContent(), POLL)
      .toContain('She cannot be reached before the hearing');
    expect(await detail(supervisor, en('referrals.page.sections')).textContent()).toContain(
      en('cases.vocabulary.sections.identity'),
    );
    await expectNoSeriousAxeViolations(supervisor, 'referral page (draft with a consent override)');
  });

  it('sends a message with a file in the referral’s thread; the other organisation is offered it', async () => {
    await worker.goto(referralUrl);
    await expectHeading(worker, en('referrals.page.title'));
    await worker
      .getByRole('textbox', { name: en('referrals.thread.message'), exact: true })
      .fill('The plan we discussed.');
    await field(worker, en('referrals.thread.attach')).setInputFiles({
      name: PLAN_NAME,
      mimeType: 'text/plain',
      buffer: PLAN,
    });
    await worker.getByRole('button', { name: en('referrals.thread.send'), exact: true }).click();
    const messages = (page: Page) => page.getByRole('list', { name: en('referrals.thread.messages') });
    await messages(worker).getByText('The plan we discussed.').waitFor();
    await expectNoSeriousAxeViolations(worker, 'referral thread with an attachment (sender)');

    await mekong.goto(referralUrl);
    await expectHeading(mekong, en('referrals.page.title'));
    const download = messages(mekong).getByRole('button', {
      name: en('referrals.thread.download').replace('{name}', PLAN_NAME),
    });
    await download.waitFor();
    await messages(mekong).getByText('The plan we discussed.').waitFor();
    await expectNoSeriousAxeViolations(mekong, 'referral thread with an attachment (recipient)');

    // Clicking the file asks for a fresh passkey check (the server's rule, as for case attachments) unless the
    // passkey added a moment ago still counts as one; then the browser saves the file under its own name, with
    // the bytes that were sent.
    const saved = await withStepUp(mekong, download, mekong.waitForEvent('download'));
    expect(saved.suggestedFilename()).toBe(PLAN_NAME);
    expect((await readFile(await saved.path())).equals(PLAN)).toBe(true);
  });

  it('transfers a case: Mekong asks, Tumaini’s supervisor accepts, Mekong keeps only a read-only record', async () => {
    const transferCase = await caseWithConsent(mekong, {
      purpose: 'Transfer',
      recipientOrganisationId: await organisationOf(worker),
      sections: ['profile', 'victim'],
    });
    await mekong.goto(`${spec.server.baseUrl}/cases/${transferCase}`);
    await mekong.getByRole('link', { name: en('referrals.case.transfer'), exact: true }).click();
    await expectHeading(mekong, en('referrals.transfer.newTitle'));
    await mekong.getByLabel(en('referrals.picker.search')).fill('Tumaini');
    await mekong.getByRole('button', { name: en('referrals.picker.find'), exact: true }).click();
    await mekong.getByRole('radio', { name: new RegExp(`^${escapeRegExp(TUMAINI)}`) }).check();
    expect(await mekong.getByLabel(en('referrals.transfer.keepRecord')).isChecked()).toBe(true);
    await expectNoSeriousAxeViolations(mekong, 'new transfer (Mekong)');
    await mekong.getByRole('button', { name: en('referrals.transfer.request'), exact: true }).click();
    await expectHeading(mekong, en('referrals.transfer.title'));
    await expect
      .poll(() => stateBadge(mekong).textContent(), POLL)
      .toBe(en('referrals.transferStates.requested'));
    const transferPath = new URL(mekong.url()).pathname;

    // Tumaini's case supervisor finds it among the received transfers (the demo data holds another) and accepts.
    await supervisor.goto(`${spec.server.baseUrl}/referrals?box=received&kind=transfers`);
    const link = supervisor.locator(`a[href="${transferPath}"]`);
    await link.waitFor();
    await expectNoSeriousAxeViolations(supervisor, 'transfers received (Tumaini)');
    await link.click();
    await expectHeading(supervisor, en('referrals.transfer.title'));
    await expectNoSeriousAxeViolations(supervisor, 'transfer page (recipient, requested)');
    await supervisor.getByRole('button', { name: en('referrals.transfer.accept'), exact: true }).click();
    await expect
      .poll(() => stateBadge(supervisor).textContent(), POLL)
      .toBe(en('referrals.transferStates.accepted'));

    // The case is Tumaini's now; Mekong's caseworker no longer reaches it, and Mekong kept a record of it.
    const reach = (page: Page) =>
      page.evaluate(async (id) => (await fetch(`/api/cases/${id}`)).status, transferCase);
    expect(await reach(mekong)).toBe(404);
    await mekong.reload();
    await expect
      .poll(() => stateBadge(mekong).textContent(), POLL)
      .toBe(en('referrals.transferStates.accepted'));
    expect(await detail(mekong, en('referrals.transfer.keepRecordShort')).textContent()).toContain(
      en('cases.fields.yes'),
    );
    await expectNoSeriousAxeViolations(mekong, 'transfer page (sender, accepted)');
    // Read-only for the sender now: no decision is left to take, and the kept record opens only for the
    // sender's case supervisors (referrals.transfers.policy.ts), not for its caseworker.
    for (const action of ['accept', 'reject', 'revoke', 'openRecord'])
      expect(
        await mekong.getByRole('button', { name: en(`referrals.transfer.${action}`), exact: true }).count(),
        action,
      ).toBe(0);
    expect(
      await mekong.getByRole('heading', { name: en('referrals.page.actions'), exact: true }).count(),
    ).toBe(0);

    // Mekong's case supervisor opens the kept record after a passkey check: what Mekong held, to read only.
    const mekongSupervisor = await spec.openPage();
    await spec.signIn(mekongSupervisor, MEKONG_SUPERVISOR);
    await addPasskey(mekongSupervisor);
    await mekongSupervisor.goto(`${spec.server.baseUrl}${transferPath}`);
    await expectHeading(mekongSupervisor, en('referrals.transfer.title'));
    const record = mekongSupervisor.getByRole('region', {
      name: en('referrals.transfer.record'),
      exact: true,
    });
    // Open, it shows the case as it was and a button to hide it again.
    await withStepUp(
      mekongSupervisor,
      record.getByRole('button', { name: en('referrals.transfer.openRecord'), exact: true }),
      record.getByRole('button', { name: en('cases.file.hide'), exact: true }).waitFor(),
    );
    expect(await record.textContent()).toMatch(
      new RegExp(escapeRegExp(en('referrals.transfer.recordOf')).replace(/\\\{\w+\\\}/g, '.+')),
    );
    expect(await record.getByRole('textbox').count()).toBe(0);
    expect(await record.locator('input, select, textarea').count()).toBe(0);
    await expectNoSeriousAxeViolations(mekongSupervisor, 'kept record of a transferred case (sender)');
  });

  it('shows platform staff the referral counts across the platform, small counts suppressed as the page says', async () => {
    const staff = await spec.openPage();
    await spec.signIn(staff, PLATFORM_ADMIN);
    await staff.goto(`${spec.server.baseUrl}/referrals/platform-statistics`);
    await expectHeading(staff, en('referrals.platformStatistics.title'));
    const statistics = await staff.evaluate(async () => {
      const response = await fetch('/api/referrals/platform-statistics');
      return (await response.json()) as {
        threshold: number;
        total: number | null;
        byState: { value: string; count: number | null }[];
        byOutcome: { value: string; count: number | null }[];
        byReach: { value: string; count: number | null }[];
      };
    });
    const { threshold } = statistics;
    await staff
      .getByText(en('referrals.platformStatistics.threshold').replace('{count}', String(threshold)))
      .waitFor();
    const suppressed = en('referrals.statistics.suppressed');
    const shown = (count: number | null) => (count === null ? suppressed : count.toLocaleString('en-GB'));
    const tables: [string, string, { value: string; count: number | null }[]][] = [
      [en('referrals.statistics.byState'), 'referrals.states', statistics.byState],
      [en('referrals.statistics.outcomes'), 'referrals.outcomes', statistics.byOutcome],
      [
        en('referrals.platformStatistics.byReach'),
        'referrals.platformStatistics.reaches',
        statistics.byReach,
      ],
    ];
    const cells = tables.flatMap(([, , rows]) => rows.map((row) => row.count));
    // The demo data and this file's referral give both kinds of cell: counts at or above the threshold (every
    // sent referral so far crosses a border), and smaller ones the page hides.
    expect(cells.filter((count) => count !== null).length).toBeGreaterThan(0);
    expect(cells.filter((count) => count === null).length).toBeGreaterThan(0);
    expect(cells.every((count) => count === null || count >= threshold)).toBe(true);
    expect(statistics.total).not.toBeNull();
    expect(statistics.total!).toBeGreaterThanOrEqual(threshold);
    await expect
      .poll(
        () =>
          staff
            .locator('main p')
            .filter({ hasText: en('referrals.platformStatistics.total') })
            .textContent(),
        POLL,
      )
      .toContain(shown(statistics.total));

    const heading = en('referrals.platformStatistics.heading');
    for (const [caption, labels, rows] of tables) {
      const table = staff.getByRole('table', { name: `${heading} — ${caption}` });
      for (const row of rows) {
        const line = table.getByRole('row', {
          name: new RegExp(`^${escapeRegExp(en(`${labels}.${row.value}`))}`),
        });
        expect(await line.getByRole('cell').last().textContent(), `${caption}: ${row.value}`).toBe(
          shown(row.count),
        );
      }
    }
    await expectNoSeriousAxeViolations(staff, 'platform referral statistics (platform staff)');
  });
});
