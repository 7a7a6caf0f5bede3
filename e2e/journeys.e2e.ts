import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  demoCredentials,
  escapeRegExp,
  expectNoSeriousAxeViolations,
  field,
  message,
  signInWithAuthenticator,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 15_000, interval: 100 };

// Demo accounts (server/modules/identity/identity.seed.ts): a caseworker of Mekong Legal Aid Network (an
// active organisation) contributes routes; the platform moderator decides on them.
const CONTRIBUTOR = { email: 'caseworker@demo.cairn' };
const MODERATOR = { email: 'moderator@demo.cairn' };
// The server's default disclosure threshold (CAIRN_JOURNEYS_K): no number on the map describes fewer people.
const K = 11;
// The route of the form: Lào Cai (Viet Nam) → Vientiane (Laos, a border crossed by road) → Bangkok (Thailand).
const FIRST_PEOPLE = 5;
// Routes added through the API so every cell of the same path reaches k: 5 + 7 = 12.
const MORE_PEOPLE = 7;
const TOTAL = FIRST_PEOPLE + MORE_PEOPLE;
// Last year: the demo routes (server/modules/journeys/journeys.seed.ts) are of the two years before, so this
// year's map holds only this test's routes.
const YEAR = new Date().getUTCFullYear() - 1;

const countryName = (code: string) => new Intl.DisplayNames(['en'], { type: 'region' }).of(code)!;

