import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../server/modules/identity/identity.seed.js';
import {
  demoCredentials,
  escapeRegExp,
  expectNoSeriousAxeViolations,
  message,
  signInWithAuthenticator,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 20_000, interval: 100 };

// The demo data (server/modules/identity/identity.seed.ts, server/modules/directory/directory.seed.ts) has
// Tumaini, a Kenyan and Ugandan shelter network with a full profile, and its administrator.
const TUMAINI = 'Tumaini Safe Homes (demo)';
const ORG_ADMIN = 'orgadmin@demo.cairn';
const MEKONG = 'Mekong Legal Aid Network (demo)';

describe('directory: search, filters, profile, map, profile editor', () => {
  const suite = useBrowserSuite();
  let orgAdminSecret: string;

  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const results = (page: Page) => page.locator('.dir-results');

  async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
    if (typeof text === 'string') await expect.poll(() => h1(page).textContent(), POLL).toBe(text);
    else await expect.poll(() => h1(page).textContent(), POLL).toMatch(text);
  }

  /** The address's query, read as the page holds it. */
  const queryOf = (page: Page) => new URL(page.url()).searchParams;

  beforeAll(() => {
    orgAdminSecret = demoCredentials(suite.server.output(), [ORG_ADMIN])(ORG_ADMIN)[1]!;
  });

  let searchPage: Page;

  it('finds an organisation despite a typo, narrows by a facet, and keeps it all in the address', async () => {
    const page = await suite.openPage();
    searchPage = page;
    await page.goto(`${suite.server.baseUrl}/directory`);
    await expectHeading(page, en('directory.search.title'));
    await results(page).waitFor();
    await expectNoSeriousAxeViolations(page, 'directory search (en)');

    // Two typos in the name still find it (trigram matching on names).
    await page.getByLabel(en('directory.search.query'), { exact: true }).fill('Tumain Safe Homs');
    await page.getByRole('button', { name: en('directory.search.submit'), exact: true }).click();
    await expect.poll(() => queryOf(page).get('q'), POLL).toBe('Tumain Safe Homs');
    await results(page).getByRole('link', { name: TUMAINI }).waitFor();
    const before = await results(page).getByRole('listitem').count();

    // A facet narrows the results; its value goes into the address and shows as a removable chip.
    const facets = page.locator('.dir-facets');
    const population = (code: string) =>
      facets.getByRole('checkbox', {
        name: new RegExp(`^${escapeRegExp(en(`directory.vocabulary.populations.${code}`))}\\b`),
      });
    // The box reflects the address, which changes a moment after the click (a navigation), hence click().
    await population('girls').click();
    await expect.poll(() => queryOf(page).getAll('population'), POLL).toEqual(['girls']);
    await expect.poll(() => results(page).getByRole('listitem').count(), POLL).toBeLessThanOrEqual(before);
    await results(page).getByRole('link', { name: TUMAINI }).waitFor();
    expect(await population('girls').isChecked()).toBe(true);
    await page.locator('.dir-active').getByRole('button', { name: /Girls/ }).waitFor();
    await expectNoSeriousAxeViolations(page, 'directory search with a filter (en)');

    // The address is the search: opening it elsewhere gives the same results, and Back undoes the filter.
    const shared = await suite.openPage();
    await shared.goto(page.url());
    await results(shared).getByRole('link', { name: TUMAINI }).waitFor();
    expect(await shared.locator('.dir-facets').getByRole('checkbox', { checked: true }).count()).toBe(1);
    await page.goBack();
    await expect.poll(() => queryOf(page).getAll('population'), POLL).toEqual([]);
    await expect.poll(() => population('girls').isChecked(), POLL).toBe(false);
  });

  it('opens a profile: every field sent, last updated, and back to the same search', async () => {
    const page = searchPage;
    await results(page).getByRole('link', { name: TUMAINI }).click();
    await expectHeading(page, TUMAINI);
    await page.getByText(/^Last updated /).waitFor();
    // Public fields are shown; the offices are for members only, so a visitor is not sent them.
    await page.getByRole('heading', { name: en('directory.fields.services') }).waitFor();
    await page.getByText(en('directory.vocabulary.services.shelter'), { exact: true }).waitFor();
    expect(await page.getByRole('heading', { name: en('directory.fields.offices') }).count()).toBe(0);
    // Descriptions in other languages are one click away, and their text is marked with its language.
    await page.getByRole('button', { name: 'Swahili' }).click();
    await page
      .locator('[lang="sw"]')
      .getByText(/Nyumba salama/)
      .waitFor();
    await expectNoSeriousAxeViolations(page, 'directory profile (en, visitor)');

    await page.getByRole('link', { name: en('directory.profile.back') }).click();
    await expectHeading(page, en('directory.search.title'));
    expect(queryOf(page).get('q')).toBe('Tumain Safe Homs');
  });

  it('sorts by distance from a place chosen by keyboard, or from the reader when they allow it', async () => {
    const page = await suite.openPage();
    await page.goto(`${suite.server.baseUrl}/directory?service=shelter`);
    await results(page).waitFor();
    const place = page.getByRole('combobox', { name: en('directory.search.near.place') });
    await place.fill('Mombas');
    const option = page.getByRole('option', { name: /^Mombasa, .*Kenya$/ }).first();
    await option.waitFor();
    await place.press('ArrowDown');
    await expect.poll(() => place.getAttribute('aria-activedescendant'), POLL).toBeTruthy();
    await place.press('Enter');
    await expect.poll(() => queryOf(page).get('sort'), POLL).toBe('distance');
    expect(queryOf(page).get('placeId')).toMatch(/^\d+$/);
    expect(queryOf(page).getAll('service')).toEqual(['shelter']);
    await page.getByText(/^Sorted by distance from Mombasa/).waitFor();
    // The nearest shelters come first, each with its distance.
    const first = results(page).getByRole('listitem').first();
    await expect.poll(() => first.textContent(), POLL).toMatch(/\d+(\.\d)? km away/);
    await expectNoSeriousAxeViolations(page, 'directory search by distance (en)');

    // "Near me" with the position allowed sorts from it (rounded in the address); refused, it says so.
    const allowed = await suite.newContext({
      locale: 'en-GB',
      geolocation: { latitude: -1.292066, longitude: 36.821945 },
      permissions: ['geolocation'],
    });
    const near = await allowed.newPage();
    suite.watch(near);
    await near.goto(`${suite.server.baseUrl}/directory`);
    await near.getByRole('button', { name: en('directory.search.near.me'), exact: true }).click();
    await expect.poll(() => new URL(near.url()).searchParams.get('near'), POLL).toBe('-1.29,36.82');
    await near.getByText(en('directory.search.near.fromMe')).waitFor();

    const refused = await suite.openPage();
    await refused.goto(`${suite.server.baseUrl}/directory`);
    await refused.getByRole('button', { name: en('directory.search.near.me'), exact: true }).click();
    await refused
      .getByRole('alert')
      .filter({ hasText: en('directory.search.near.denied') })
      .waitFor();
    expect(new URL(refused.url()).searchParams.get('near')).toBeNull();
  });

  it('shows the map with a table, drills into a country and shows the service gaps', async () => {
    const page = await suite.openPage();
    await page.goto(`${suite.server.baseUrl}/directory`);
    await page.getByRole('link', { name: en('directory.search.views.map'), exact: true }).click();
    await expect.poll(() => queryOf(page).get('view'), POLL).toBe('map');
    const map = page.getByRole('img', { name: en('directory.map.titleWorld') });
    await map.waitFor();
    const table = page.locator('.dir-map__tables table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(20);
    expect(await page.locator('.dir-map__marker').count()).toBeGreaterThan(20);
    await expectNoSeriousAxeViolations(page, 'directory map (en)');

    // The table is the keyboard's way into the map: a country's button shows its regions and filters the list.
    const kenya = table.locator('tr', { has: page.getByRole('rowheader', { name: 'Kenya', exact: true }) });
    const inKenya = Number(await kenya.locator('td').first().textContent());
    expect(inKenya).toBeGreaterThan(1);
    await table.getByRole('button', { name: 'Show Kenya' }).click();
    await expect.poll(() => queryOf(page).getAll('country'), POLL).toEqual(['KE']);
    await page.getByRole('img', { name: /Kenya/ }).waitFor();
    await expect.poll(() => table.locator('tbody tr').count(), POLL).toBeGreaterThan(1);
    expect(await table.locator('tbody th').first().textContent()).toMatch(/County|Nairobi|Mombasa|Kisumu/);
    await page.getByText(new RegExp(`^${inKenya} organisations found`)).waitFor();

    // Back to the world, then the gap layer: where nobody offers shelter to boys.
    await page.getByRole('button', { name: en('directory.map.backToWorld') }).click();
    await expect.poll(() => queryOf(page).getAll('country'), POLL).toEqual([]);
    await page.getByLabel(en('directory.map.gap.service'), { exact: true }).selectOption('shelter');
    await page.getByLabel(en('directory.map.gap.population'), { exact: true }).selectOption('boys');
    await expect.poll(() => queryOf(page).get('gapPopulation'), POLL).toBe('boys');
    const caption = page.locator('.dir-map__tables caption');
    await expect
      .poll(() => caption.textContent(), POLL)
      .toMatch(/no organisation offers “Shelter” to “Boys”/);
    const gaps = await table.locator('tbody tr').count();
    expect(gaps).toBeGreaterThan(0);
    // The gaps are the countries nobody covers, never all of them; each is hatched on the map.
    expect(gaps).toBeLessThan(175);
    expect(await page.locator('path[fill^="url(#"]').count()).toBe(gaps);
    await expectNoSeriousAxeViolations(page, 'directory map, service gaps (en)');
  });

  it('reads right to left in Arabic', async () => {
    const page = await suite.openPage({ locale: 'ar' });
    await page.goto(`${suite.server.baseUrl}/directory?q=Tumaini`);
    await expectHeading(page, message('ar', 'directory.search.title'));
    expect(await page.evaluate('[document.documentElement.lang, document.documentElement.dir]')).toEqual([
      'ar',
      'rtl',
    ]);
    await results(page).getByRole('link', { name: TUMAINI }).waitFor();
    await page.getByText(message('ar', 'directory.vocabulary.services.shelter')).first().waitFor();
    await expectNoSeriousAxeViolations(page, 'directory search (ar)');
  });

  it('lets the org admin change a service and a visibility, and visitors see the change', async () => {
    const page = await suite.openPage();
    await signInWithAuthenticator(page, suite.server.baseUrl, {
      email: ORG_ADMIN,
      password: demoPassword,
      secret: orgAdminSecret,
    });

    // The header offers "My directory profile" because the server says this person administers Tumaini.
    const nav = page.getByRole('navigation', { name: en('app.navLabel') });
    await nav.getByRole('link', { name: en('directory.nav.myProfile') }).click();
    await expectHeading(page, new RegExp(escapeRegExp(TUMAINI)));
    const services = page.getByRole('group', { name: en('directory.fields.services'), exact: true });
    await services.waitFor();
    // The saved offices' places were found again in the gazetteer, so nothing asks to choose them anew.
    expect(await page.getByText(/Choose it again from the list/).count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'profile editor (en)');

    // The server's refusal lands beside the field it is about, here the phone of the first contact.
    const contactPhone = page.getByRole('group', { name: 'Contact 1' }).getByLabel(/^Phone/);
    const savedPhone = await contactPhone.inputValue();
    await contactPhone.fill('12');
    await page.getByRole('button', { name: en('directory.editor.save'), exact: true }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    await expect.poll(() => contactPhone.getAttribute('aria-invalid'), POLL).toBe('true');
    expect(await summary.getByRole('link').count()).toBe(1);
    await summary.getByRole('link').click();
    const phoneId = await contactPhone.getAttribute('id');
    expect(await page.evaluate('document.activeElement?.id')).toBe(phoneId);
    await expectNoSeriousAxeViolations(page, 'profile editor with an error (en)');
    await contactPhone.fill(savedPhone);

    const legalAid = services.getByRole('checkbox', { name: en('directory.vocabulary.services.legal_aid') });
    expect(await legalAid.isChecked()).toBe(false);
    await legalAid.check();
    await page.getByLabel('Who can see “Services”').selectOption('members');
    // A partner, found by searching the directory, sees what Tumaini shows to partners only.
    const partners = page.getByRole('group', { name: en('directory.editor.partners.legend') });
    await partners.getByLabel(en('directory.editor.partners.search')).fill('Mekong Legal');
    await partners.getByRole('button', { name: en('directory.editor.partners.find'), exact: true }).click();
    await partners.getByRole('button', { name: `${en('directory.editor.partners.add')} ${MEKONG}` }).click();
    await partners.getByText(MEKONG, { exact: true }).first().waitFor();
    await page.getByRole('button', { name: en('directory.editor.save'), exact: true }).click();

    // After saving: the profile page, with the new service and, for its admin, who can see it.
    await expectHeading(page, TUMAINI);
    await page
      .getByRole('status')
      .filter({ hasText: en('directory.editor.saved') })
      .first()
      .waitFor();
    await page.getByText(en('directory.vocabulary.services.legal_aid'), { exact: true }).waitFor();
    await page.getByRole('heading', { name: /Services\s+Visible to: Members/ }).waitFor();
    await expectNoSeriousAxeViolations(page, 'directory profile (en, its admin)');
    const profileUrl = page.url();

    // The partner list was saved with the profile.
    await page.getByRole('link', { name: en('directory.profile.edit') }).click();
    const savedPartners = page.getByRole('group', { name: en('directory.editor.partners.legend') });
    await savedPartners.locator('.dir-partners__item').filter({ hasText: MEKONG }).waitFor();
    await page.getByRole('link', { name: en('directory.editor.cancel') }).click();
    await expectHeading(page, TUMAINI);

    // Members find Tumaini by its new service; the public directory no longer shows its services at all.
    await page.goto(`${suite.server.baseUrl}/directory?q=Tumaini&service=legal_aid`);
    await results(page).getByRole('link', { name: TUMAINI }).waitFor();

    const visitor = await suite.openPage();
    await visitor.goto(profileUrl);
    await expectHeading(visitor, TUMAINI);
    await visitor.getByRole('heading', { name: en('directory.fields.populations') }).waitFor();
    expect(await visitor.getByRole('heading', { name: en('directory.fields.services') }).count()).toBe(0);
    await visitor.goto(`${suite.server.baseUrl}/directory?q=Tumaini&service=legal_aid`);
    await visitor.getByText(en('directory.search.none')).waitFor();
  });
});
