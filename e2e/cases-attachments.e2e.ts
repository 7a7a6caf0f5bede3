import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  addVirtualAuthenticator,
  escapeRegExp,
  expectNoSeriousAxeViolations,
  field,
  launchBrowser,
  message,
  repoRoot,
  startServer,
  totpCode,
  watchPage,
  type PageProblems,
  type RunningServer,
} from './harness.js';

// A demo caseworker of Tumaini Safe Homes (server/modules/identity/identity.seed.ts): signs in with an
// authenticator app, then adds a passkey, which the step-up before names and downloads needs.
const CASEWORKER = { email: 'caseworker.tumaini@demo.cairn', name: 'Grace Achieng' };
// A file name is identifying (it may name the survivor): it must show only after the passkey check, and
// never in an address.
const PHOTO_NAME = 'Markerline shelter photo.png';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data and the CRC of type and data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A small, valid RGB PNG (a colour gradient), made here so the test depends on no fixture file. */
function makePng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per sample, truecolour, deflate, no filter, no interlace
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB pixels
    for (let x = 0; x < width; x += 1)
      row.set([Math.floor((x * 255) / width), Math.floor((y * 255) / height), 128], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A server message (problem details are localised there), filled in with its values. */
async function serverMessage(key: string, values: Record<string, string> = {}): Promise<string> {
  const file = path.join(repoRoot, 'server/kernel/i18n/locales/en.json');
  let node: unknown = JSON.parse(await readFile(file, 'utf8'));
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'string') throw new Error(`the server's en.json has no message "${key}"`);
  return node.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
}

const POLL = { timeout: 15_000, interval: 100 };

