import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { escapeRegExp, expectNoSeriousAxeViolations, field, message } from './harness.js';
import { POLL, referralSpec } from './referrals-support.js';

// Two demo organisations in two countries (server/modules/identity/identity.seed.ts), each with a case
// supervisor signing in with an authenticator app: Tumaini Safe Homes (Kenya) and Mekong Legal Aid Network
// (Cambodia). Each records the same recruiter in a case file of its own; neither registers anything by hand.
const TUMAINI = { email: 'supervisor@demo.cairn', organisation: 'Tumaini Safe Homes (demo)' };
const MEKONG = { email: 'supervisor.mekong@demo.cairn', organisation: 'Mekong Legal Aid Network (demo)' };
// The recruiter's number as each side wrote it: with "+" in Nairobi, with the "00" international prefix in
// Phnom Penh. The server compares them in E.164.
const PHONE_TUMAINI = '+254 712 345 678';
const PHONE_MEKONG = '00254 712-345-678';
const FIRST_MESSAGE = 'We hold a case file with the same recruiter. Could we talk this week?';
const REPLY = 'Yes, gladly. Thursday morning suits us.';

/** The case a side recorded: its id (in addresses) and its reference (the matching subject's title). */
interface RecordedCase {
  id: string;
  reference: string;
}

