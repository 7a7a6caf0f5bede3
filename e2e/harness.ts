import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/** The repository root, whatever directory the tests are started from. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const HEALTH_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 20_000;

/** A Cairn server started for a test file, with its own empty data folder. */
export interface RunningServer {
  baseUrl: string;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Asks the OS for a port nobody is listening on. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not read the probe port'));
      });
    });
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  /**
   * The host name the browser uses for the server (default 127.0.0.1). Passkey tests need `localhost`:
   * WebAuthn binds passkeys to a domain, and Chromium refuses an IP address as the relying party.
   */
  hostname?: string;
}

/** Creates a throwaway PostgreSQL database on the server at `serverUrl`. */
async function createDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cairn_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}

/**
 * Starts the built server (`npm run build` first) on a free port with a fresh data folder and waits until
 * GET /api/health answers 200. Set E2E_POSTGRES_URL (a PostgreSQL server URL) to give each server a fresh
 * database there instead of the embedded PGlite.
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const entry = path.join(repoRoot, 'dist/server/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first`);

  const port = await findFreePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cairn-e2e-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // Production refuses to start without a master key; a throwaway one per run suits a throwaway database.
    CAIRN_MASTER_KEY: randomBytes(32).toString('base64'),
    HOST: '127.0.0.1',
    PORT: String(port),
    CAIRN_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // Every page load fetches a dozen files; the tests measure pages, not the rate limiter.
    CAIRN_RATE_LIMIT_MAX: '100000',
  };
  // The server derives its WebAuthn relying party and email links from its public address.
  if (options.hostname) env.PUBLIC_URL = `http://${options.hostname}:${port}`;
  // With E2E_POSTGRES_URL (a server URL), each server gets a database of its own, dropped when it stops,
  // so spec files cannot see each other's changes.
  const database = process.env.E2E_POSTGRES_URL
    ? await createDatabase(process.env.E2E_POSTGRES_URL)
    : undefined;
  if (database) env.DATABASE_URL = database.url;
  else if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;

  const child = spawn(process.execPath, [entry, 'start'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const baseUrl = `http://${options.hostname ?? '127.0.0.1'}:${port}`;
  // Health is checked on the address the server listens on, whatever name the browser will use.
  const healthUrl = `http://127.0.0.1:${port}/api/health`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForExit(child, STOP_TIMEOUT_MS);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`The server exited before it was ready:\n${output}`);
    }
    try {
      const response = await fetch(healthUrl);
      if (response.status === 200) return { baseUrl, output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`The server did not answer /api/health within ${HEALTH_TIMEOUT_MS / 1000}s:\n${output}`);
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
