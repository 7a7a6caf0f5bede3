import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../server/modules/identity/identity.seed.js';
import {
  demoCredentials,
  expectNoSeriousAxeViolations,
  field,
  message,
  signInWithAuthenticator,
  useBrowserSuite,
} from './harness.js';

const POLL = { timeout: 20_000, interval: 100 };
// The platform administrator of the demo data (server/modules/identity/identity.seed.ts), with an
// authenticator app whose secret the start-up banner prints.
const ADMIN = { email: 'admin@demo.cairn' };
const TAG = randomBytes(3).toString('hex');
const GOOD = `Kilifi Coast Refuge ${TAG}`;
const FIXED = `Lamu Island Helpers ${TAG}`;

describe('directory import: a coordinator imports a file, fixes it, commits, and finds the result', () => {
  const suite = useBrowserSuite();
  let adminSecret: string;
  let folder: string;
  const en = (key: string) => message('en', key);
  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'cairn-import-e2e-'));
    adminSecret = demoCredentials(suite.server.output(), [ADMIN.email])(ADMIN.email)[1]!;
  });

  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('shows a row-by-row report, then creates every organisation of the fixed file', async () => {
    const page = await suite.openPage();
    await signInWithAuthenticator(
      page,
      suite.server.baseUrl,
      { email: ADMIN.email, password: demoPassword, secret: adminSecret },
      '/directory/import',
    );
    await expect.poll(() => h1(page).textContent(), POLL).toBe(en('directoryImport.title'));
    // The header offers the import page to platform staff.
    const nav = page.getByRole('navigation', { name: en('app.navLabel') });
    await nav.getByRole('link', { name: en('directoryImport.nav.import') }).waitFor();
    await expectNoSeriousAxeViolations(page, 'import page');

    // A file with one bad row: an unknown country code.
    const bad = path.join(folder, 'coast-network.csv');
    await writeFile(
      bad,
      `Organisation,Type,Country,Services,City\n${GOOD},NGO,Kenya,Shelter; Legal aid,Mombasa\n${FIXED},NGO,XK-9,Shelter,\n`,
    );
    await field(page, en('directoryImport.file.label')).setInputFiles(bad);
    await page.getByRole('button', { name: en('directoryImport.file.check') }).click();

    const report = page.getByRole('table', { name: /problem/ });
    await report.waitFor();
    // Detected columns, with the mapping Cairn proposed.
    const columns = page.getByRole('table', { name: /Columns of coast-network\.csv/ });
    expect(await columns.getByRole('combobox', { name: /Organisation/ }).inputValue()).toBe('name');
    expect(await columns.getByRole('combobox', { name: /City/ }).inputValue()).toBe('city');
    // The bad row is reported on its row, in its column, in words.
    const problem = report.getByRole('row').filter({ hasText: 'XK-9' });
    expect(await problem.getByRole('rowheader').textContent()).toBe('3');
    expect(await problem.getByRole('cell').first().textContent()).toBe('Country');
    expect(await page.getByRole('button', { name: /^Create/ }).count()).toBe(0);
    await page.getByText(en('directoryImport.commit.fixFirst')).waitFor();
    await expectNoSeriousAxeViolations(page, 'import report with a problem');

    // Fixed: the second organisation works in Kenya too.
    const fixed = path.join(folder, 'coast-network-fixed.csv');
    await writeFile(
      fixed,
      `Organisation,Type,Country,Services,City\n${GOOD},NGO,Kenya,Shelter; Legal aid,Mombasa\n${FIXED},NGO,KE,Shelter,\n`,
    );
    await field(page, en('directoryImport.file.label')).setInputFiles(fixed);
    await page.getByRole('button', { name: en('directoryImport.file.check') }).click();
    await page.getByText(en('directoryImport.report.clean')).waitFor();
    await expectNoSeriousAxeViolations(page, 'clean import report');

    await page.getByRole('button', { name: 'Create 2 organisations' }).click();
    await page.getByText('2 organisations were created.').waitFor();
    await expectNoSeriousAxeViolations(page, 'import committed');

    // The imported organisations are in the directory.
    await page.getByRole('link', { name: en('directoryImport.commit.toDirectory') }).click();
    await page.goto(`${suite.server.baseUrl}/directory?q=${encodeURIComponent(GOOD)}`);
    await page.getByRole('link', { name: GOOD }).first().waitFor();
    await expectNoSeriousAxeViolations(page, 'directory search with an imported organisation');
  });
});