describe('matching: case files of two organisations meet over a recruiter’s phone; both agree and write', () => {
  const spec = referralSpec([TUMAINI.email, MEKONG.email]);
  const { openPage, signIn } = spec;
  let tumaini: Page;
  let mekong: Page;
  let tumainiCase: RecordedCase;
  let mekongCase: RecordedCase;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const url = (address: string) => `${spec.server.baseUrl}${address}`;
  /** A section of a page, by its heading. */
  const section = (page: Page, heading: string) =>
    page.locator('section').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });
  const thread = (page: Page) => section(page, en('referrals.thread.heading'));
  const composer = (page: Page) =>
    thread(page).getByRole('textbox', { name: en('referrals.thread.message'), exact: true });

  async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
    if (typeof text === 'string') await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
    else await expect.poll(() => h1(page).textContent(), POLL).toMatch(text);
  }

  /** A success toast with this text (toasts are announced in a polite live region). */
  async function expectToast(page: Page, text: string): Promise<void> {
    await page.getByRole('status').filter({ hasText: text }).first().waitFor();
  }

  /** The inbox row of the match between this side's case and the other organisation. */
  const matchRow = (page: Page, own: RecordedCase, other: string) =>
    page.getByRole('row').filter({ hasText: own.reference }).filter({ hasText: other });

  /**
   * Opens the matches inbox until the match shows. The server screens a case in the background right after
   * its change commits, so the first look may come too early; the page itself does not poll.
   */
  async function openInboxWithMatch(page: Page, own: RecordedCase, other: string): Promise<void> {
    await expect
      .poll(
        async () => {
          await page.goto(url('/matching'));
          await expectHeading(page, en('matching.inbox.title'));
          // The list has loaded once it shows a table, the empty state or an error.
          await page
            .locator('main table, main .orgs-empty, main [role="alert"]')
            .first()
            .waitFor({ timeout: 5_000 })
            .catch(() => undefined);
          return matchRow(page, own, other).count();
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(1);
  }

  /** Whether an email matching `marker` went to this address (the server writes mail to a folder in e2e). */
  async function expectEmail(address: string, marker: RegExp): Promise<void> {
    const outbox = /Outgoing mail is written to (\S+)/.exec(spec.server.output())?.[1];
    expect(outbox, 'the start-up banner names the mail folder').toBeTruthy();
    await expect
      .poll(
        async () => {
          const files = await readdir(outbox!).catch(() => [] as string[]);
          for (const file of files.filter((name) => name.endsWith('.eml'))) {
            const text = await readFile(path.join(outbox!, file), 'utf8');
            if (new RegExp(`^To: .*${escapeRegExp(address)}`, 'm').test(text) && marker.test(text))
              return true;
          }
          return false;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
  }

  it('signs both case supervisors in', async () => {
    tumaini = await openPage();
    mekong = await openPage();
    await signIn(tumaini, TUMAINI.email);
    await signIn(mekong, MEKONG.email);
  });

  it('opens Tumaini’s case and records the recruiter with a phone: the case file takes part by itself', async () => {
    const page = tumaini;
    await page.goto(url('/cases/new'));
    await expectHeading(page, en('cases.intake.title'));
    await field(page, en('cases.fields.profile.gender')).selectOption('Feminine');
    await field(page, en('cases.fields.victim.traffickingStatus')).selectOption(
      'PossibleVictimOfTrafficking',
    );
    await page.getByRole('button', { name: en('cases.intake.complete') }).click();
    await expectHeading(page, /^Case \d{4}-\d{4}$/);
    tumainiCase = {
      id: new URL(page.url()).pathname.split('/').pop()!,
      reference: (await h1(page).textContent())!.replace('Case ', ''),
    };

    const perpetrators = section(page, en('cases.entries.perpetrator.heading'));
    await perpetrators.getByRole('button', { name: en('cases.entries.perpetrator.add') }).click();
    await perpetrators
      .getByRole('checkbox', { name: en('cases.vocabulary.perpetratorRoles.RecruiterOrIntermediary') })
      .check();
    await field(perpetrators, en('cases.entries.perpetrator.nationality')).selectOption('KE');
    await field(perpetrators, en('cases.entries.perpetrator.phone')).fill(PHONE_TUMAINI);
    await perpetrators.getByRole('button', { name: en('cases.entries.perpetrator.submit') }).click();
    await expectToast(page, en('cases.entries.perpetrator.saved'));

    // The survivor's consent to overlap detection has a purpose of its own, explained where it is chosen.
    const consents = section(page, en('cases.consents.heading'));
    await consents.getByRole('button', { name: en('cases.consents.add') }).click();
    await field(consents, en('cases.consents.purpose')).selectOption('Matching');
    await consents.getByText(en('cases.consents.matchingHint')).waitFor();
    await consents.getByRole('checkbox', { name: en('cases.vocabulary.sections.identity') }).check();
    await expectNoSeriousAxeViolations(page, 'case file, recording a Matching consent');
    await consents.getByRole('button', { name: en('cases.consents.submit') }).click();
    const purpose = en('cases.vocabulary.consentPurposes.Matching');
    await expectToast(page, en('cases.consents.saved').replace('{purpose}', purpose));
    await consents.getByRole('heading', { name: purpose, level: 3 }).waitFor();

    // Among the organisation's subjects: the case file, by its reference, linked to the case, and no close
    // button (it closes with its case).
    await page.goto(url('/matching/subjects'));
    await expectHeading(page, en('matching.subjects.title'));
    const row = page.getByRole('row').filter({ hasText: tumainiCase.reference });
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(
      await row.getByRole('link', { name: tumainiCase.reference, exact: true }).getAttribute('href'),
    ).toBe(`/cases/${tumainiCase.id}`);
    expect(await row.textContent()).toContain(en('matching.subjectKinds.case'));
    expect(await row.textContent()).toContain(en('matching.subjects.followsCase'));
    expect(await row.getByRole('button').count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'our subjects, with a case file');
  });

  it('opens Mekong’s case with the same phone written another way: both inboxes show the match', async () => {
    // Setup through the API, as Mekong's supervisor (the case intake itself is the cases spec's journey).
    mekongCase = await mekong.evaluate(async (phone) => {
      const created = await fetch('/api/cases', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          profile: { gender: 'Masculine', citizenships: ['KH'] },
          victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
        }),
      });
      if (created.status !== 201) throw new Error(`case: ${created.status} ${await created.text()}`);
      const file = (await created.json()) as { id: string; reference: string };
      const entry = await fetch(`/api/cases/${file.id}/entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'perpetrator', roles: ['RecruiterOrIntermediary'], phone }),
      });
      if (entry.status !== 201) throw new Error(`entry: ${entry.status} ${await entry.text()}`);
      return { id: file.id, reference: file.reference };
    }, PHONE_MEKONG);

    await openInboxWithMatch(mekong, mekongCase, TUMAINI.organisation);
    const mekongRow = matchRow(mekong, mekongCase, TUMAINI.organisation);
    expect(await mekongRow.textContent()).toContain(en('matching.statuses.new'));
    expect(await mekongRow.textContent()).toContain(en('matching.subjectKinds.case'));
    expect(
      await mekongRow.getByRole('link', { name: mekongCase.reference, exact: true }).getAttribute('href'),
    ).toBe(`/cases/${mekongCase.id}`);
    // Only one's own case shows: the other side's reference is nowhere (unless both happen to share it).
    if (tumainiCase.reference !== mekongCase.reference)
      expect(await mekong.content()).not.toContain(tumainiCase.reference);
    await expectNoSeriousAxeViolations(mekong, 'matches inbox with a case-file match (Mekong)');

    await openInboxWithMatch(tumaini, tumainiCase, MEKONG.organisation);
    expect(await matchRow(tumaini, tumainiCase, MEKONG.organisation).textContent()).toContain(
      en('matching.matchTypes.phone'),
    );
    await expectNoSeriousAxeViolations(tumaini, 'matches inbox with a case-file match (Tumaini)');

    // The alert reaches both organisations' screeners by email too, without any detail of either case.
    const subject = /^Subject: A possible overlap was found/m;
    await expectEmail(TUMAINI.email, subject);
    await expectEmail(MEKONG.email, subject);
  });

  it('opens the match’s thread only once both agreed; a message from one side reaches the other', async () => {
    await matchRow(mekong, mekongCase, TUMAINI.organisation)
      .getByRole('link', { name: en('matching.matchTypes.phone'), exact: true })
      .click();
    await expectHeading(mekong, en('matching.match.title'));
    expect(
      await mekong
        .locator('.matching-details')
        .getByRole('link', { name: mekongCase.reference, exact: true })
        .getAttribute('href'),
    ).toBe(`/cases/${mekongCase.id}`);
    await mekong.getByRole('button', { name: en('matching.match.actions.agree'), exact: true }).click();
    await mekong.getByText(en('matching.match.waiting')).waitFor();
    // One side's agreement opens nothing.
    expect(await thread(mekong).count()).toBe(0);
    await expectNoSeriousAxeViolations(mekong, 'case-file match, waiting for the other side');

    await matchRow(tumaini, tumainiCase, MEKONG.organisation)
      .getByRole('link', { name: en('matching.matchTypes.phone'), exact: true })
      .click();
    await expectHeading(tumaini, en('matching.match.title'));
    await tumaini.getByText(en('matching.match.theyAgreed')).waitFor();
    expect(await thread(tumaini).count()).toBe(0);
    await tumaini.getByRole('button', { name: en('matching.match.actions.agree'), exact: true }).click();
    const badge = tumaini.locator('.matching-details .orgs-badge');
    await expect.poll(() => badge.textContent(), POLL).toBe(en('matching.statuses.in_contact'));
    await thread(tumaini).getByText(en('referrals.thread.empty')).first().waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'case-file match in contact, empty thread');

    // Mekong's page learns of the agreement when it is opened again; its thread then waits for messages.
    await mekong.reload();
    await expectHeading(mekong, en('matching.match.title'));
    await thread(mekong).getByText(en('referrals.thread.empty')).first().waitFor();

    await composer(tumaini).fill(FIRST_MESSAGE);
    await thread(tumaini)
      .getByRole('button', { name: en('referrals.thread.send'), exact: true })
      .click();
    await thread(tumaini).getByText(FIRST_MESSAGE).waitFor();

    // The message arrives on Mekong's open page by itself.
    await thread(mekong).getByText(FIRST_MESSAGE).waitFor();
    await expectNoSeriousAxeViolations(mekong, 'case-file match thread with a message');
    await composer(mekong).fill(REPLY);
    await thread(mekong)
      .getByRole('button', { name: en('referrals.thread.send'), exact: true })
      .click();
    await thread(mekong).getByText(REPLY).waitFor();
    await thread(tumaini).getByText(REPLY).waitFor();
    await expectNoSeriousAxeViolations(tumaini, 'case-file match thread with a reply');
  });
});
