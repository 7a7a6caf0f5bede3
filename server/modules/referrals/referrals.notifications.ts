import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Role } from '../../kernel/access/roles.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { identityMemberships, identityPeople } from '../identity/index.js';
import type { ReferralRow } from './referrals.access.js';
import { referralRoles } from './referrals.policy.js';
import { referralsReferrals } from './referrals.tables.js';
import { deadlineSweepMinutes, reminderShareOfWindow, type ReferralState } from './referrals.vocabulary.js';

/**
 * The mail of referrals. SECURITY: a message says only that a referral needs attention (or moved) and links
 * to `/referrals/<id>` — no name (of a survivor, a person or an organisation), no case reference, nothing from
 * the case or the referral's note.
 */

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'referrals.deadline_sweep': Record<string, never>;
  }
}

const sweepJob = 'referrals.deadline_sweep';
const sweepIntervalMs = deadlineSweepMinutes * 60_000;

interface Addressee {
  email: string;
  language: string;
}

/** People of an organisation in these roles (the caller has set a scope that shows its memberships). */
async function staffOf(tx: Tx, organisationId: string, roles: readonly Role[]): Promise<Addressee[]> {
  return tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, organisationId),
        inArray(identityMemberships.role, [...roles]),
      ),
    );
}

async function mail(
  kernel: Kernel,
  tx: Tx,
  to: Addressee[],
  template: 'received' | 'reminder' | 'escalation' | 'update',
  values: Record<string, string | number>,
): Promise<void> {
  for (const person of to) {
    const t = translator(isLanguage(person.language) ? person.language : 'en');
    await kernel.sendMail(tx, {
      to: person.email,
      subject: t(`mail.referrals.${template}_subject`, values),
      text: t(`mail.referrals.${template}_body`, values),
    });
  }
}

const linkTo = (kernel: Kernel, referralId: string) => `${kernel.config.publicUrl}/referrals/${referralId}`;

/**
 * Tells the recipient's case staff that a referral arrived. Leaves the transaction in the recipient's scope
 * (the caller sets its own again).
 */
export async function notifyReceived(ctx: Ctx, tx: Tx, row: ReferralRow): Promise<void> {
  await setTenant(tx, row.recipientOrganisationId);
  const staff = await staffOf(tx, row.recipientOrganisationId, referralRoles);
  await mail(ctx.kernel, tx, staff, 'received', {
    due: row.acknowledgeDueAt?.getTime() ?? Date.now(),
    link: linkTo(ctx.kernel, row.id),
  });
}

/**
 * Tells the sender that the recipient moved the referral (acknowledged, accepted, declined, completed, closed,
 * cancelled): the person who made it while they are still case staff there, else its case supervisors. Leaves
 * the transaction in the sender's scope.
 */
export async function notifySender(ctx: Ctx, tx: Tx, row: ReferralRow, state: ReferralState): Promise<void> {
  await setTenant(tx, row.senderOrganisationId);
  const creator = row.createdBy
    ? await tx
        .select({ email: identityPeople.email, language: identityPeople.language })
        .from(identityMemberships)
        .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
        .where(
          and(
            eq(identityMemberships.organisationId, row.senderOrganisationId),
            eq(identityMemberships.personId, row.createdBy),
            inArray(identityMemberships.role, [...referralRoles]),
          ),
        )
    : [];
  const to = creator.length > 0 ? creator : await staffOf(tx, row.senderOrganisationId, ['case_supervisor']);
  await mail(ctx.kernel, tx, to, 'update', { state, link: linkTo(ctx.kernel, row.id) });
}

interface Due {
  id: string;
  recipient: string;
  due: Date;
}

/**
 * Reminds the recipient's case staff of referrals whose acknowledgement deadline is near (the last quarter of
 * the window), and escalates to its case supervisors once a deadline has passed — each once per referral
 * (`reminder_sent_at`, `escalated_at`), claimed and mailed in one transaction so a failed mail queue rolls the
 * claim back and concurrent sweeps skip each other's rows.
 */
export async function sweepReferralDeadlines(
  kernel: Kernel,
  now = new Date(),
): Promise<{ reminded: number; escalated: number }> {
  return inTransaction(kernel.database.db, async (tx) => {
    // SECURITY: platform scope for a background job across organisations; it reads ids, deadlines and staff
    // addresses only, and mails nothing but a link.
    await setPlatformScope(tx);
    const at = sql`${now.toISOString()}::timestamptz`;
    const claim = (set: ReturnType<typeof sql>, where: ReturnType<typeof sql>) =>
      queryRows<{ id: string; recipient: string; due: Date | string }>(
        tx,
        sql`update ${referralsReferrals} set ${set}
            where id in (select id from ${referralsReferrals}
              where state = 'sent' and acknowledge_due_at is not null and ${where}
              order by acknowledge_due_at limit 500 for update skip locked)
            returning id, recipient_organisation_id as recipient, acknowledge_due_at as due`,
      );
    const normalise = (rows: { id: string; recipient: string; due: Date | string }[]): Due[] =>
      rows.map((row) => ({ ...row, due: new Date(row.due) }));
    const reminders = normalise(
      await claim(
        sql`reminder_sent_at = ${at}`,
        sql`reminder_sent_at is null and escalated_at is null and acknowledge_due_at > ${at}
            and acknowledge_due_at - (acknowledge_within_hours * ${reminderShareOfWindow}::float8) * interval '1 hour' <= ${at}`,
      ),
    );
    for (const item of reminders) {
      const staff = await staffOf(tx, item.recipient, referralRoles);
      await mail(kernel, tx, staff, 'reminder', { due: item.due.getTime(), link: linkTo(kernel, item.id) });
    }
    const escalations = normalise(
      await claim(sql`escalated_at = ${at}`, sql`escalated_at is null and acknowledge_due_at <= ${at}`),
    );
    for (const item of escalations) {
      const supervisors = await staffOf(tx, item.recipient, ['case_supervisor']);
      await mail(kernel, tx, supervisors, 'escalation', {
        due: item.due.getTime(),
        link: linkTo(kernel, item.id),
      });
    }
    return { reminded: reminders.length, escalated: escalations.length };
  });
}

/** Registers the deadline sweep, every 15 minutes (each run queues the next). */
export function setupDeadlineSweep(kernel: Kernel): void {
  kernel.jobs.recurring(sweepJob, sweepIntervalMs, async (run) => {
    run.log.info(await sweepReferralDeadlines(kernel), 'referral deadlines swept');
  });
}
