import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import {
  caseAbilities,
  caseAccess,
  caseMemberOf,
  type CaseAbilities,
  type CaseAccess,
  type CaseFacts,
} from './cases.policy.js';
import {
  casesAssignments,
  casesBreakGlass,
  casesFiles,
  casesLookup,
  casesRestrictedStaff,
} from './cases.tables.js';
import type { CaseStatus } from './cases.vocabulary.js';

export type CaseRow = typeof casesFiles.$inferSelect;

/** A change to a case's parts (entries, consents, staff): its version moves on, so open editors see it changed. */
export async function touchCase(tx: Tx, caseId: string): Promise<void> {
  await tx
    .update(casesFiles)
    .set({ updatedAt: new Date(), version: sql`${casesFiles.version} + 1` })
    .where(eq(casesFiles.id, caseId));
}

/** The caller, who must act for an organisation in a case role (the route gate has checked the role). */
export function requireCaseMember(ctx: Ctx) {
  const member = caseMemberOf(ctx.actor);
  if (!member) throw new AppError('forbidden');
  return member;
}

export interface ReachedCase {
  row: CaseRow;
  facts: CaseFacts;
  access: CaseAccess;
  abilities: CaseAbilities;
  member: NonNullable<ReturnType<typeof caseMemberOf>>;
  /** With `duplicates`: the organisation's other cases sharing a lookup value (see duplicatesOf). */
  possibleDuplicates?: number;
}

interface LoadOptions {
  forUpdate?: boolean;
  /**
   * Also count the organisation's other cases that share a document number or name + birth year with this one,
   * in the same query (opening a case shows it; writes do not need it).
   */
  duplicates?: boolean;
}

/**
 * How many other cases of the organisation share a document number or name + birth year with this one (a
 * scalar subquery: blind-index equality on the lookup table).
 */
export function duplicateCount(caseId: string, organisationId: string): SQL<number> {
  return sql<number>`(select count(distinct other.case_id)::int
    from ${casesLookup} mine join ${casesLookup} other
      on other.organisation_id = mine.organisation_id and other.digest = mine.digest
    where mine.case_id = ${caseId} and other.case_id <> ${caseId}
      and mine.organisation_id = ${organisationId})`;
}

/** Loads a case with the facts its policy needs, in one query. Null when it is not the caller's org's. */
export async function loadCaseFacts(
  ctx: Ctx,
  tx: Tx,
  caseId: string,
  options: LoadOptions = {},
): Promise<{ row: CaseRow; facts: CaseFacts; possibleDuplicates?: number } | null> {
  const member = requireCaseMember(ctx);
  const organisationId = member.membership.organisationId;
  await setTenant(tx, organisationId);
  // The subqueries name the case by parameter: inside a select list Drizzle renders a column unqualified, and
  // an unqualified `id` would mean the subquery's own table.
  const query = tx
    .select({
      row: casesFiles,
      assigned: sql<boolean>`exists (select 1 from ${casesAssignments} a
        where a.case_id = ${caseId} and a.membership_id = ${member.membership.id})`,
      named: sql<boolean>`exists (select 1 from ${casesRestrictedStaff} r
        where r.case_id = ${caseId} and r.membership_id = ${member.membership.id})`,
      // Epoch milliseconds: a plain number reads the same from pg and PGlite.
      breakGlassUntil: sql<number | null>`(select floor(extract(epoch from max(b.expires_at)) * 1000)::float8
        from ${casesBreakGlass} b
        where b.case_id = ${caseId} and b.person_id = ${member.personId} and b.expires_at > now())`,
      possibleDuplicates: options.duplicates
        ? duplicateCount(caseId, organisationId)
        : sql<number | null>`null::int`,
    })
    .from(casesFiles)
    // SECURITY: tenant condition in the query as well as by row-level security.
    .where(and(eq(casesFiles.id, caseId), eq(casesFiles.organisationId, organisationId)));
  const [found] = options.forUpdate ? await query.for('update', { of: casesFiles }) : await query;
  if (!found) return null;
  const facts: CaseFacts = {
    organisationId: found.row.organisationId,
    status: found.row.status as CaseStatus,
    restricted: found.row.restricted,
    assigned: found.assigned,
    named: found.named,
    breakGlassUntil: found.breakGlassUntil === null ? null : new Date(Number(found.breakGlassUntil)),
    closureRequestedBy: found.row.closureRequestedAt ? found.row.closureRequestedBy : null,
  };
  return {
    row: found.row,
    facts,
    ...(found.possibleDuplicates === null ? {} : { possibleDuplicates: found.possibleDuplicates }),
  };
}

/**
 * The case as the caller reaches it. SECURITY: a case the caller may not open does not exist for them
 * (404), whether it belongs to another organisation, is someone else's, or is restricted.
 */
export async function reachCase(
  ctx: Ctx,
  tx: Tx,
  caseId: string,
  options: LoadOptions = {},
): Promise<ReachedCase> {
  const member = requireCaseMember(ctx);
  const loaded = await loadCaseFacts(ctx, tx, caseId, options);
  const access = loaded ? caseAccess(ctx.actor, loaded.facts) : null;
  if (!loaded || !access) throw new AppError('not_found');
  return { ...loaded, access, abilities: caseAbilities(ctx.actor, loaded.facts), member };
}

/** Throws 403 unless the ability holds (the caller can see the case but not do this). */
export function requireAbility(reached: ReachedCase, ability: keyof CaseAbilities): void {
  if (!reached.abilities[ability]) throw new AppError('forbidden');
}
