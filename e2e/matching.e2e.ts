import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { escapeRegExp, expectNoSeriousAxeViolations, field, message } from './harness.js';
import { POLL, referralSpec } from './referrals-support.js';

// Two demo organisations (server/modules/identity/identity.seed.ts), each with a case supervisor signing in
// with an authenticator app: Tumaini Safe Homes (Kenya) and Mekong Legal Aid Network (Cambodia, Viet Nam,
// Thailand). Both register an investigation holding the same recruiter's phone, written differently.
const TUMAINI = { email: 'supervisor@demo.cairn', organisation: 'Tumaini Safe Homes (demo)' };
const MEKONG = { email: 'supervisor.mekong@demo.cairn', organisation: 'Mekong Legal Aid Network (demo)' };
// Tumaini's organisation admin chooses what the organisation takes part with and reads the lookup record.
const ADMIN = { email: 'orgadmin@demo.cairn' };
// Each organisation named its case supervisor as its matching focal point (server/modules/matching/matching.seed.ts).
const TUMAINI_FOCAL = 'Joseph Okello';
// A platform admin changes Tumaini's lookup quotas.
const PLATFORM = { email: 'admin@demo.cairn' };
const NOTE = 'We may share a recruiter with you: can we talk?';

describe('matching: two organisations find that they hold the same phone, and agree to connect', () => {
  const spec = referralSpec([TUMAINI, MEKONG, ADMIN, PLATFORM].map((person) => person.email));
  const { openPage, signIn } = spec;
  let tumaini: Page;
  let mekong: Page;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const selector = (page: Page, n: number) =>
    page.getByRole('group', { name: en('matching.selectors.item').replace('{n}', String(n)), exact: true });

  async function expectHeading(page: Page, text: string): Promise<void> {
    await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
  }

  /** Fills the n-th selector of the editor as a phone number. */
  async function phoneSelector(page: Page, n: number, number: string): Promise<void> {
    const group = selector(page, n);
    await group.getByRole('combobox').first().selectOption('phone');
    await field(group, en('matching.selectors.fields.phone.number')).fill(number);
  }

  it('signs both case supervisors in; the nav shows the matches inbox to them', async () => {
    tumaini = await openPage();
    mekong = await openPage();
    await signIn(tumaini, TUMAINI.email);
    await signIn(mekong, MEKONG.email);
    await tumaini.getByRole('link', { name: en('matching.nav.matches'), exact: true }).click();
    await expectHeading(tumaini, en('matching.inbox.title'));
    await tumaini.getByText(en('matching.revealed.title')).waitFor();
    await tumaini.getByText(en('matching.inbox.empty')).waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'matches inbox (empty)');
  });

  it('registers Tumaini’s investigation, showing the server’s error beside the selector it is about', async () => {
    await tumaini.goto(`${spec.server.baseUrl}/matching/subjects/new`);
    await expectHeading(tumaini, en('matching.register.title'));
    await expectNoSeriousAxeViolations(tumaini, 'register an investigation');

    await field(tumaini, en('matching.register.kind')).selectOption('investigation');
    await tumaini
      .getByLabel(new RegExp(`^${escapeRegExp(en('matching.register.titleField'))}`))
      .fill('Nairobi recruiter network');
    await phoneSelector(tumaini, 1, '+855 12 345 678');
    await tumaini.getByRole('button', { name: en('matching.selectors.add'), exact: true }).click();
    await phoneSelector(tumaini, 2, '12');
    await tumaini.getByRole('button', { name: en('matching.register.submit'), exact: true }).click();

    // The server refuses the second phone (body.selectors.1): its message shows in the second selector only.
    await selector(tumaini, 2).locator('.field__error').waitFor();
    expect(await selector(tumaini, 1).locator('.field__error').count()).toBe(0);
    await tumaini.locator('.error-summary').waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'register an investigation, with a field error');

    const remove = en('matching.selectors.remove').replace(
      '{selector}',
      en('matching.selectors.item').replace('{n}', '2'),
    );
    await tumaini.getByRole('button', { name: remove, exact: true }).click();
    await tumaini.getByRole('button', { name: en('matching.register.submit'), exact: true }).click();
    // Nobody else holds the phone yet: the investigation is listed among the organisation's own.
    await expectHeading(tumaini, en('matching.subjects.title'));
    await tumaini.getByRole('rowheader', { name: 'Nairobi recruiter network' }).waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'our investigations');
  });

  it('registers Mekong’s investigation with the same phone: the match is in its inbox at once', async () => {
    await mekong.goto(`${spec.server.baseUrl}/matching/subjects/new`);
    await expectHeading(mekong, en('matching.register.title'));
    await field(mekong, en('matching.register.kind')).selectOption('investigation');
    await mekong
      .getByLabel(new RegExp(`^${escapeRegExp(en('matching.register.titleField'))}`))
      .fill('Phnom Penh job ads');
    // The same number, written the local way with its country.
    await phoneSelector(mekong, 1, '012 345 678');
    await selector(mekong, 1)
      .getByLabel(en('matching.selectors.fields.phone.defaultCountry'))
      .selectOption('KH');
    await mekong.getByRole('button', { name: en('matching.register.submit'), exact: true }).click();

    await expectHeading(mekong, en('matching.inbox.title'));
    const row = mekong.getByRole('row').filter({ hasText: TUMAINI.organisation });
    await row.getByRole('link', { name: en('matching.matchTypes.phone'), exact: true }).waitFor();
    expect(await row.textContent()).toContain('Phnom Penh job ads');
    expect(await row.textContent()).toContain(en('matching.statuses.new'));
    // The other organisation links to its directory profile; its investigation's title is nowhere.
    expect(await row.getByRole('link', { name: TUMAINI.organisation }).getAttribute('href')).toMatch(
      /^\/directory\/organisations\/[0-9a-f-]{36}$/,
    );
    expect(await mekong.content()).not.toContain('Nairobi recruiter network');
    await expectNoSeriousAxeViolations(mekong, 'matches inbox (a new match)');

    await row.getByRole('link', { name: en('matching.matchTypes.phone'), exact: true }).click();
    await expectHeading(mekong, en('matching.match.title'));
    // Before anyone agreed, Mekong can write to Tumaini's focal point through Cairn; no address is shown.
    await mekong
      .getByText(
        en('matching.match.focalLead')
          .replace('{organisation}', TUMAINI.organisation)
          .replace('{name}', TUMAINI_FOCAL),
      )
      .waitFor();
    await expectNoSeriousAxeViolations(mekong, 'match (new, with the focal point)');
    await field(mekong, en('people.message.label')).fill(NOTE);
    await mekong.getByRole('button', { name: en('people.message.send'), exact: true }).click();
    await mekong.getByText(en('people.message.sent').replace('{name}', TUMAINI_FOCAL)).waitFor();
    expect(await mekong.content()).not.toContain(TUMAINI.email);
    await mekong.getByRole('button', { name: en('matching.match.actions.agree'), exact: true }).click();
    await mekong.getByText(en('matching.match.waiting')).waitFor();
    expect(
      await mekong.getByRole('button', { name: en('matching.match.actions.agree'), exact: true }).count(),
    ).toBe(0);
    await expectNoSeriousAxeViolations(mekong, 'match (waiting for the other organisation)');
  });

  it('shows Tumaini the match too; once it agrees, both sides are in contact', async () => {
    // The focal point reads Mekong's note among the messages sent to him through Cairn.
    await tumaini.goto(`${spec.server.baseUrl}/directory/messages`);
    await tumaini.getByText(NOTE).waitFor();
    await tumaini.goto(`${spec.server.baseUrl}/matching?status=new`);
    await expectHeading(tumaini, en('matching.inbox.title'));
    const row = tumaini.getByRole('row').filter({ hasText: MEKONG.organisation });
    await row.getByRole('link', { name: en('matching.matchTypes.phone'), exact: true }).click();
    await expectHeading(tumaini, en('matching.match.title'));
    await tumaini.getByText(en('matching.match.theyAgreed')).waitFor();
    await tumaini.getByRole('button', { name: en('matching.match.actions.agree'), exact: true }).click();
    const badge = tumaini.locator('.matching-details .orgs-badge');
    await expect.poll(() => badge.textContent(), POLL).toBe(en('matching.statuses.in_contact'));
    await tumaini.getByRole('button', { name: en('matching.match.actions.resolve'), exact: true }).waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'match (in contact)');

    await mekong.goto(`${spec.server.baseUrl}/matching?status=in_contact`);
    const mekongRow = mekong.getByRole('row').filter({ hasText: TUMAINI.organisation });
    await expect.poll(() => mekongRow.textContent(), POLL).toContain(en('matching.statuses.in_contact'));
    await expectNoSeriousAxeViolations(mekong, 'matches inbox (in contact)');
  });

  it('looks the phone up from Tumaini: one hit at Mekong, and the lookups left', async () => {
    await tumaini.goto(`${spec.server.baseUrl}/matching/lookup`);
    await expectHeading(tumaini, en('matching.lookup.title'));
    await tumaini.getByText(en('matching.revealed.title')).waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'lookup');
    await phoneSelector(tumaini, 1, '+85512345678');
    await tumaini.getByRole('button', { name: en('matching.lookup.submit'), exact: true }).click();
    const hits = tumaini.getByRole('row').filter({ hasText: MEKONG.organisation });
    await expect.poll(() => hits.textContent(), POLL).toContain(en('matching.matchTypes.phone'));
    await tumaini.getByText(/^Lookups left in the next 24 hours/).waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'lookup with a hit');
  });

  it('lets Tumaini’s admin choose participation and read who looked up what', async () => {
    const admin = await openPage();
    await signIn(admin, ADMIN.email);
    await admin.getByRole('link', { name: en('matching.nav.settings'), exact: true }).click();
    await expectHeading(admin, en('matching.admin.title'));
    const plates = admin.getByRole('checkbox', { name: en('matching.participationTypes.vehicle_plate') });
    await expect.poll(() => plates.isChecked(), POLL).toBe(true);
    await plates.uncheck();
    await expect.poll(() => plates.isChecked(), POLL).toBe(false);
    const record = admin.getByRole('row').filter({ hasText: en('matching.admin.purposes.lookup') });
    await expect.poll(() => record.count(), POLL).toBe(1);
    expect(
      await admin
        .getByRole('row')
        .filter({ hasText: en('matching.admin.purposes.register') })
        .count(),
    ).toBe(1);
    // The focal point named in the demo data, and the quotas with what each person used.
    const focal = field(admin, en('matching.admin.focalLabel'));
    await expect.poll(() => focal.locator('option:checked').textContent(), POLL).toBe(TUMAINI_FOCAL);
    await admin.getByRole('heading', { name: en('matching.admin.quotas') }).waitFor();
    const use = admin.getByRole('table', { name: en('matching.admin.quotasCaption') }).getByRole('row');
    await expect.poll(() => use.filter({ hasText: TUMAINI_FOCAL }).count(), POLL).toBe(1);
    await expectNoSeriousAxeViolations(admin, 'matching settings, quotas and lookup record');
    // Organisation admins do not work the inbox: the nav has no link to it.
    expect(await admin.getByRole('link', { name: en('matching.nav.matches'), exact: true }).count()).toBe(0);
  });

  it('lets a platform admin lower Tumaini’s quotas, with a reason, and shows Tumaini’s members that staff set them', async () => {
    const staff = await openPage();
    await signIn(staff, PLATFORM.email);
    await staff.getByRole('link', { name: en('matching.nav.quotas'), exact: true }).click();
    await expectHeading(staff, en('matching.quotas.title'));
    const row = staff.getByRole('row').filter({ hasText: TUMAINI.organisation });
    await row.waitFor();
    await expectNoSeriousAxeViolations(staff, 'matching quotas (platform)');
    await row
      .getByRole('button', { name: en('matching.quotas.change').replace('{name}', TUMAINI.organisation) })
      .click();
    await field(staff, en('matching.quotas.perPersonLabel')).fill('0');
    await staff.getByRole('button', { name: en('matching.quotas.save'), exact: true }).click();
    // Refused in the browser, beside each field, before anything is sent.
    await staff.getByText(en('matching.quotas.limitInvalid')).first().waitFor();
    await staff.getByText(en('matching.quotas.reasonRequired')).first().waitFor();
    await expectNoSeriousAxeViolations(staff, 'matching quotas (form with errors)');
    await field(staff, en('matching.quotas.perPersonLabel')).fill('20');
    await field(staff, en('matching.quotas.reason')).fill('Demo: lowered while we review the lookups');
    await staff.getByRole('button', { name: en('matching.quotas.save'), exact: true }).click();
    await staff.getByText(en('matching.quotas.saved').replace('{name}', TUMAINI.organisation)).waitFor();
    await expect.poll(() => row.textContent(), POLL).toContain(en('matching.quotas.set'));

    await tumaini.goto(`${spec.server.baseUrl}/matching/admin`);
    await expectHeading(tumaini, en('matching.admin.title'));
    await tumaini.getByText(/^Platform staff set these limits for your organisation/).waitFor();
  });
});
