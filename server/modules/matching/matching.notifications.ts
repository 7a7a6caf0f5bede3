import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import type { Kernel } from '../../kernel/kernel.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import { identityMemberships, identityPeople } from '../identity/index.js';
import { screenerRoles } from './matching.policy.js';

/**
 * The mail of matching. SECURITY: a message says only that a possible overlap was found (or that someone's
 * lookups jumped) and links to the inbox — no selector, no subject title, no organisation's name.
 */

/** Lookups in 24 hours below which no spike is reported, however quiet the person was before. */
export const spikeFloor = 10;
/** A spike: more than this many times the person's usual daily lookups (the 30 days before). */
export const spikeFactor = 3;

interface Addressee {
  email: string;
  language: string;
}

async function send(
  kernel: Kernel,
  tx: Tx,
  to: Addressee[],
  template: 'match' | 'spike',
  link: string,
): Promise<void> {
  for (const person of to) {
    const t = translator(isLanguage(person.language) ? person.language : 'en');
    await kernel.sendMail(tx, {
      to: person.email,
      subject: t(`mail.matching.${template}_subject`),
      text: t(`mail.matching.${template}_body`, { link }),
    });
  }
}

/**
 * Tells the screeners (case supervisors, investigators) of every organisation with a new match — both owners,
 * at once. Leaves the transaction in platform scope (the caller sets its own again if it reads on).
 */
export async function notifyMatches(
  kernel: Kernel,
  tx: Tx,
  organisationIds: readonly string[],
): Promise<void> {
  if (organisationIds.length === 0) return;
  // SECURITY: platform scope to read another organisation's memberships; only their addresses are used.
  await setPlatformScope(tx);
  const staff = await tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        inArray(identityMemberships.organisationId, [...organisationIds]),
        inArray(identityMemberships.role, [...screenerRoles]),
      ),
    );
  await send(kernel, tx, staff, 'match', `${kernel.config.publicUrl}/matching`);
}

/**
 * Reports a person whose lookups in the last 24 hours jumped far above their usual level: once the count reaches
 * max(spikeFloor, spikeFactor × the daily average of the 30 days before), and then not again while a report of
 * the last 24 hours stands (the threshold moves as old lookups leave the window, so "reached" is ≥, not =).
 * The lookup that raised it is marked (`matching_lookups.spike`). Audited, and mailed to the platform admins.
 * Call after the lookup was recorded.
 */
export async function checkLookupSpike(
  ctx: Ctx,
  tx: Tx,
  organisationId: string,
  personId: string,
): Promise<void> {
  const [counts] = await queryRows<{ day: number; before: number; reported: boolean }>(
    tx,
    sql`select count(*) filter (where created_at > now() - interval '24 hours')::int as day,
               count(*) filter (where created_at <= now() - interval '24 hours')::int as before,
               coalesce(bool_or(spike) filter (where created_at > now() - interval '24 hours'), false) as reported
        from matching_lookups where person_id = ${personId} and created_at > now() - interval '31 days'`,
  );
  const day = counts?.day ?? 0;
  const threshold = Math.max(spikeFloor, Math.ceil((spikeFactor * (counts?.before ?? 0)) / 30));
  if (day < threshold || counts?.reported) return;
  await tx.execute(
    sql`update matching_lookups set spike = true
        where id = (select id from matching_lookups where person_id = ${personId}
                    order by created_at desc, id limit 1)`,
  );
  await recordAudit(
    tx,
    {
      action: 'matching.lookup_spike',
      organisationId,
      objectType: 'person',
      objectId: personId,
      details: { lookups: day, threshold },
    },
    ctx.audit,
  );
  await setPlatformScope(tx);
  const admins = await tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityPeople)
    .where(eq(identityPeople.platformRole, 'platform_admin'));
  await send(
    ctx.kernel,
    tx,
    admins,
    'spike',
    `${ctx.kernel.config.publicUrl}/organisations/${organisationId}/audit`,
  );
}