describe('cases: a caseworker attaches a photo to a case, reveals its name and downloads it', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: PageProblems;
  let reported = 0;
  let caseUrl: string;
  const requestedUrls: string[] = [];
  const photo = makePng(24, 16);

  const en = (key: string) => message('en', key);
  const h1 = () => page.getByRole('heading', { level: 1 });
  const attachments = () =>
    page
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: en('cases.attachments.heading'), exact: true }) });

  beforeAll(async () => {
    // Passkeys need a host name: WebAuthn refuses an IP address as the relying party.
    server = await startServer({ hostname: 'localhost' });
    browser = await launchBrowser();
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watched = watchPage(page);
    page.on('request', (request) => requestedUrls.push(request.url()));
    await addVirtualAuthenticator(page);
  });

  afterEach(() => {
    const fresh = watched.list().slice(reported);
    reported += fresh.length;
    expect(fresh, 'the page reported uncaught errors or CSP violations').toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it('signs the caseworker in, adds a passkey and opens a case', async () => {
    const output = server.output();
    const password = /Password of every demo account: (.+)/.exec(output)?.[1]?.trim();
    const secret = new RegExp(
      `${escapeRegExp(CASEWORKER.email)}[^\\n]*\\n\\s+second factor: TOTP ([A-Z2-7]+)`,
    ).exec(output)?.[1];
    if (!password || !secret) throw new Error(`The start-up banner lacks demo data:\n${output}`);

    await page.goto(`${server.baseUrl}/sign-in`);
    await field(page, en('auth.signIn.email')).fill(CASEWORKER.email);
    await field(page, en('auth.signIn.password')).fill(password);
    await page.getByRole('button', { name: en('auth.signIn.submit'), exact: true }).click();
    await field(page, en('auth.secondFactor.totpLabel')).fill(totpCode(secret));
    await page.getByRole('button', { name: en('auth.secondFactor.verify'), exact: true }).click();
    await expect.poll(() => h1().textContent(), POLL).toBe(en('home.title'));

    await page.goto(`${server.baseUrl}/account/security`);
    await expect.poll(() => h1().textContent(), POLL).toBe(en('auth.security.title'));
    await field(page, en('auth.passkey.nameLabel')).fill('E2E laptop');
    await page.getByRole('button', { name: en('auth.passkey.add'), exact: true }).click();
    await page.getByRole('rowheader', { name: 'E2E laptop', exact: true }).waitFor();

    // The case itself is the cases journey's subject (e2e/cases.e2e.ts); here it is only setup.
    const created = await page.evaluate(async () => {
      const response = await fetch('/api/cases', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          profile: { gender: 'Feminine', citizenships: ['KE'] },
          victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
        }),
      });
      return { status: response.status, id: ((await response.json()) as { id: string }).id };
    });
    expect(created.status).toBe(201);
    caseUrl = `${server.baseUrl}/cases/${created.id}`;
  });

  it('uploads a photo and lists it without its name', async () => {
    await page.goto(caseUrl);
    await expect.poll(() => h1().textContent(), POLL).toMatch(/^Case \d{4}-\d{4}$/);
    const section = attachments();
    await section.getByText(en('cases.attachments.none')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, no attachments (en)');

    await field(section, en('cases.attachments.upload.label')).setInputFiles({
      name: PHOTO_NAME,
      mimeType: 'image/png',
      buffer: photo,
    });
    await section.getByRole('button', { name: en('cases.attachments.upload.submit') }).click();
    await page
      .getByRole('status')
      .filter({ hasText: en('cases.attachments.upload.done') })
      .first()
      .waitFor();

    const rows = section.getByRole('table').getByRole('row');
    await expect.poll(() => rows.count(), POLL).toBe(2);
    const row = rows.nth(1);
    await row.getByRole('rowheader', { name: en('cases.attachments.kinds.photo') }).waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).toContain('PNG');
    expect(cells).toContain(CASEWORKER.name);
    // Nothing identifying until asked for: neither on the page nor in any address the page requested.
    expect(await page.locator('main').textContent()).not.toContain(PHOTO_NAME);
    expect(requestedUrls.filter((url) => url.includes('Markerline'))).toEqual([]);
    await expectNoSeriousAxeViolations(page, 'case file, one attachment, name hidden (en)');
  });

  it('shows the name after a passkey check, and downloads the photo under it', async () => {
    const section = attachments();
    await section.getByRole('button', { name: en('cases.attachments.showNames') }).click();
    const stepUp = page.getByRole('dialog', { name: en('auth.stepUp.title') });
    await stepUp.waitFor();
    await stepUp.getByRole('button', { name: en('auth.stepUp.usePasskey') }).click();
    await section.getByRole('rowheader', { name: PHOTO_NAME }).waitFor();
    await section.getByText(en('cases.attachments.namesShown')).waitFor();
    await expectNoSeriousAxeViolations(page, 'case file, attachment names shown (en)');

    const button = section.getByRole('button', { name: new RegExp(`^Download ${escapeRegExp(PHOTO_NAME)}`) });
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe(PHOTO_NAME);
    const saved = await download.path();
    const bytes = await readFile(saved);
    // A PNG (re-encoded by the server, which drops any metadata) with the same picture size.
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([24, 16]);
    await section.getByText(en('cases.attachments.downloaded')).waitFor();
    expect(requestedUrls.filter((url) => url.includes('Markerline'))).toEqual([]);

    // Hiding the names takes them off the page again.
    await section.getByRole('button', { name: en('cases.attachments.hideNames') }).click();
    await section.getByText(en('cases.attachments.namesHidden')).waitFor();
    expect(await page.locator('main').textContent()).not.toContain(PHOTO_NAME);

    // The page's own "Show identifying details" shows the names with the rest, and hiding them hides both.
    await page.getByRole('button', { name: en('cases.file.reveal') }).click();
    const dialog = page.getByRole('dialog', { name: en('auth.stepUp.title') });
    const named = section.getByRole('rowheader', { name: PHOTO_NAME });
    // The passkey check of a moment ago still holds; should it not, the server asks for a fresh one.
    await Promise.race([
      dialog.waitFor().then(() => dialog.getByRole('button', { name: en('auth.stepUp.usePasskey') }).click()),
      named.waitFor(),
    ]);
    await named.waitFor();
    await page.getByRole('button', { name: en('cases.file.hide') }).click();
    await expect.poll(() => section.getByRole('rowheader', { name: PHOTO_NAME }).count(), POLL).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(PHOTO_NAME);
  });

  it('refuses a file of a type it does not take at once, and an HTML page named .pdf with the server’s message', async () => {
    const section = attachments();
    const input = field(section, en('cases.attachments.upload.label'));

    // The quick check: an HTML page under its own name is not sent at all.
    await input.setInputFiles({
      name: 'page.html',
      mimeType: 'text/html',
      buffer: Buffer.from('<!doctype html><title>x</title>'),
    });
    await section.locator('.field__error').getByText(en('cases.attachments.upload.wrongType')).waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');

    // The server judges by content: an HTML page that calls itself a PDF passes the quick check, not the server.
    await input.setInputFiles({
      name: 'invoice.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>\n'),
    });
    expect(await input.getAttribute('aria-invalid')).toBeNull();
    await section.getByRole('button', { name: en('cases.attachments.upload.submit') }).click();
    const refusal = await serverMessage('validation.cases.attachment_type_mismatch', {
      detected: 'TXT',
      declared: 'PDF',
    });
    const summary = section.locator('.error-summary');
    await summary.getByText(refusal).waitFor();
    // The summary takes focus so the refusal is read out, and the field says what is wrong.
    await expect.poll(() => page.evaluate('document.activeElement?.className'), POLL).toBe('error-summary');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await expectNoSeriousAxeViolations(page, 'case file, attachment refused (en)');
    // Nothing was attached.
    expect(await section.getByRole('table').getByRole('row').count()).toBe(2);
  });

  it('reads right to left in Arabic on a small phone', async () => {
    const ar = (key: string) => message('ar', key);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.getByLabel(en('language.label'), { exact: true }).selectOption('ar');
    const section = page
      .locator('section')
      .filter({ has: page.getByRole('heading', { name: ar('cases.attachments.heading'), exact: true }) });
    await section.getByRole('rowheader', { name: ar('cases.attachments.kinds.photo') }).waitFor();
    await field(section, ar('cases.attachments.upload.label')).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    const overflow = await page.evaluate(
      '(() => { const e = document.querySelector("main"); return e.scrollWidth - e.clientWidth; })()',
    );
    expect(overflow, 'the case file scrolls sideways at 360px').toBeLessThanOrEqual(0);
    await expectNoSeriousAxeViolations(page, 'case file with an attachment (ar, 360px)');
    await page.getByLabel(ar('language.label'), { exact: true }).selectOption('en');
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
