import { eq, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { identityOrganisations } from '../identity/index.js';
import type {
  OrganisationQuotas,
  PlatformQuotaList,
  PlatformQuotaQuery,
  QuotaOverrideInput,
} from './matching.schemas.js';
import { matchingQuotaOverrides } from './matching.tables.js';

/**
 * Lookup quotas (issue 8, abuse controls): how many lookups and registrations a person and an organisation may
 * make in any 24 hours. The platform's defaults come from the configuration; platform admins may set other
 * limits for one organisation (`matching_quota_overrides`, written only in platform scope, audited).
 */

interface Limits {
  perPerson: number;
  perOrganisation: number;
}

/** The organisation's limits: its override where staff set one, the platform's defaults otherwise. */
async function limitsOf(ctx: Ctx, tx: Tx, organisationId: string) {
  const defaults = ctx.kernel.config.matchingQuotas;
  const [override] = await tx
    .select()
    .from(matchingQuotaOverrides)
    .where(eq(matchingQuotaOverrides.organisationId, organisationId));
  const limits: Limits = {
    perPerson: override?.lookupsPerPerson ?? defaults.perPerson,
    perOrganisation: override?.lookupsPerOrganisation ?? defaults.perOrganisation,
  };
  return { limits, defaults, override: override ?? null };
}

/**
 * Counts the last 24 hours' lookups; refuses with 429 (and how long to wait) once the person's or the
 * organisation's quota is used up. Returns what is left after this one. The caller has set the tenant.
 */
export async function checkQuota(ctx: Ctx, tx: Tx, organisationId: string, personId: string) {
  const { limits } = await limitsOf(ctx, tx, organisationId);
  const [counts] = await queryRows<{
    person: number;
    organisation: number;
    person_oldest: string | null;
    organisation_oldest: string | null;
  }>(
    tx,
    sql`select count(*) filter (where person_id = ${personId})::int as person,
               count(*)::int as organisation,
               min(created_at) filter (where person_id = ${personId})::text as person_oldest,
               min(created_at)::text as organisation_oldest
        from matching_lookups
        where organisation_id = ${organisationId} and created_at > now() - interval '24 hours'`,
  );
  const person = counts?.person ?? 0;
  const organisation = counts?.organisation ?? 0;
  const over =
    person >= limits.perPerson
      ? counts?.person_oldest
      : organisation >= limits.perOrganisation
        ? counts?.organisation_oldest
        : null;
  if (over !== null && over !== undefined) {
    // The quota frees up as the oldest counted lookup leaves the 24-hour window.
    const seconds = Math.max(1, Math.ceil((Date.parse(over) + 86_400_000 - Date.now()) / 1000));
    throw new AppError('rate_limited', { params: { seconds } });
  }
  return {
    person: limits.perPerson - person - 1,
    organisation: limits.perOrganisation - organisation - 1,
  };
}

function memberOrganisation(ctx: Ctx): string {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) throw new AppError('forbidden');
  return actor.membership.organisationId;
}

/** The caller's organisation's quotas and what each person used of them in the last 24 hours (any member). */
export async function organisationQuotas(ctx: Ctx): Promise<OrganisationQuotas> {
  const organisationId = memberOrganisation(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const { limits, defaults, override } = await limitsOf(ctx, tx, organisationId);
    const people = await queryRows<{ id: string; name: string; used: number }>(
      tx,
      sql`select p.id, p.display_name as name, u.used
          from (select person_id, count(*)::int as used from matching_lookups
                where organisation_id = ${organisationId} and created_at > now() - interval '24 hours'
                group by person_id) u
          join identity_people p on p.id = u.person_id
          order by u.used desc, p.display_name`,
    );
    return {
      perPerson: limits.perPerson,
      perOrganisation: limits.perOrganisation,
      defaults,
      overridden: override !== null,
      used: people.reduce((sum, person) => sum + person.used, 0),
      people: people.map((person) => ({
        person: { id: person.id, name: person.name },
        used: person.used,
        remaining: Math.max(0, limits.perPerson - person.used),
      })),
    };
  });
}

const likeSafe = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

type QuotaLine = PlatformQuotaList['items'][number];

