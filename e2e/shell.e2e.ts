import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoSeriousAxeViolations,
  launchBrowser,
  message,
  startServer,
  watchPage,
  type PageProblems,
  type RunningServer,
} from './harness.js';

const POLL = { timeout: 10_000, interval: 100 };

// The languages the web ships, with a browser locale that should pick each one on a first visit.
const LANGUAGES = [
  { code: 'en', locale: 'en-GB', dir: 'ltr' },
  { code: 'es', locale: 'es-MX', dir: 'ltr' },
  { code: 'fr', locale: 'fr-FR', dir: 'ltr' },
  { code: 'ar', locale: 'ar-EG', dir: 'rtl' },
] as const;

describe('web shell', () => {
  let server: RunningServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const watched: PageProblems[] = [];

  /** A page in a fresh browser context (no stored language), watched for errors and CSP refusals. */
  async function openPage(options: { locale?: string; width?: number } = {}): Promise<Page> {
    const context = await browser.newContext({
      locale: options.locale ?? 'en-GB',
      viewport: { width: options.width ?? 1280, height: 800 },
    });
    contexts.push(context);
    // Playwright waits 30 s per action by default; a missing element should fail well inside a test's minute.
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    watched.push(watchPage(page));
    return page;
  }

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const htmlAttribute = (page: Page, name: string) => page.locator('html').getAttribute(name);

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterEach(async () => {
    const problems = watched.splice(0).flatMap((watch) => watch.list());
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    expect(problems, 'pages reported uncaught errors or CSP violations').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves the app with a strict Content-Security-Policy and no inline code', async () => {
    const page = await openPage();
    const response = await page.goto(`${server.baseUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = (await response?.text()) ?? '';
    expect(html, 'inline <script> in index.html').not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
    expect(html, 'inline <style> in index.html').not.toMatch(/<style[\s>]/i);
    expect(html, 'style attribute in index.html').not.toMatch(/\sstyle=/i);
  });

  it('shows the home page in English with one h1 and no serious accessibility problems', async () => {
    const page = await openPage();
    await page.goto(`${server.baseUrl}/`);
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('en', 'home.title'));
    expect(await h1(page).count()).toBe(1);
    expect(await htmlAttribute(page, 'lang')).toBe('en');
    expect(await htmlAttribute(page, 'dir')).toBe('ltr');
    await expect.poll(() => page.title(), POLL).toContain(message('en', 'home.title'));
    for (const landmark of ['banner', 'navigation', 'main', 'contentinfo'] as const) {
      expect(await page.getByRole(landmark).count(), `${landmark} landmark`).toBe(1);
    }
    await expectNoSeriousAxeViolations(page, 'home (en)');
  });

  it('switches to Arabic, right to left, and remembers the choice after a reload', async () => {
    const page = await openPage();
    await page.goto(`${server.baseUrl}/`);
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('en', 'home.title'));

    await page.locator('#language-switcher').selectOption('ar');
    await expect.poll(() => htmlAttribute(page, 'dir'), POLL).toBe('rtl');
    expect(await htmlAttribute(page, 'lang')).toBe('ar');
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('ar', 'home.title'));
    expect(await page.getByLabel(message('ar', 'language.label')).inputValue()).toBe('ar');
    await expectNoSeriousAxeViolations(page, 'home (ar)');

    await page.reload();
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('ar', 'home.title'));
    expect(await htmlAttribute(page, 'dir')).toBe('rtl');
    expect(await htmlAttribute(page, 'lang')).toBe('ar');
    expect(await page.locator('#language-switcher').inputValue()).toBe('ar');
  });

  it("picks the browser's language on a first visit and shows a localised not-found page", async () => {
    const page = await openPage({ locale: 'es-MX' });
    const response = await page.goto(`${server.baseUrl}/no/such/page`);
    expect(response?.headers()['content-type']).toContain('text/html');
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('es', 'notFound.title'));
    expect(await htmlAttribute(page, 'lang')).toBe('es');
    await expectNoSeriousAxeViolations(page, 'not found (es)');

    await page.getByRole('link', { name: message('es', 'notFound.home') }).click();
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('es', 'home.title'));
  });

  it('moves focus to the new page heading after navigating inside the app', async () => {
    const page = await openPage();
    await page.goto(`${server.baseUrl}/`);
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('en', 'home.title'));

    await page
      .getByRole('navigation')
      .getByRole('link', { name: message('en', 'app.nav.status') })
      .click();
    await expect.poll(() => page.evaluate('document.activeElement?.tagName'), POLL).toBe('H1');
    expect(await h1(page).textContent()).toBe(message('en', 'status.title'));
    expect(new URL(page.url()).pathname).toBe('/status');
    const current = page.getByRole('navigation').locator('[aria-current="page"]');
    expect(await current.textContent()).toBe(message('en', 'app.nav.status'));
  });

  it('shows on the status page which database the server runs on', async () => {
    const page = await openPage();
    await page.goto(`${server.baseUrl}/status`);
    await expect.poll(() => h1(page).textContent(), POLL).toBe(message('en', 'status.title'));
    const databaseRow = page.getByRole('row', { name: new RegExp(message('en', 'status.database')) });
    const expected = process.env.DATABASE_URL || process.env.E2E_POSTGRES_URL ? 'PostgreSQL' : 'PGlite';
    await expect.poll(() => databaseRow.textContent(), POLL).toContain(expected);
    const versionRow = page.getByRole('row', { name: new RegExp(message('en', 'status.version')) });
    expect(await versionRow.textContent()).toMatch(/\d+\.\d+\.\d+/);
    await expectNoSeriousAxeViolations(page, 'status (en)');
  });

  it('has no serious accessibility problems on any page, in any language, down to 320px wide', async () => {
    for (const language of LANGUAGES) {
      const page = await openPage({ locale: language.locale, width: 320 });
      for (const [path, titleKey] of [
        ['/', 'home.title'],
        ['/status', 'status.title'],
        ['/missing', 'notFound.title'],
      ] as const) {
        await page.goto(`${server.baseUrl}${path}`);
        await expect.poll(() => h1(page).textContent(), POLL).toBe(message(language.code, titleKey));
        expect(await htmlAttribute(page, 'dir')).toBe(language.dir);
        if (path === '/status') {
          await page.getByRole('table').waitFor();
        }
        // Nothing may force sideways scrolling of the whole page on a small phone.
        const overflow = await page.evaluate(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect(overflow, `${path} in ${language.code} scrolls sideways`).toBeLessThanOrEqual(0);
        await expectNoSeriousAxeViolations(page, `${path} (${language.code}, 320px)`);
      }
    }
  });
});
