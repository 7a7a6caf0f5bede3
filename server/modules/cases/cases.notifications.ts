import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { identityMemberships, identityPeople } from '../identity/index.js';
import { casesEntries, casesFiles } from './cases.tables.js';

/**
 * The mail of the cases module. SECURITY: a message says that something needs attention and links to it —
 * the case's reference at most, never a name, a place or anything else from the case file.
 */

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'cases.follow_up_reminders': Record<string, never>;
  }
}

const reminderJob = 'cases.follow_up_reminders';
/** How often due follow-ups are looked for. */
const reminderIntervalMs = 60 * 60 * 1000;

/** Tells the organisation's admins that a supervisor opened a restricted case with break-glass. */
export async function notifyBreakGlass(
  ctx: Ctx,
  tx: Tx,
  opening: { organisationId: string; caseId: string; reference: string; personId: string; until: Date },
): Promise<void> {
  await setTenant(tx, opening.organisationId);
  const [supervisor] = await tx
    .select({ name: identityPeople.displayName })
    .from(identityPeople)
    .where(eq(identityPeople.id, opening.personId));
  const admins = await tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, opening.organisationId),
        eq(identityMemberships.role, 'org_admin'),
      ),
    );
  for (const admin of admins) {
    const t = translator(isLanguage(admin.language) ? admin.language : 'en');
    const values = {
      supervisor: supervisor?.name ?? '',
      reference: opening.reference,
      until: opening.until.getTime(),
      // The organisation's audit trail (its admins read it; the case itself is for case staff).
      link: `${ctx.kernel.config.publicUrl}/organisations/${opening.organisationId}/audit`,
    };
    await ctx.kernel.sendMail(tx, {
      to: admin.email,
      subject: t('mail.cases.break_glass_subject', values),
      text: t('mail.cases.break_glass_body', values),
    });
  }
}

/** Reminds each assignee of their follow-ups that are due today or overdue (once per follow-up). */
export async function sendFollowUpReminders(kernel: Kernel, now = new Date()): Promise<{ reminded: number }> {
  const day = now.toISOString().slice(0, 10);
  const { db } = kernel.database;
  const organisations = await queryRows<{ id: string }>(
    db,
    sql`select cases_due_follow_up_organisations(${day}::date) as id`,
  );
  let reminded = 0;
  for (const { id: organisationId } of organisations) {
    reminded += await inTransaction(db, async (tx) => {
      await setTenant(tx, organisationId);
      // Claiming (reminded_at) and mailing in one transaction: a follow-up is reminded once, even with
      // several workers, and a failed mail queue rolls the claim back.
      const due = await tx
        .update(casesEntries)
        .set({ remindedAt: now })
        .where(
          and(
            eq(casesEntries.organisationId, organisationId),
            eq(casesEntries.kind, 'followUp'),
            isNull(casesEntries.doneAt),
            isNull(casesEntries.remindedAt),
            lte(casesEntries.dueOn, day),
            sql`${casesEntries.assigneeId} is not null`,
          ),
        )
        .returning({ caseId: casesEntries.caseId, assigneeId: casesEntries.assigneeId });
      for (const item of due) {
        const [recipient] = await tx
          .select({
            email: identityPeople.email,
            language: identityPeople.language,
            reference: casesFiles.reference,
          })
          .from(identityPeople)
          .innerJoin(casesFiles, eq(casesFiles.id, item.caseId))
          .where(eq(identityPeople.id, item.assigneeId!));
        if (!recipient) continue;
        const t = translator(isLanguage(recipient.language) ? recipient.language : 'en');
        const values = {
          reference: recipient.reference,
          link: `${kernel.config.publicUrl}/cases/${item.caseId}`,
        };
        await kernel.sendMail(tx, {
          to: recipient.email,
          subject: t('mail.cases.follow_up_subject', values),
          text: t('mail.cases.follow_up_body', values),
        });
      }
      return due.length;
    });
  }
  return { reminded };
}

/** Registers the hourly reminder sweep (each run queues the next). */
export function setupFollowUpReminders(kernel: Kernel): void {
  kernel.jobs.recurring(reminderJob, reminderIntervalMs, async (run) => {
    run.log.info(await sendFollowUpReminders(kernel), 'case follow-up reminders sent');
  });
}
