import { translator, isLanguage } from '../../kernel/i18n/i18n.js';
import type { Tx } from '../../kernel/db/types.js';
import type { Kernel } from '../../kernel/kernel.js';

/**
 * Sends one of identity's emails in the recipient's language, inside the caller's transaction (so it goes
 * only if the change commits). SECURITY: templates say what happened and link into Cairn; they never carry
 * case data, codes or passwords.
 */
export async function sendIdentityMail(
  kernel: Kernel,
  tx: Tx,
  to: { email: string; language?: string | null },
  template: string,
  params: Record<string, string | number> = {},
): Promise<void> {
  const t = translator(isLanguage(to.language) ? to.language : 'en');
  const values = { ...params, appUrl: kernel.config.publicUrl };
  await kernel.sendMail(tx, {
    to: to.email,
    subject: t(`mail.${template}.subject`, values),
    text: t(`mail.${template}.body`, values),
  });
}
