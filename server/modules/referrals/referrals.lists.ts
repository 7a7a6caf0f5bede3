import { and, desc, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { casesFiles, visibleCases } from '../cases/index.js';
import type { Service } from '../directory/index.js';
import { decodeCursor, encodeCursor, identityOrganisations } from '../identity/index.js';
import { isOverdue } from './referrals.access.js';
import { referralRoles } from './referrals.policy.js';
import type { ReferralListQuery, ReferralSummary } from './referrals.schemas.js';
import { referralsReferrals } from './referrals.tables.js';
import {
  platformStatisticsThreshold,
  referralOutcomes,
  referralStates,
  type ReferralOutcome,
  type ReferralState,
  type ReferralUrgency,
} from './referrals.vocabulary.js';

/** The caller acting for an organisation in a case role (the route gate checked the role). */
function caseMember(ctx: Ctx) {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) throw new AppError('forbidden');
  if (!referralRoles.includes(actor.membership.role)) throw new AppError('forbidden');
  return { ...actor, membership: actor.membership };
}

/** A case filter on a received box: the recipient never knows the sender's case ids (400, for either list). */
export const caseFilterOnReceived = () =>
  new AppError('validation_failed', {
    fields: [{ path: 'query.caseId', code: 'referrals.case_filter_sent_only' }],
  });

/**
 * The sent or received referrals of the caller's organisation, newest change first. SECURITY: the sent box
 * applies the cases module's visibility rule (a caseworker sees the referrals of the cases they reach; a
 * restricted case only its named staff); the received box shows nothing before it was sent, and no case
 * reference.
 */
export async function listReferrals(
  ctx: Ctx,
  query: ReferralListQuery,
): Promise<{ items: ReferralSummary[]; nextCursor: string | null }> {
  const member = caseMember(ctx);
  const organisationId = member.membership.organisationId;
  const after = decodeCursor(query.cursor, ['string', 'string'] as const);
  const sent = query.box === 'sent';
  if (query.caseId && !sent) throw caseFilterOnReceived();
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const conditions: (SQL | undefined)[] = sent
      ? [eq(referralsReferrals.senderOrganisationId, organisationId), visibleCases(member)]
      : [
          eq(referralsReferrals.recipientOrganisationId, organisationId),
          isNotNull(referralsReferrals.sentAt),
        ];
    if (query.state) conditions.push(eq(referralsReferrals.state, query.state));
    if (query.caseId) conditions.push(eq(referralsReferrals.caseId, query.caseId));
    const overdue = sql`(${referralsReferrals.state} = 'sent' and ${referralsReferrals.acknowledgeDueAt} < now())`;
    if (query.overdue === 'true') conditions.push(overdue);
    if (query.overdue === 'false') conditions.push(sql`not ${overdue}`);
    if (after)
      conditions.push(
        sql`(${referralsReferrals.updatedAt}, ${referralsReferrals.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`,
      );
    const counterpart = sent
      ? referralsReferrals.recipientOrganisationId
      : referralsReferrals.senderOrganisationId;
    const order = [desc(referralsReferrals.updatedAt), desc(referralsReferrals.id)] as const;
    let where = and(...conditions);
    if (!sent) {
      // The received box picks its page's ids first, from the received-list index alone (it carries the columns
      // the filters and the parties rule read: migration 0018), then loads those rows. In one statement the
      // planner multiplies the index's count by its guess for the parties rule (always true here), expects a
      // handful of rows and reads every referral the organisation ever received from the table to sort them.
      const ids = await tx
        .select({ id: referralsReferrals.id })
        .from(referralsReferrals)
        .where(where)
        .orderBy(...order)
        .limit(query.limit + 1);
      if (ids.length === 0) return { items: [], nextCursor: null };
      where = inArray(
        referralsReferrals.id,
        ids.map((row) => row.id),
      );
    }
    const base = tx
      .select({
        referral: referralsReferrals,
        counterpartName: identityOrganisations.name,
        counterpartCountries: identityOrganisations.countries,
        reference: sent ? casesFiles.reference : sql<string | null>`null`,
      })
      .from(referralsReferrals)
      .innerJoin(identityOrganisations, eq(identityOrganisations.id, counterpart));
    // The sender's view joins the case for its reference and the visibility rule (the owner's scope shows it).
    const joined = sent ? base.innerJoin(casesFiles, eq(casesFiles.id, referralsReferrals.caseId)) : base;
    const rows = await joined
      .where(where)
      .orderBy(...order)
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const items = page.map(({ referral, counterpartName, counterpartCountries, reference }) => ({
      id: referral.id,
      state: referral.state as ReferralState,
      urgency: referral.urgency as ReferralUrgency,
      services: referral.services as Service[],
      acknowledgeDueAt: referral.acknowledgeDueAt?.toISOString() ?? null,
      overdue: isOverdue(referral),
      counterpart: {
        id: sent ? referral.recipientOrganisationId : referral.senderOrganisationId,
        name: counterpartName,
        countries: counterpartCountries,
      },
      caseReference: sent ? reference : null,
      outcome: referral.outcome as ReferralOutcome | null,
      sentAt: referral.sentAt?.toISOString() ?? null,
      updatedAt: referral.updatedAt.toISOString(),
    }));
    const last = page.at(-1);
    return {
      items,
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor([last.referral.updatedAt.toISOString(), last.referral.id])
          : null,
    };
  });
}

