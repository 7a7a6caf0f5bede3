import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  addVirtualAuthenticator,
  expectNoSeriousAxeViolations,
  launchBrowser,
  message,
  startServer,
  watchPage,
  type PageProblems,
  type RunningServer,
} from './harness.js';

const POLL = { timeout: 10_000, interval: 100 };

// Demo people (server/modules/identity/identity.seed.ts). Their shared password and the caseworker's TOTP
// secret are read from the server's start-up banner, as a newcomer would read them.
const MEMBER = { email: 'member@demo.cairn', name: 'Rahima Begum', organisation: 'Voices of Return' };
const CASEWORKER = { email: 'caseworker@demo.cairn', name: 'Sophea Chan', organisation: 'Mekong Legal Aid' };

/** A field by the start of its label (labels of required fields end with a "(required)" marker). */
function field(page: Page, label: string) {
  return page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

/** The current code of an authenticator app holding this base32 secret, `offsetSteps` periods from now. */
function totpCode(secret: string, offsetSteps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
}

describe('signing in', () => {
  let server: RunningServer;
  let browser: Browser;
  let demoPassword: string;
  const contexts: BrowserContext[] = [];
  const watched: PageProblems[] = [];
  /** What each page logged as an error, shown when a heading does not arrive. */
  const consoleErrors = new WeakMap<Page, string[]>();

  /** A fresh browser context (no cookies, no stored language) with its own virtual passkey authenticator. */
  async function openPage(options: { locale?: string; width?: number } = {}): Promise<Page> {
    const context = await browser.newContext({
      locale: options.locale ?? 'en-GB',
      viewport: { width: options.width ?? 1280, height: 900 },
    });
    contexts.push(context);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    watched.push(watchPage(page));
    const errors: string[] = [];
    consoleErrors.set(page, errors);
    page.on('console', (entry) => {
      if (entry.type() === 'error') errors.push(entry.text());
    });
    await addVirtualAuthenticator(page);
    return page;
  }

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
  const banner = (page: Page) => page.getByRole('banner');
  const en = (key: string) => message('en', key);

  async function expectHeading(page: Page, text: string): Promise<void> {
    try {
      await expect
        .poll(
          () =>
            h1(page)
              .textContent({ timeout: 2_000 })
              .catch(() => null),
          POLL,
        )
        .toBe(text);
    } catch (error) {
      // Say where the page was and what it showed: a heading that never came is otherwise a mystery.
      const body = await page.evaluate('document.body.innerText').catch(() => '(unreadable)');
      const logged = (consoleErrors.get(page) ?? []).join('\n');
      throw new Error(
        `Expected the heading "${text}" at ${page.url()}; the page shows:\n${String(body)}\nconsole errors:\n${logged}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Nothing may make the whole page scroll sideways (checked at 320px). */
  async function expectNoSidewaysScroll(page: Page, label: string): Promise<void> {
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow, `${label} scrolls sideways`).toBeLessThanOrEqual(0);
  }

  /** What GET /api/auth/me answers for this page's cookies: the status, and the name if signed in. */
  async function me(page: Page): Promise<{ status: number; name?: string; level?: string }> {
    return page.evaluate(async () => {
      const response = await fetch('/api/auth/me');
      if (!response.ok) return { status: response.status };
      const body = (await response.json()) as { person: { displayName: string }; level: string };
      return { status: response.status, name: body.person.displayName, level: body.level };
    });
  }

  async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
    await field(page, en('auth.signIn.email')).fill(email);
    await field(page, en('auth.signIn.password')).fill(password);
    await page.getByRole('button', { name: en('auth.signIn.submit'), exact: true }).click();
  }

  async function signOutFromHeader(page: Page, language = 'en'): Promise<void> {
    await banner(page)
      .getByRole('button', { name: message(language, 'auth.signOut.action') })
      .click();
    await expectHeading(page, message(language, 'auth.signIn.title'));
    await expect.poll(async () => (await me(page)).status, POLL).toBe(401);
  }

  /** A demo person's TOTP secret, as the start-up banner prints it under their email. */
  function demoTotpSecret(email: string): string {
    const line = new RegExp(`${email.replace(/\./g, '\\.')}[^\\n]*\\n\\s+second factor: TOTP ([A-Z2-7]+)`);
    const secret = line.exec(server.output())?.[1];
    if (!secret) throw new Error(`No TOTP secret for ${email} in the start-up banner`);
    return secret;
  }

  /** Signs the person in from a script, as if on another device (a second session to list and end). */
  async function signInElsewhere(email: string): Promise<void> {
    const response = await fetch(`${server.baseUrl}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (Android 14) Firefox/128.0' },
      body: JSON.stringify({ email, password: demoPassword }),
    });
    expect(response.status).toBe(200);
  }

  beforeAll(async () => {
    server = await startServer({ hostname: 'localhost' });
    browser = await launchBrowser();
    const output = server.output();
    const password = /Password of every demo account: (.+)/.exec(output)?.[1]?.trim();
    if (!password) throw new Error(`The server printed no demo password; is demo data on?\n${output}`);
    demoPassword = password;
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

  it('lets a member add a passkey, sign in with it alone, see who and for whom, and end sessions', async () => {
    const page = await openPage();
    await page.goto(`${server.baseUrl}/account/security`);
    // Not signed in: sent to sign in, and brought back afterwards.
    await expectHeading(page, en('auth.signIn.title'));
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account/security');
    await expectNoSeriousAxeViolations(page, 'sign in (en)');

    // Errors are shown with their field and summarised.
    await page.getByRole('button', { name: en('auth.signIn.submit'), exact: true }).click();
    const email = field(page, en('auth.signIn.email'));
    await expect.poll(() => email.getAttribute('aria-invalid'), POLL).toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain(
      en('auth.signIn.emailRequired'),
    );
    expect(await page.getByRole('heading', { name: en('ui.errorSummaryTitle') }).count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'sign in with errors (en)');

    await signInWithPassword(page, MEMBER.email, demoPassword);
    await expectHeading(page, en('auth.security.title'));
    await expect.poll(() => banner(page).textContent(), POLL).toContain(MEMBER.name);
    expect(await banner(page).textContent()).toContain(MEMBER.organisation);
    await page.getByRole('table', { name: en('auth.passkey.caption') }).waitFor({ state: 'detached' });
    await page.getByText(en('auth.passkey.none')).waitFor();
    await expectNoSeriousAxeViolations(page, 'security (en)');

    // Add a passkey under a chosen name; the virtual authenticator creates it.
    await field(page, en('auth.passkey.nameLabel')).fill('E2E laptop');
    await page.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    const passkeys = page.getByRole('table', { name: en('auth.passkey.caption') });
    await expect.poll(() => passkeys.getByRole('rowheader').allTextContents(), POLL).toEqual(['E2E laptop']);

    // With a factor, recovery codes can be made: shown once, with a warning and ways to keep them.
    await page.getByRole('button', { name: en('auth.recovery.generate') }).click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await expect.poll(() => codes.count(), POLL).toBe(10);
    expect(await codes.first().textContent()).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await page.getByText(en('auth.recovery.warningTitle')).waitFor();
    await page.getByRole('button', { name: en('auth.recovery.download') }).waitFor();
    await expectNoSeriousAxeViolations(page, 'security with new recovery codes (en)');
    await page.getByRole('button', { name: en('auth.recovery.saved') }).click();
    await expect.poll(() => codes.count(), POLL).toBe(0);

    await signOutFromHeader(page);
    expect(await banner(page).textContent()).not.toContain(MEMBER.name);

    // A passkey alone signs in: no email, no password.
    await page.getByRole('button', { name: en('auth.signIn.withPasskey') }).click();
    await expect.poll(async () => (await me(page)).name, POLL).toBe(MEMBER.name);
    await expectHeading(page, message('en', 'home.title'));
    await expect.poll(() => banner(page).textContent(), POLL).toContain(MEMBER.name);
    expect(await banner(page).textContent()).toContain(MEMBER.organisation);

    // Sessions: this one is marked; another device's can be signed out, then all the others at once.
    await signInElsewhere(MEMBER.email);
    await banner(page)
      .getByRole('link', { name: en('auth.account.sessions') })
      .click();
    await expectHeading(page, en('auth.sessions.title'));
    const sessionRows = page.getByRole('table', { name: en('auth.sessions.caption') }).locator('tbody tr');
    await expect.poll(() => sessionRows.count(), POLL).toBe(2);
    const current = sessionRows.filter({ hasText: en('auth.sessions.current') });
    expect(await current.count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'sessions (en)');
    const other = sessionRows.filter({ hasText: 'Firefox on Android' });
    await other.getByRole('button', { name: new RegExp(en('auth.sessions.revoke')) }).click();
    await expect.poll(() => sessionRows.count(), POLL).toBe(1);

    await signInElsewhere(MEMBER.email);
    await signInElsewhere(MEMBER.email);
    await page.reload();
    await expect.poll(() => sessionRows.count(), POLL).toBe(3);
    await page.getByRole('button', { name: 'Sign out all 2 other sessions' }).click();
    await page.getByText(en('auth.sessions.noOthers')).waitFor();
    expect(await sessionRows.count()).toBe(1);

    // Removing a passkey is sensitive: the server asks for a fresh passkey check first.
    await banner(page)
      .getByRole('link', { name: en('auth.account.security') })
      .click();
    await expect.poll(() => passkeys.getByRole('rowheader').allTextContents(), POLL).toEqual(['E2E laptop']);
    await passkeys.getByRole('button', { name: `${en('auth.passkey.remove')} E2E laptop` }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove the passkey “E2E laptop”?' });
    await confirm.getByRole('button', { name: en('auth.passkey.removeConfirm') }).click();
    const stepUp = page.getByRole('dialog', { name: en('auth.stepUp.title') });
    await stepUp.waitFor();
    await expectNoSeriousAxeViolations(page, 'step-up dialog (en)');
    await stepUp.getByRole('button', { name: en('auth.stepUp.usePasskey') }).click();
    await page.getByText(en('auth.passkey.none')).waitFor();
    expect(await stepUp.isVisible()).toBe(false);

    // The session ends under the page (as after an idle timeout): the next request notices, and the page
    // offers to sign in again and come back here.
    await page.evaluate(async () => {
      await fetch('/api/auth/sign-out', { method: 'POST' });
    });
    await page.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await expectHeading(page, en('auth.signIn.title'));
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account/security');
    expect(await banner(page).textContent()).not.toContain(MEMBER.name);
  });

  it('finishes a caseworker’s sign-in with an authenticator code, in Arabic, on a small phone', async () => {
    const secret = demoTotpSecret(CASEWORKER.email);
    const ar = (key: string) => message('ar', key);

    const page = await openPage({ locale: 'ar-EG', width: 320 });
    await page.goto(`${server.baseUrl}/sign-in`);
    await expectHeading(page, ar('auth.signIn.title'));
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    await expectNoSidewaysScroll(page, 'sign in (ar)');
    await expectNoSeriousAxeViolations(page, 'sign in (ar, 320px)');

    await field(page, ar('auth.signIn.email')).fill(CASEWORKER.email);
    await field(page, ar('auth.signIn.password')).fill(demoPassword);
    await page.getByRole('button', { name: ar('auth.signIn.submit'), exact: true }).click();

    // The password was right; the server asks for the second step.
    const step = page.getByRole('heading', { name: ar('auth.secondFactor.title') });
    await step.waitFor();
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent'), POLL)
      .toBe(ar('auth.secondFactor.title'));
    expect((await me(page)).level).toBe('partial');
    await expectNoSidewaysScroll(page, 'second step (ar)');
    await expectNoSeriousAxeViolations(page, 'second step (ar, 320px)');

    // A wrong code is reported on the field.
    const code = field(page, ar('auth.secondFactor.totpLabel'));
    await code.fill('000000' === totpCode(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: ar('auth.secondFactor.verify') }).click();
    await expect.poll(() => code.getAttribute('aria-invalid'), POLL).toBe('true');
    await page.getByText(ar('auth.secondFactor.totpWrong')).first().waitFor();
    await expectNoSeriousAxeViolations(page, 'second step with a wrong code (ar)');

    await code.fill(totpCode(secret));
    await page.getByRole('button', { name: ar('auth.secondFactor.verify') }).click();
    await expectHeading(page, message('ar', 'home.title'));
    await expect.poll(() => banner(page).textContent(), POLL).toContain(CASEWORKER.name);
    expect(await banner(page).textContent()).toContain(CASEWORKER.organisation);
    expect((await me(page)).level).toBe('full');
    await expectNoSidewaysScroll(page, 'home signed in (ar)');

    await page.goto(`${server.baseUrl}/account/security`);
    await expectHeading(page, ar('auth.security.title'));
    await page.getByText(ar('auth.totp.on')).waitFor();
    await expectNoSidewaysScroll(page, 'security (ar)');
    await expectNoSeriousAxeViolations(page, 'security (ar, 320px)');

    // A second session, so the table has a row with a button (whose hidden row name must not widen the page).
    await signInElsewhere(CASEWORKER.email);
    await page.goto(`${server.baseUrl}/account/sessions`);
    await expectHeading(page, ar('auth.sessions.title'));
    await expect.poll(() => page.getByRole('table').locator('tbody tr').count(), POLL).toBe(2);
    await expectNoSidewaysScroll(page, 'sessions (ar)');
    await expectNoSeriousAxeViolations(page, 'sessions (ar, 320px)');

    await signOutFromHeader(page, 'ar');
  });

  it('enrols an authenticator app for a new account and signs in with it, then with a recovery code', async () => {
    // A new account, made the way a person applying for their organisation makes one.
    const email = `e2e-${Date.now()}@example.org`;
    const password = 'a brand new account password for tests';
    const applied = await fetch(`${server.baseUrl}/api/identity/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        organisation: {
          name: 'E2E Outreach Collective',
          type: 'ngo',
          countries: ['KE'],
          referee: 'A partner organisation in Nairobi',
        },
        account: { displayName: 'Wanjiku Test', email, password },
      }),
    });
    expect(applied.status, await applied.text()).toBe(202);

    const page = await openPage();
    await page.goto(`${server.baseUrl}/sign-in?next=%2Faccount%2Fsecurity`);
    await signInWithPassword(page, email, password);
    await expectHeading(page, en('auth.security.title'));

    // Set up the app: the page shows the secret and the otpauth URI as text, then asks for a first code.
    await page.getByRole('button', { name: en('auth.totp.setup') }).click();
    const secretText = await page.getByTestId('totp-secret').textContent();
    const secret = (secretText ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.getByText(/^otpauth:\/\/totp\//).textContent()).toContain(`secret=${secret}`);
    await expectNoSeriousAxeViolations(page, 'security, setting up TOTP (en)');
    await field(page, en('auth.secondFactor.totpLabel')).fill(totpCode(secret));
    await page.getByRole('button', { name: en('auth.totp.confirm') }).click();
    await page.getByText(en('auth.totp.on')).waitFor();

    await page.getByRole('button', { name: en('auth.recovery.generate') }).click();
    const recoveryCode = await page.getByTestId('recovery-codes').locator('li').first().textContent();
    await page.getByRole('button', { name: en('auth.recovery.saved') }).click();

    await signOutFromHeader(page);

    // Password, then a code from the app. The confirming code is spent, so use the next period's code
    // (the server accepts one period either side) rather than wait half a minute.
    await signInWithPassword(page, email, password);
    await page.getByRole('heading', { name: en('auth.secondFactor.title') }).waitFor();
    await field(page, en('auth.secondFactor.totpLabel')).fill(totpCode(secret, 1));
    await page.getByRole('button', { name: en('auth.secondFactor.verify') }).click();
    await expectHeading(page, message('en', 'home.title'));
    await expect.poll(() => banner(page).textContent(), POLL).toContain('Wanjiku Test');

    await signOutFromHeader(page);

    // Password, then a recovery code instead of the app.
    await signInWithPassword(page, email, password);
    await page.getByRole('button', { name: en('auth.secondFactor.useRecovery') }).click();
    await field(page, en('auth.secondFactor.recoveryLabel')).fill(recoveryCode ?? '');
    await page
      .getByRole('button', { name: en('auth.secondFactor.verify') })
      .last()
      .click();
    await expectHeading(page, message('en', 'home.title'));
    await page.getByText('You have 9 recovery codes left.').waitFor();
    expect((await me(page)).name).toBe('Wanjiku Test');
  });

  it('asks for a reset link, and reads the token of a reset link out of the address bar', async () => {
    const page = await openPage({ locale: 'fr-FR' });
    const fr = (key: string) => message('fr', key);
    await page.goto(`${server.baseUrl}/forgot-password`);
    await expectHeading(page, fr('auth.forgot.title'));
    await field(page, fr('auth.signIn.email')).fill(MEMBER.email);
    await page.getByRole('button', { name: fr('auth.forgot.submit') }).click();
    await page.getByText(fr('auth.forgot.sent')).waitFor();
    await expectNoSeriousAxeViolations(page, 'forgot password, sent (fr)');

    // The token never stays in the address; a token that is not valid is reported as an expired link.
    await page.goto(`${server.baseUrl}/reset-password#token=not-a-real-token-but-long-enough`);
    await expectHeading(page, fr('auth.reset.title'));
    await expect.poll(() => new URL(page.url()).hash, POLL).toBe('');
    await field(page, fr('auth.password.new')).fill('another long password for this test');
    await field(page, fr('auth.password.confirm')).fill('another long password, mistyped');
    await page.getByRole('button', { name: fr('auth.reset.submit') }).click();
    await page.getByText(fr('auth.password.mismatch')).first().waitFor();
    await field(page, fr('auth.password.confirm')).fill('another long password for this test');
    await page.getByRole('button', { name: fr('auth.reset.submit') }).click();
    await page.getByText(fr('auth.reset.linkInvalid')).waitFor();
    await expectNoSeriousAxeViolations(page, 'reset password, invalid link (fr)');

    await page.goto(`${server.baseUrl}/reset-password`);
    await page.getByText(fr('auth.reset.noToken')).waitFor();
  });

  // Last: it changes a platform setting the tests above rely on (TOTP being enough for case roles).
  it('sends a caseworker without a passkey to add one when the platform requires passkeys', async () => {
    // A platform admin adds a passkey, then removes their authenticator app (a step-up with the new
    // passkey), and with that fresh step-up requires passkeys for case roles.
    const admin = await openPage();
    await admin.goto(`${server.baseUrl}/sign-in?next=%2Faccount%2Fsecurity`);
    await signInWithPassword(admin, 'admin@demo.cairn', demoPassword);
    await field(admin, en('auth.secondFactor.totpLabel')).fill(totpCode(demoTotpSecret('admin@demo.cairn')));
    await admin.getByRole('button', { name: en('auth.secondFactor.verify') }).click();
    await expectHeading(admin, en('auth.security.title'));
    await field(admin, en('auth.passkey.nameLabel')).fill('Admin key');
    await admin.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await admin.getByRole('rowheader', { name: 'Admin key' }).waitFor();
    await admin.getByRole('button', { name: en('auth.totp.remove') }).click();
    await admin
      .getByRole('dialog', { name: en('auth.totp.removeTitle') })
      .getByRole('button', { name: en('auth.totp.removeConfirm') })
      .click();
    const stepUp = admin.getByRole('dialog', { name: en('auth.stepUp.title') });
    await stepUp.getByRole('button', { name: en('auth.stepUp.usePasskey') }).click();
    await admin.getByText(en('auth.totp.off')).waitFor();
    const status = await admin.evaluate(async () => {
      const response = await fetch('/api/identity/settings', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requiredFactor: 'passkey' }),
      });
      return response.status;
    });
    expect(status).toBe(200);

    // The caseworker has only an authenticator app: after signing in, the gate explains and adds a passkey.
    const page = await openPage({ width: 320 });
    await page.goto(`${server.baseUrl}/sign-in`);
    await signInWithPassword(page, CASEWORKER.email, demoPassword);
    // The next period's code: the Arabic test above may have spent this period's.
    await field(page, en('auth.secondFactor.totpLabel')).fill(totpCode(demoTotpSecret(CASEWORKER.email), 1));
    await page.getByRole('button', { name: en('auth.secondFactor.verify') }).click();
    await expectHeading(page, en('auth.enrol.title'));
    await page.getByText(/Mekong Legal Aid Network \(demo\) can reach information about survivors/).waitFor();
    await expect.poll(() => banner(page).textContent(), POLL).toContain(en('auth.account.addPasskey'));
    await expectNoSidewaysScroll(page, 'add a passkey (en)');
    await expectNoSeriousAxeViolations(page, 'add a passkey (en, 320px)');

    // The header keeps pointing to the gate from any page until the passkey is added.
    await page.goto(`${server.baseUrl}/`);
    await expectHeading(page, message('en', 'home.title'));
    await banner(page)
      .getByRole('link', { name: en('auth.account.addPasskey') })
      .click();
    await expectHeading(page, en('auth.enrol.title'));
    await field(page, en('auth.passkey.nameLabel')).fill('Field phone');
    await page.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await expectHeading(page, message('en', 'home.title'));
    await expect.poll(() => banner(page).textContent(), POLL).not.toContain(en('auth.account.addPasskey'));
  });
});
