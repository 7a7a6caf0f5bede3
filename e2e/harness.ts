import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { startServer as startServerFrom, type RunningServer, type ServerOptions } from './server.js';

/** The repository root, whatever directory the tests are started from. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export { findFreePort, type RunningServer, type ServerOptions } from './server.js';

/**
 * Starts the built server on a free port with a data folder (and, with E2E_POSTGRES_URL, a PostgreSQL
 * database) of its own, copied from the run's template of demo data (e2e/global-setup.ts), and waits until
 * GET /api/health answers 200.
 */
export function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startServerFrom(inject('e2eTemplate'), options);
}

/**
 * Gives a page Chromium's virtual authenticator, which answers WebAuthn like a phone's platform
 * authenticator would, with the person "verified" (fingerprint or PIN) every time.
 */
export async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}

/** Launches Debian's Chromium headless; each test should open its own context from it. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Problems a page reported on its own: uncaught exceptions and Content-Security-Policy refusals. */
export interface PageProblems {
  list: () => string[];
}

/** Starts collecting a page's uncaught errors and CSP violations, which no page should ever have. */
export function watchPage(page: Page): PageProblems {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  return { list: () => [...problems] };
}

/** A translation from a shipped locale file, as the page should show it (messages without variables). */
export function message(language: string, key: string): string {
  const file = path.join(repoRoot, 'web/src/i18n/locales', `${language}.json`);
  let node: unknown = JSON.parse(readFileSync(file, 'utf8'));
  for (const part of key.split('.')) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') throw new Error(`${language}.json has no message "${key}"`);
  return node;
}

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function describeViolation(violation: AxeViolation): string {
  const nodes = violation.nodes
    .map(
      (node) =>
        `    at ${JSON.stringify(node.target)}\n      ${(node.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
    )
    .join('\n');
  return `  [${violation.impact ?? 'unknown'}] ${violation.id}: ${violation.help}\n    ${violation.helpUrl}\n${nodes}`;
}

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation, listing each with
 * the elements involved. axe is injected through the DevTools protocol, which the page's CSP does not
 * govern, so the app's real policy stays in force during the check.
 */
export async function expectNoSeriousAxeViolations(page: Page, label = page.url()): Promise<void> {
  await page.evaluate(`${axeSource};true`);
  const violations = await page.evaluate<AxeViolation[]>(`
    axe.run(document, { resultTypes: ['violations'] }).then((results) =>
      results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
      })),
    )
  `);
  const serious = violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const minor = violations.filter((violation) => !serious.includes(violation));
  if (minor.length > 0) {
    console.warn(`axe found minor issues on ${label}:\n${minor.map(describeViolation).join('\n')}`);
  }
  expect(
    serious.map((violation) => violation.id),
    `axe found serious accessibility violations on ${label}:\n${serious.map(describeViolation).join('\n')}`,
  ).toEqual([]);
}

/** A text as a regular expression that matches it literally. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A form control by the start of its label (labels of required fields end with a "(required)" marker). */
export function field(scope: Page | Locator, label: string) {
  return scope.getByLabel(new RegExp(`^${escapeRegExp(label)}`));
}

/** The current code of an authenticator app holding this base32 secret. */
export function totpCode(secret: string): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
}

/** The demo password and each demo account's TOTP secret, read from the server's start-up banner. */
export function demoCredentials(output: string, emails: string[]): (email: string) => string[] {
  const password = /Password of every demo account: (.+)/.exec(output)?.[1]?.trim();
  const secrets = new Map<string, string>();
  for (const email of emails) {
    const secret = new RegExp(`${escapeRegExp(email)}[^\\n]*\\n\\s+second factor: TOTP ([A-Z2-7]+)`).exec(
      output,
    )?.[1];
    if (secret) secrets.set(email, secret);
  }
  if (!password || secrets.size !== emails.length)
    throw new Error(`The start-up banner lacks demo data:\n${output}`);
  return (email) => [password, secrets.get(email)!];
}

/** A spec's server and browser, started once for its tests, and the pages it opens. */
export interface BrowserSuite {
  readonly server: RunningServer;
  readonly browser: Browser;
  /**
   * A page in a fresh context (its own cookies), English, desktop-sized, watched for errors. `width` narrows
   * the viewport (900 pixels high) to a phone's, say.
   */
  openPage: (options?: { locale?: string; timeout?: number; width?: number }) => Promise<Page>;
  /**
   * A fresh context with exactly these options (none of openPage's defaults), closed with the others after the
   * tests. Its pages are not watched until given to {@link BrowserSuite.watch}.
   */
  newContext: (options?: BrowserContextOptions) => Promise<BrowserContext>;
  /** Watches a page opened another way (a second tab, a page of newContext) for the same problems. */
  watch: (page: Page) => void;
}

/**
 * Registers the hooks every browser spec needs: a server and a browser before the tests, a check after each
 * test that no page reported an uncaught error or a CSP violation since the last check, and everything closed
 * after the tests. Call it inside `describe`.
 */
export function useBrowserSuite(options: ServerOptions = {}): BrowserSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const watched: PageProblems[] = [];
  const reported = new Map<PageProblems, number>();

  beforeAll(async () => {
    server = await startServer(options);
    browser = await launchBrowser();
  });
  afterEach(() => {
    const problems = watched.flatMap((watch) => {
      const list = watch.list();
      const fresh = list.slice(reported.get(watch) ?? 0);
      reported.set(watch, list.length);
      return fresh;
    });
    expect(problems, 'pages reported uncaught errors or CSP violations').toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    await browser?.close();
    await server?.stop();
  });

  return {
    get server() {
      if (!server) throw new Error('The server starts in beforeAll');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('The browser starts in beforeAll');
      return browser;
    },
    async openPage({ locale = 'en-GB', timeout = 20_000, width = 1280 } = {}) {
      const context = await this.newContext({ locale, viewport: { width, height: 900 } });
      context.setDefaultTimeout(timeout);
      const page = await context.newPage();
      this.watch(page);
      return page;
    },
    async newContext(contextOptions = {}) {
      const context = await this.browser.newContext(contextOptions);
      contexts.push(context);
      return context;
    },
    watch(page) {
      watched.push(watchPage(page));
    },
  };
}

/**
 * Signs in with a password and an authenticator code, starting at `next` when given (a path the sign-in page
 * returns to afterwards). It does not wait for the page that follows: the caller knows which one that is.
 */
export async function signInWithAuthenticator(
  page: Page,
  baseUrl: string,
  account: { email: string; password: string; secret: string },
  next?: string,
): Promise<void> {
  const en = (key: string) => message('en', key);
  await page.goto(`${baseUrl}/sign-in${next === undefined ? '' : `?next=${encodeURIComponent(next)}`}`);
  await field(page, en('auth.signIn.email')).fill(account.email);
  await field(page, en('auth.signIn.password')).fill(account.password);
  await page.getByRole('button', { name: en('auth.signIn.submit'), exact: true }).click();
  await field(page, en('auth.secondFactor.totpLabel')).fill(totpCode(account.secret));
  await page.getByRole('button', { name: en('auth.secondFactor.verify'), exact: true }).click();
}