const byOrder = <T extends string>(rows: { value: string | null; count: number }[], order: readonly T[]) =>
  order.map((value) => ({ value, count: rows.find((row) => row.value === value)?.count ?? 0 }));

async function directionStatistics(tx: Tx, column: SQL, organisationId: string) {
  const where = sql`${column} = ${organisationId} and sent_at is not null`;
  const states = await queryRows<{ value: string; count: number }>(
    tx,
    sql`select state as value, count(*)::int as count from ${referralsReferrals} where ${where} group by 1`,
  );
  const outcomes = await queryRows<{ value: string; count: number }>(
    tx,
    sql`select outcome as value, count(*)::int as count from ${referralsReferrals}
        where ${where} and outcome is not null group by 1`,
  );
  const [figures] = await queryRows<{ median: number | string | null; accepted: number; declined: number }>(
    tx,
    sql`select percentile_cont(0.5) within group (order by extract(epoch from acknowledged_at - sent_at) / 3600.0)
               filter (where acknowledged_at is not null) as median,
             count(*) filter (where decided_at is not null and state <> 'declined')::int as accepted,
             count(*) filter (where state = 'declined')::int as declined
        from ${referralsReferrals} where ${where}`,
  );
  const decided = (figures?.accepted ?? 0) + (figures?.declined ?? 0);
  const median = figures?.median;
  return {
    total: states.reduce((sum, row) => sum + row.count, 0),
    byState: byOrder(
      states,
      referralStates.filter((state) => state !== 'draft'),
    ),
    medianHoursToAcknowledge:
      median === null || median === undefined ? null : Math.round(Number(median) * 10) / 10,
    acceptanceRate: decided === 0 ? null : Math.round(((figures?.accepted ?? 0) / decided) * 1000) / 1000,
    outcomes: byOrder(outcomes, referralOutcomes),
  };
}

/**
 * The caller's organisation's referral statistics, sent and received (its admins and case supervisors): time
 * to acknowledge, acceptance rate, outcomes. Counts only; nothing about a case.
 */
export async function referralStatistics(ctx: Ctx) {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) throw new AppError('forbidden');
  const organisationId = actor.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    return {
      sent: await directionStatistics(tx, sql`sender_organisation_id`, organisationId),
      received: await directionStatistics(tx, sql`recipient_organisation_id`, organisationId),
    };
  });
}

/**
 * Platform-wide counts for staff: by state, outcome and reach (within a country, or across borders), past
 * draft only, with every cell below the threshold suppressed.
 */
export async function platformReferralStatistics(ctx: Ctx) {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // SECURITY: platform scope for staff statistics across organisations; only counts leave this function.
    await setPlatformScope(tx);
    const suppress = (count: number) => (count >= platformStatisticsThreshold ? count : null);
    const counted = (query: SQL) => queryRows<{ value: string | null; count: number }>(tx, query);
    const states = await counted(
      sql`select state as value, count(*)::int as count from ${referralsReferrals}
          where sent_at is not null group by 1`,
    );
    const outcomes = await counted(
      sql`select outcome as value, count(*)::int as count from ${referralsReferrals}
          where sent_at is not null and outcome is not null group by 1`,
    );
    const reach = await counted(
      sql`select case when s.countries && r.countries then 'domestic' else 'cross_border' end as value,
                 count(*)::int as count
          from ${referralsReferrals} x
            join ${identityOrganisations} s on s.id = x.sender_organisation_id
            join ${identityOrganisations} r on r.id = x.recipient_organisation_id
          where x.sent_at is not null group by 1`,
    );
    const total = states.reduce((sum, row) => sum + row.count, 0);
    const shape = <T extends string>(rows: { value: string | null; count: number }[], order: readonly T[]) =>
      byOrder(rows, order).map(({ value, count }) => ({ value, count: suppress(count) }));
    return {
      threshold: platformStatisticsThreshold,
      total: suppress(total),
      byState: shape(
        states,
        referralStates.filter((state) => state !== 'draft'),
      ),
      byOutcome: shape(outcomes, referralOutcomes),
      byReach: shape(reach, ['domestic', 'cross_border'] as const),
    };
  });
}
