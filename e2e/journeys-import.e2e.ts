import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demoCredentials,
  expectNoSeriousAxeViolations,
  message,
  signInWithAuthenticator,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 20_000, interval: 100 };

// A caseworker of an active demo organisation (server/modules/identity/identity.seed.ts) contributes routes.
const CONTRIBUTOR = { email: 'caseworker@demo.cairn' };
// Two routes in the Victim Journey Tracker's columns, except that the origin's header is one Cairn does not
// know ("Home village"): the importer maps it by hand.
const FILE = [
  'Home village,Intended destination,Place of exploitation,Exploitation type,Estimated number of cases,Period',
  '"Lao Cai, Vietnam","Hanoi, VN","Shenzhen, China",Forced labour,6,2023-Q2',
  'Nepal,Qatar,"Doha, Qatar",Forced labour,3,2022',
].join('\r\n');

describe('journeys import: a contributor maps an unknown column, checks the file again, and imports it', () => {
  const suite = useBrowserSuite();
  let folder: string;
  let password: string;
  let secret: string;
  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cairn-journeys-import-e2e-'));
    [password, secret] = demoCredentials(suite.server.output(), [CONTRIBUTOR.email])(CONTRIBUTOR.email) as [
      string,
      string,
    ];
  });

  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('reports the missing column, takes the mapping, and creates both routes for moderation', async () => {
    const page = await suite.openPage();

    await signInWithAuthenticator(
      page,
      suite.server.baseUrl,
      { email: CONTRIBUTOR.email, password, secret },
      '/journeys/import',
    );
    await expect.poll(() => h1(page).textContent(), POLL).toBe(en('journeys.import.title'));
    await expectNoSeriousAxeViolations(page, 'route import page');

    const file = path.join(folder, 'village-routes.csv');
    await writeFile(file, FILE);
    await page.getByLabel(en('journeys.import.file.label'), { exact: true }).setInputFiles(file);
    await page.getByRole('button', { name: en('journeys.import.file.check'), exact: true }).click();

    // The dry run names the missing column on row 1 and offers no import.
    const columns = page.getByRole('table', { name: /Columns of village-routes\.csv/ });
    await columns.waitFor();
    const village = columns.getByRole('combobox', { name: /Home village/ });
    expect(await village.inputValue()).toBe('');
    expect(await columns.getByRole('combobox', { name: /Place of exploitation/ }).inputValue()).toBe(
      'exploitation',
    );
    await page.getByText('Still missing: Origin.').waitFor();
    const report = page.getByRole('table', { name: /row by row/ });
    expect(
      await report.getByRole('row').filter({ hasText: 'origin' }).getByRole('rowheader').textContent(),
    ).toBe('1');
    expect(await page.getByRole('button', { name: /^Import \d/ }).count()).toBe(0);
    await expectNoSeriousAxeViolations(page, 'route import with a missing column');

    // Mapped by hand: the import waits for a second check with the new columns.
    await village.selectOption('origin');
    await page.getByText(en('journeys.import.commit.recheckFirst')).waitFor();
    await page.getByRole('button', { name: en('journeys.import.columns.recheck'), exact: true }).click();
    await page.getByText(en('journeys.import.report.clean')).waitFor();
    expect(
      await page
        .getByRole('table', { name: /Columns of village-routes\.csv/ })
        .getByRole('combobox', { name: /Home village/ })
        .inputValue(),
    ).toBe('origin');
    await expectNoSeriousAxeViolations(page, 'route import, clean after mapping');

    await page.getByRole('button', { name: 'Import 2 routes', exact: true }).click();
    await page.getByText('2 routes were imported. They wait for a moderator.').waitFor();
    await expectNoSeriousAxeViolations(page, 'route import committed');

    // Both routes are the organisation's, waiting for a moderator.
    await page.getByRole('link', { name: en('journeys.import.commit.toContributions'), exact: true }).click();
    await expect.poll(() => h1(page).textContent(), POLL).toBe(en('journeys.contributions.title'));
    for (const place of ['Shenzhen', 'Doha'])
      await page
        .getByRole('row')
        .filter({ hasText: place })
        .getByText(en('journeys.vocabulary.statuses.pending'))
        .waitFor();
  });
});
