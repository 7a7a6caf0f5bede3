import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

/**
 * One email. Rule of the house: no survivor data, ever — emails say that something happened and link
 * to it inside Cairn.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail; the app talks only to this, so tests and development can swap the transport. */
export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** SMTP through nodemailer (production, and tests against an in-process smtp-server). */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

/** Development outbox: each message is written as an .eml file a developer can open in any mail client. */
export function createOutboxMailer(dir: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transport.sendMail({ from, ...message });
      const safeId = info.messageId.replace(/[^A-Za-z0-9@._-]/g, '');
      const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
      const write = () => writeFile(file, info.message as Buffer, { mode: 0o600 });
      // The folder is made when a write finds it missing (first message, or removed since), not every time.
      await write().catch(async (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(dir, { recursive: true });
        await write();
      });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

/** The mailer the configuration asks for. */
export function createMailer(config: Config['mail']): Mailer {
  return config.kind === 'smtp'
    ? createSmtpMailer(config.url, config.from)
    : createOutboxMailer(config.dir, config.from);
}