/** Organisations' limits and use, busiest first (at most 200). The caller has set platform scope. */
async function quotaLines(ctx: Ctx, tx: Tx, filter: SQL): Promise<QuotaLine[]> {
  const defaults = ctx.kernel.config.matchingQuotas;
  const rows = await queryRows<{
    id: string;
    name: string;
    per_person: number | null;
    per_organisation: number | null;
    reason: string | null;
    updated_at: string | null;
    day: number;
    month: number;
  }>(
    tx,
    sql`select o.id, o.name, q.lookups_per_person as per_person, q.lookups_per_organisation as per_organisation,
               q.reason, q.updated_at::text as updated_at,
               (select count(*)::int from matching_lookups l
                where l.organisation_id = o.id and l.created_at > now() - interval '24 hours') as day,
               (select count(*)::int from matching_lookups l
                where l.organisation_id = o.id and l.created_at > now() - interval '30 days') as month
        from identity_organisations o
        left join matching_quota_overrides q on q.organisation_id = o.id
        where ${filter}
        order by day desc, month desc, o.name
        limit 200`,
  );
  return rows.map((row) => ({
    organisation: { id: row.id, name: row.name },
    perPerson: row.per_person ?? defaults.perPerson,
    perOrganisation: row.per_organisation ?? defaults.perOrganisation,
    override:
      row.reason === null
        ? null
        : {
            perPerson: row.per_person,
            perOrganisation: row.per_organisation,
            reason: row.reason,
            updatedAt: new Date(row.updated_at!).toISOString(),
          },
    usedDay: row.day,
    usedMonth: row.month,
  }));
}

/**
 * For platform admins: organisations with their limits and use — those whose quotas staff changed or that
 * looked something up in the last 30 days, busiest first; or, with `q`, any organisation whose name has it.
 */
export async function platformQuotas(ctx: Ctx, query: PlatformQuotaQuery): Promise<PlatformQuotaList> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // SECURITY: platform administration reads every organisation's lookup counts (never what was looked up).
    await setPlatformScope(tx);
    const filter = query.q
      ? sql`o.name ilike ${`%${likeSafe(query.q)}%`}`
      : sql`(q.organisation_id is not null or exists (select 1 from matching_lookups l
               where l.organisation_id = o.id and l.created_at > now() - interval '30 days'))`;
    return { defaults: ctx.kernel.config.matchingQuotas, items: await quotaLines(ctx, tx, filter) };
  });
}

/**
 * Platform admins set (or, with both limits null, remove) one organisation's quotas, with a reason. Audited on
 * the organisation's trail with the limits before and after (the reason's text stays in the override).
 */
export async function setQuotaOverride(
  ctx: Ctx,
  organisationId: string,
  input: QuotaOverrideInput,
): Promise<QuotaLine> {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.platformRole !== 'platform_admin') throw new AppError('forbidden');
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // SECURITY: platform administration: only platform scope may write an override (row-level security).
    await setPlatformScope(tx);
    const [organisation] = await tx
      .select({ id: identityOrganisations.id })
      .from(identityOrganisations)
      .where(eq(identityOrganisations.id, organisationId));
    if (!organisation) throw new AppError('not_found');
    const [before] = await tx
      .select()
      .from(matchingQuotaOverrides)
      .where(eq(matchingQuotaOverrides.organisationId, organisationId))
      .for('update');
    const to = { perPerson: input.lookupsPerPerson, perOrganisation: input.lookupsPerOrganisation };
    if (to.perPerson === null && to.perOrganisation === null)
      await tx
        .delete(matchingQuotaOverrides)
        .where(eq(matchingQuotaOverrides.organisationId, organisationId));
    else {
      const values = {
        lookupsPerPerson: to.perPerson,
        lookupsPerOrganisation: to.perOrganisation,
        reason: input.reason,
        setBy: actor.personId,
        updatedAt: new Date(),
      };
      await tx
        .insert(matchingQuotaOverrides)
        .values({ organisationId, ...values })
        .onConflictDoUpdate({ target: matchingQuotaOverrides.organisationId, set: values });
    }
    await recordAudit(
      tx,
      {
        action: 'matching.quota_changed',
        organisationId,
        objectType: 'organisation',
        objectId: organisationId,
        details: {
          from: {
            perPerson: before?.lookupsPerPerson ?? null,
            perOrganisation: before?.lookupsPerOrganisation ?? null,
          },
          to,
        },
      },
      ctx.audit,
    );
    const [line] = await quotaLines(ctx, tx, sql`o.id = ${organisationId}`);
    return line!;
  });
}
