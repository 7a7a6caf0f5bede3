import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../db/transaction.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startSmtpServer } from '../../test/smtp.js';
import { createOutboxMailer, createSmtpMailer } from './mail.js';

describe('mail', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  it('delivers over SMTP', async () => {
    const mailer = createSmtpMailer(smtp.url, 'Cairn <no-reply@cairn.test>');
    await mailer.send({ to: 'ana@ngo.test', subject: 'Bienvenida a Cairn', text: 'Hola, ¿qué tal? — ✓' });
    mailer.close();
    const last = smtp.received.at(-1)!;
    expect(last.from).toBe('no-reply@cairn.test');
    expect(last.to).toEqual(['ana@ngo.test']);
    expect(last.raw).toMatch(/^Subject: /m);
    expect(last.raw).toContain('Content-Type: text/plain; charset=utf-8');
  });

  it('sends mail queued in a transaction through the job queue, after commit only', async () => {
    const mailer = createSmtpMailer(smtp.url, 'Cairn <no-reply@cairn.test>');
    const t: TestApp = await createTestApp({ mailer });
    try {
      const before = smtp.received.length;
      await expect(
        inTransaction(t.database.db, async (tx) => {
          await t.app.kernel.sendMail(tx, { to: 'never@ngo.test', subject: 'x', text: 'x' });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow();
      await inTransaction(t.database.db, (tx) =>
        t.app.kernel.sendMail(tx, { to: 'queued@ngo.test', subject: 'Invitation', text: 'You are invited.' }),
      );
      // Other modules may have jobs due too (e.g. scheduled reminders); what matters is what was delivered.
      expect(await t.app.kernel.jobs.runDue()).toBeGreaterThanOrEqual(1);
      const delivered = smtp.received.slice(before);
      expect(delivered.map((m) => m.to[0])).toEqual(['queued@ngo.test']);
    } finally {
      await t.close();
    }
  });

  it('writes development mail to an outbox folder as .eml files', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'cairn-outbox-')), 'outbox');
    const mailer = createOutboxMailer(dir, 'Cairn <no-reply@cairn.test>');
    await mailer.send({ to: 'dev@cairn.test', subject: 'Outbox', text: 'Read me in a mail client.' });
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const content = await readFile(path.join(dir, files[0]!), 'utf8');
    expect(content).toContain('To: dev@cairn.test');
    expect(content).toContain('Read me in a mail client.');
  });
});
