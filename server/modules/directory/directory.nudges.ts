import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { kernelJobs } from '../../kernel/db/kernel.tables.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { identityMemberships, identityOrganisations, identityPeople } from '../identity/index.js';
import { staleProfiles } from './directory.profiles.service.js';
import { directoryProfiles } from './directory.tables.js';
import { staleAfterMonths } from './directory.vocabulary.js';

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'directory.profile_nudges': Record<string, never>;
  }
}

const nudgeJob = 'directory.profile_nudges';

/** The calendar day (UTC) of an instant, as YYYY-MM-DD. */
const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/** The next daily run: tomorrow at 03:00 UTC (an hour after identity's tier reminders, to spread the mail). */
export function nextNudgeRun(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 3));
}

/**
 * Emails the org admins of every organisation whose directory profile has not been updated for six months
 * (and has not been nudged since), in each admin's language, with a link to edit the profile. One
 * organisation per transaction: the claim (stale_nudged_at) and its mails commit together, so a crash
 * neither loses a nudge nor sends one twice.
 */
export async function sendProfileNudges(kernel: Kernel, now = new Date()): Promise<{ nudged: number }> {
  const { db } = kernel.database;
  const due = await inTransaction(db, (tx) => staleProfiles(tx, now));
  const limit = new Date(now);
  limit.setUTCMonth(limit.getUTCMonth() - staleAfterMonths);
  let nudged = 0;
  for (const organisationId of due) {
    await inTransaction(db, async (tx) => {
      // Claim first: a profile nudged by another worker meanwhile (or updated since) is skipped.
      const [claimed] = await tx
        .update(directoryProfiles)
        .set({ staleNudgedAt: now })
        .where(
          and(
            eq(directoryProfiles.organisationId, organisationId),
            lt(directoryProfiles.updatedAt, limit),
            or(isNull(directoryProfiles.staleNudgedAt), lt(directoryProfiles.staleNudgedAt, limit)),
          ),
        )
        .returning({ updatedAt: directoryProfiles.updatedAt });
      if (!claimed) return;
      const [organisation] = await tx
        .select({ name: identityOrganisations.name })
        .from(identityOrganisations)
        .where(eq(identityOrganisations.id, organisationId));
      if (!organisation) return;
      // Tenant scope: the admins of this one organisation.
      await setTenant(tx, organisationId);
      const admins = await tx
        .select({ email: identityPeople.email, language: identityPeople.language })
        .from(identityMemberships)
        .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
        .where(
          and(
            eq(identityMemberships.organisationId, organisationId),
            eq(identityMemberships.role, 'org_admin'),
          ),
        );
      for (const admin of admins) {
        const t = translator(isLanguage(admin.language) ? admin.language : 'en');
        const values = {
          organisation: organisation.name,
          updatedOn: claimed.updatedAt.getTime(),
          months: staleAfterMonths,
          link: `${kernel.config.publicUrl}/directory/organisations/${organisationId}/edit`,
        };
        await kernel.sendMail(tx, {
          to: admin.email,
          subject: t('mail.directory.nudge_subject', values),
          text: t('mail.directory.nudge_body', values),
        });
      }
      nudged++;
    });
  }
  return { nudged };
}

/**
 * Queues the first nudge run unless one is already pending or running. The dedupe key carries the day, so
 * processes starting together queue one run between them.
 */
export async function scheduleProfileNudges(kernel: Kernel, now = new Date()): Promise<void> {
  await inTransaction(kernel.database.db, async (tx) => {
    // An unmigrated database (`main.ts openapi` builds the app over an empty one) has no queue to use.
    const [queue] = await queryRows<{ ready: boolean }>(
      tx,
      sql`select to_regclass('kernel_jobs') is not null as ready`,
    );
    if (!queue?.ready) return;
    const [live] = await tx
      .select({ id: kernelJobs.id })
      .from(kernelJobs)
      .where(and(eq(kernelJobs.name, nudgeJob), inArray(kernelJobs.status, ['pending', 'running'])))
      .limit(1);
    if (live) return;
    await kernel.jobs.enqueue(tx, nudgeJob, {}, { runAt: now, dedupeKey: `${nudgeJob}:${utcDay(now)}` });
  });
}

/** Registers the daily nudge job (each run queues the next day's) and queues the first run. */
export function setupProfileNudges(kernel: Kernel): void {
  kernel.jobs.register(nudgeJob, async (_payload, run) => {
    const now = new Date();
    const next = nextNudgeRun(now);
    // The successor is queued and committed first, so a failing sweep cannot end the daily chain; this
    // run's own dedupe row is still `running`, hence a key dated with the successor's day.
    await inTransaction(kernel.database.db, (tx) =>
      kernel.jobs.enqueue(tx, nudgeJob, {}, { runAt: next, dedupeKey: `${nudgeJob}:${utcDay(next)}` }),
    );
    const result = await sendProfileNudges(kernel, now);
    run.log.info(result, 'directory profile nudges sent');
  });
  // setup() is synchronous, so the first run is queued in the background; a failure is logged, and the next
  // start tries again.
  scheduleProfileNudges(kernel).catch((error: unknown) => {
    kernel.log.warn({ err: error }, 'could not queue the directory profile nudges');
  });
}