describe('journeys: contribute a route, moderate it, and see it on the map only once its cell reaches k', () => {
  const suite = useBrowserSuite();
  let credentials: (email: string) => string[];
  let contributor: Page;
  let moderator: Page;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const flowsTable = (page: Page) => page.getByRole('table', { name: en('journeys.table.flowsCaption') });
  const hotspotsTable = (page: Page) =>
    page.getByRole('table', { name: en('journeys.table.hotspotsCaption') });
  const flowRow = (page: Page, from: string, to: string) =>
    flowsTable(page).getByRole('row', { name: new RegExp(`^${escapeRegExp(`${from} → ${to}`)}`) });

  async function expectHeading(page: Page, text: string): Promise<void> {
    await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
  }

  const openPage = () => suite.openPage({ timeout: 15_000 });

  async function signIn(page: Page, email: string): Promise<void> {
    const [password, secret] = credentials(email);
    await signInWithAuthenticator(page, suite.server.baseUrl, {
      email,
      password: password!,
      secret: secret!,
    });
    await expectHeading(page, en('home.title'));
  }

  /** Picks a place from the gazetteer combobox by typing part of its name. */
  async function pickPlace(page: Page, label: string, typed: string, option: RegExp): Promise<void> {
    await page.getByRole('combobox', { name: new RegExp(`^${escapeRegExp(label)}`) }).fill(typed);
    await page.getByRole('option', { name: option }).first().click();
  }

  beforeAll(() => {
    credentials = demoCredentials(suite.server.output(), [CONTRIBUTOR.email, MODERATOR.email]);
  });

  /** The flows of the public world answer, as the server published them. */
  const publicFlows = (page: Page) =>
    page.evaluate(async () => {
      const world = (await (await fetch('/api/journeys/map/public/world')).json()) as {
        flows: Array<{ from: string; to: string; people: number }>;
      };
      return world.flows;
    });

  it('shows the demo routes’ country flows on the public map without signing in', async () => {
    const visitor = await openPage();
    await visitor.goto(`${suite.server.baseUrl}/journeys`);
    await expectHeading(visitor, en('journeys.map.publicTitle'));
    await visitor.getByRole('heading', { name: en('journeys.timeline.title') }).waitFor();
    // The demo's publication runs within seconds of the server's start.
    await expect
      .poll(async () => (await publicFlows(visitor)).length, { timeout: 60_000, interval: 250 })
      .toBeGreaterThan(0);
    await visitor.reload();
    const flows = await publicFlows(visitor);
    await flowRow(visitor, countryName('UG'), countryName('KE')).waitFor();
    // The table lists every published flow, the drawing those between two countries; nothing of this test's yet.
    expect(await flowsTable(visitor).getByRole('row').count()).toBe(1 + flows.length);
    // (The drawing's atlas is a chunk of its own: it may come after the table.)
    await expect
      .poll(() => visitor.locator('.journeys-map__flow').count(), POLL)
      .toBe(flows.filter((f) => f.from !== f.to).length);
    expect(flows.some((f) => f.from === 'VN' && f.to === 'LA')).toBe(false);
    await expectNoSeriousAxeViolations(visitor, 'public journey map (demo routes)');
  });

  it('contributes a route through the form, picking places from the gazetteer', async () => {
    contributor = await openPage();
    moderator = await openPage();
    await signIn(contributor, CONTRIBUTOR.email);
    await signIn(moderator, MODERATOR.email);

    await contributor.getByRole('link', { name: en('journeys.nav.contributions'), exact: true }).click();
    await expectHeading(contributor, en('journeys.contributions.title'));
    await contributor.getByText(en('journeys.contributions.empty')).waitFor();
    await expectNoSeriousAxeViolations(contributor, 'our routes (empty)');
    await contributor.getByRole('link', { name: en('journeys.nav.contribute'), exact: true }).click();
    await expectHeading(contributor, en('journeys.form.title'));
    await expectNoSeriousAxeViolations(contributor, 'contribute a route (empty)');

    // Sending it empty says what is missing, beside each field and in the summary.
    await contributor.getByRole('button', { name: en('journeys.form.submit'), exact: true }).click();
    await contributor.getByText(en('journeys.form.errors.origin')).first().waitFor();

    // Typed without diacritics, found with them; the country is shown to tell places apart.
    await pickPlace(contributor, en('journeys.form.origin'), 'Lao Cai', /^Lào Cai, .*Vietnam$/);
    await contributor.getByRole('button', { name: en('journeys.form.addTransit'), exact: true }).click();
    const transit = message('en', 'journeys.form.transitN').replace('{n}', '1');
    await pickPlace(contributor, transit, 'Vientiane', /^Vientiane, .*Laos$/);
    await contributor
      .getByLabel(message('en', 'journeys.form.transport').replace('{place}', transit))
      .selectOption('road');
    await contributor
      .getByLabel(message('en', 'journeys.form.borderCrossing').replace('{place}', transit))
      .check();
    const exploitation = message('en', 'journeys.form.exploitationN').replace('{n}', '1');
    await pickPlace(contributor, exploitation, 'Bangkok', /^Bangkok, .*Thailand$/);
    await contributor
      .getByRole('checkbox', { name: en('directory.vocabulary.exploitationTypes.ForcedLabour'), exact: true })
      .check();
    await field(contributor, en('journeys.form.industry')).selectOption('A_AgricultureForestryAndFishing');
    await field(contributor, en('journeys.form.year')).fill(String(YEAR));
    await field(contributor, en('journeys.form.people')).fill(String(FIRST_PEOPLE));
    await field(contributor, en('journeys.form.genderBand')).selectOption('male');
    await field(contributor, en('journeys.form.ageBand')).selectOption('adult');
    await field(contributor, en('journeys.form.nationalityBand')).selectOption('asia');
    await expectNoSeriousAxeViolations(contributor, 'contribute a route (filled in)');
    await contributor.getByRole('button', { name: en('journeys.form.submit'), exact: true }).click();

    await expectHeading(contributor, en('journeys.contributions.title'));
    const row = contributor.getByRole('row').filter({ hasText: 'Vientiane' });
    await row.getByText(en('journeys.vocabulary.statuses.pending')).waitFor();
    await expectNoSeriousAxeViolations(contributor, 'our routes (one pending)');

    // A pending route can still be changed: the form opens with its places and answers.
    await row.getByRole('link', { name: /Lào Cai/ }).click();
    await expectHeading(contributor, en('journeys.form.editTitle'));
    await expect
      .poll(() => field(contributor, en('journeys.form.people')).inputValue(), POLL)
      .toBe(String(FIRST_PEOPLE));
    expect(
      await contributor.getByRole('combobox', { name: new RegExp(`^${escapeRegExp(transit)}`) }).inputValue(),
    ).toMatch(/^Vientiane, .*Laos$/);
    await expectNoSeriousAxeViolations(contributor, 'change a route');
    await contributor.getByRole('button', { name: en('journeys.form.save'), exact: true }).click();
    await expectHeading(contributor, en('journeys.contributions.title'));
    await row.getByText(en('journeys.vocabulary.statuses.pending')).waitFor();
  });

  it('lets the moderator see who contributed it and validate it', async () => {
    await moderator.getByRole('link', { name: en('journeys.nav.moderation'), exact: true }).click();
    await expectHeading(moderator, en('journeys.moderation.title'));
    const item = moderator.getByRole('article').filter({ hasText: 'Lào Cai' });
    await item.getByText('Mekong Legal Aid Network', { exact: false }).waitFor();
    await expectNoSeriousAxeViolations(moderator, 'route moderation');
    // Querying needs a note.
    await item.getByRole('button', { name: en('journeys.moderation.query'), exact: true }).click();
    await item.getByText(en('journeys.moderation.noteRequired')).first().waitFor();
    await item.getByRole('button', { name: en('journeys.moderation.validate'), exact: true }).click();
    await moderator.getByText(en('journeys.moderation.empty')).waitFor();
  });

  /**
   * Waits until the map's publication (a job queued within seconds of a decision) has counted the validated
   * routes: the world's member answer then offers the year (the demo routes are of earlier years), and, with
   * `people`, shows the flow from Viet Nam to Laos with that many people.
   */
  async function awaitPublication(page: Page, people?: number): Promise<void> {
    await expect
      .poll(
        () =>
          page.evaluate(async (year) => {
            const world = (await (await fetch('/api/journeys/map/world')).json()) as {
              periods: Array<{ id: string }>;
              flows: Array<{ from: string; to: string; people: number }>;
            };
            return {
              offered: world.periods.some((p) => p.id === year),
              people: world.flows.find((f) => f.from === 'VN' && f.to === 'LA')?.people ?? null,
            };
          }, String(YEAR)),
        { timeout: 30_000, interval: 250 },
      )
      .toEqual({ offered: true, people: people ?? null });
  }

  it('keeps the route off the member map while its cell is below k', async () => {
    // Published (the year is offered), yet no number: the one route of the year describes fewer than k
    // people.
    await awaitPublication(contributor);
    await contributor.goto(`${suite.server.baseUrl}/journeys/members?period=${YEAR}`);
    await expectHeading(contributor, en('journeys.map.memberTitle'));
    await contributor
      .getByText(message('en', 'journeys.map.totalHidden').replace('{k}', String(K)))
      .waitFor();
    expect(await flowsTable(contributor).getByRole('row').count()).toBe(1);
    await expectNoSeriousAxeViolations(contributor, 'member journey map (below k)');
  });

  it('shows the flows once enough people share them, filters them, and exports the table', async () => {
    // More routes on the same path, contributed and validated through the API, bring every cell to k.
    const setup = await contributor.evaluate(async (people) => {
      const list = (await (await fetch('/api/journeys/routes')).json()) as {
        items: Array<Record<string, unknown> & { origin: { placeId: number; country: string } }>;
      };
      const first = list.items[0]!;
      const stop = (s: {
        placeId: number;
        country: string;
        borderCrossing: boolean;
        transport: string | null;
      }) => ({
        placeId: s.placeId,
        country: s.country,
        borderCrossing: s.borderCrossing,
        ...(s.transport ? { transport: s.transport } : {}),
      });
      const body = {
        origin: { placeId: first.origin.placeId, country: first.origin.country },
        transits: (first.transits as Parameters<typeof stop>[0][]).map(stop),
        exploitation: (first.exploitation as Parameters<typeof stop>[0][]).map(stop),
        year: first.year,
        exploitationTypes: first.exploitationTypes,
        industry: first.industry,
        people,
        genderBand: 'female',
        ageBand: 'adult',
        nationalityBand: 'asia',
      };
      const created = await fetch('/api/journeys/routes', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: created.status, route: (await created.json()) as { id: string; version: number } };
    }, MORE_PEOPLE);
    expect(setup.status).toBe(201);
    const decided = await moderator.evaluate(
      async ({ id, version }) =>
        (
          await fetch(`/api/journeys/routes/${id}/decision`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ decision: 'validate', version }),
          })
        ).status,
      setup.route,
    );
    expect(decided).toBe(200);

    await awaitPublication(contributor, TOTAL);
    // All years, the default: the demo routes' flows and this test's.
    await contributor.goto(`${suite.server.baseUrl}/journeys/members`);
    await expectHeading(contributor, en('journeys.map.memberTitle'));
    const vietnam = countryName('VN');
    const laos = countryName('LA');
    const thailand = countryName('TH');
    const first = flowRow(contributor, vietnam, laos).filter({
      hasText: en('journeys.table.levels.country'),
    });
    await first.getByRole('cell', { name: String(TOTAL), exact: true }).waitFor();
    await flowRow(contributor, laos, thailand)
      .filter({ hasText: en('journeys.table.levels.country') })
      .first()
      .waitFor();
    // The world's member map lists country flows and hotspots; choosing a country goes down to its first-level
    // regions: they are listed, and the same legs between regions too.
    const regionRows = () =>
      flowsTable(contributor)
        .getByRole('row')
        .filter({ hasText: en('journeys.table.levels.region') });
    // (By the level's cell: the table's header says "Country or region".)
    const regionHotspotRows = () =>
      hotspotsTable(contributor)
        .getByRole('row')
        .filter({
          has: contributor.getByRole('cell', { name: en('journeys.table.levels.region'), exact: true }),
        });
    expect(await regionRows().count()).toBe(0);
    expect(await regionHotspotRows().count()).toBe(0);
    const drawn = await contributor.evaluate(async () => {
      const world = (await (await fetch('/api/journeys/map/world')).json()) as {
        flows: Array<{ from: string; to: string }>;
      };
      return world.flows.filter((f) => f.from !== f.to).length;
    });
    await expect.poll(() => contributor.locator('.journeys-map__flow').count(), POLL).toBe(drawn);
    await expectNoSeriousAxeViolations(contributor, 'member journey map (at k)');
    await field(contributor, en('journeys.filters.country')).selectOption('LA');
    await expect.poll(() => new URL(contributor.url()).searchParams.get('area'), POLL).toBe('LA');
    await expect.poll(() => regionRows().count(), POLL).toBeGreaterThan(0);
    expect(await regionHotspotRows().count()).toBeGreaterThan(0);
    // Regions are named by the gazetteer in the browser (the published answers hold codes only).
    await regionHotspotRows().filter({ hasText: 'Vientiane' }).first().waitFor();
    await expect
      .poll(
        () =>
          hotspotsTable(contributor)
            .getByText(/^[A-Z]{2}\.[A-Za-z0-9]+$/)
            .count(),
        POLL,
      )
      .toBe(0);
    // A nationality filter shows countries only (the summary keeps no region under a band), and says so.
    await field(contributor, en('journeys.filters.nationalityBand')).selectOption('asia');
    await contributor.getByText(en('journeys.map.countriesOnly')).waitFor();
    expect(await regionRows().count()).toBe(0);
    await first.waitFor();
    await field(contributor, en('journeys.filters.nationalityBand')).selectOption('');
    await expect.poll(() => regionRows().count(), POLL).toBeGreaterThan(0);
    await field(contributor, en('journeys.filters.country')).selectOption('');
    await expect.poll(() => new URL(contributor.url()).searchParams.get('area'), POLL).toBe(null);

    // Filters go into the address: a type of exploitation no route has has nothing to show.
    await field(contributor, en('journeys.filters.exploitationType')).selectOption('OrganRemoval');
    await expect
      .poll(() => new URL(contributor.url()).searchParams.get('exploitationType'), POLL)
      .toBe('OrganRemoval');
    await expect.poll(() => flowsTable(contributor).getByRole('row').count(), POLL).toBe(1);
    await field(contributor, en('journeys.filters.exploitationType')).selectOption('ForcedLabour');
    await first.waitFor();
    // The timeline narrows the map to one year, and the period picker says so.
    await contributor.getByRole('button', { name: new RegExp(`^${YEAR}`) }).click();
    await expect.poll(() => new URL(contributor.url()).searchParams.get('period'), POLL).toBe(String(YEAR));
    // (The picker lists the periods of the answer on screen: it shows the year once that year's answer is in.)
    await expect
      .poll(() => field(contributor, en('journeys.filters.period')).inputValue(), POLL)
      .toBe(String(YEAR));
    await first.waitFor();
    await expectNoSeriousAxeViolations(contributor, 'member journey map (filtered)');

    // The table as CSV, with HXL hashtags, for the same filters: the rows the table shows.
    const [download] = await Promise.all([
      contributor.waitForEvent('download'),
      contributor.getByRole('button', { name: en('journeys.table.csv.flows'), exact: true }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toContain(en('journeys.table.columns.fromCountry'));
    expect(lines[1]).toContain('#country+code+origin');
    expect(lines).toHaveLength(2 + (await flowsTable(contributor).getByRole('row').count()) - 1);
    expect(lines).toContain(`country,VN,,LA,,${TOTAL},${YEAR},${YEAR}`);
    expect(lines).toContain(`country,LA,,TH,,${TOTAL},${YEAR},${YEAR}`);
    expect(csv).not.toContain('Mekong');
  });

  it('shows country flows on the public map without signing in, and never regions', async () => {
    const visitor = await openPage();
    await visitor.goto(`${suite.server.baseUrl}/journeys`);
    await expectHeading(visitor, en('journeys.map.publicTitle'));
    const row = flowRow(visitor, countryName('VN'), countryName('LA'));
    await row.getByRole('cell', { name: String(TOTAL), exact: true }).waitFor();
    await flowRow(visitor, countryName('LA'), countryName('TH')).waitFor();
    expect(await flowsTable(visitor).getByRole('row').count()).toBe(1 + (await publicFlows(visitor)).length);
    expect(
      await flowsTable(visitor)
        .getByRole('row')
        .filter({ hasText: en('journeys.table.levels.region') })
        .count(),
    ).toBe(0);
    // A link to a period the publication does not offer (no route of that year) opens the default period.
    await visitor.goto(`${suite.server.baseUrl}/journeys?period=${YEAR - 3}`);
    await expect.poll(() => new URL(visitor.url()).searchParams.get('period'), POLL).toBe(null);
    await row.getByRole('cell', { name: String(TOTAL), exact: true }).waitFor();
    await expectNoSeriousAxeViolations(visitor, 'public journey map (with flows)');
  });
});
