import { and, eq, sql } from 'drizzle-orm';
import { recordAudit, type AuditContext } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import type { JobQueue } from '../../kernel/jobs/jobs.js';
import type { Kernel } from '../../kernel/kernel.js';
import { caseJourneyFacts, consentedSections, reachCase, type CaseSection } from '../cases/index.js';
import { applyRoutes } from './journeys.aggregates.js';
import { deriveRouteInput, type DeriveProblem } from './journeys.derive.bands.js';
import { contributorOf } from './journeys.policy.js';
import { routeInputSchema, type Route, type RouteInput } from './journeys.schemas.js';
import { legsFor, presentRoute, writeLegs } from './journeys.service.js';
import { journeysLegs, journeysRoutes } from './journeys.tables.js';

/**
 * A journey route derived from a case file (issue 7, "from a case"): one action, no double entry, and it
 * follows the case for as long as the survivor's consent lasts.
 *
 * SECURITY: the survivor's live JourneyMap consent must cover the case's trafficking events and victim context
 * (`consentedSections`, the check every disclosure of case data makes); gender and nationality bands come from
 * the profile only when the consent covers it too. The route holds codes, bands, a quarter and one person —
 * never a name, a day, a city or a street — and, like every contribution, names its organisation and
 * contributor to platform moderators only. When the case changes the route is derived again; when the consent
 * is revoked or expires, the case moves to another organisation or no longer gives a route, the route is
 * withdrawn: taken out of the map's summary tables and deleted.
 */

type RouteRow = typeof journeysRoutes.$inferSelect;

/** SECURITY: ids and codes only — never a place or anything else the case says. */
declare module '../../kernel/audit/audit.js' {
  interface AuditEvents {
    'journeys.route_derived': { caseId: string; created: boolean };
    'journeys.route_rederived': { caseId: string };
    'journeys.route_withdrawn': { reason: string; status: string };
  }
}

/** The sections a derived route needs the survivor's consent for. */
export const requiredSections: readonly CaseSection[] = ['events', 'victim'];
/** Read only when the consent covers it (gender and nationality bands). */
const optionalSections: readonly CaseSection[] = ['profile'];

/** Why a derived route was withdrawn (audit detail). */
type WithdrawReason = 'consent' | 'case_gone' | 'not_derivable';

const problem = (code: DeriveProblem | 'case_without_consent') =>
  new AppError(code === 'case_without_consent' ? 'conflict' : 'validation_failed', {
    fields: [{ path: 'params.caseId', code: `journeys.${code}` }],
  });

/** The survivor's consent, then the case's facts: a route, or why there is none. Tenant: the case's owner. */
async function derive(
  tx: Tx,
  caseId: string,
  organisationId: string,
): Promise<
  { input: RouteInput } | { withdraw: WithdrawReason; problem: DeriveProblem | 'case_without_consent' }
> {
  const consented = await consentedSections(tx, caseId, 'JourneyMap', [
    ...requiredSections,
    ...optionalSections,
  ]);
  if (!requiredSections.every((section) => consented.includes(section)))
    return { withdraw: 'consent', problem: 'case_without_consent' };
  const facts = await caseJourneyFacts(tx, caseId, organisationId);
  if (!facts) return { withdraw: 'case_gone', problem: 'case_without_consent' };
  const derived = deriveRouteInput(facts, consented.includes('profile'));
  if ('problem' in derived) return { withdraw: 'not_derivable', problem: derived.problem };
  // The contribution form's own rules (gazetteer, no period in the future) hold for derived routes too.
  const parsed = routeInputSchema.safeParse(derived.input);
  if (!parsed.success) return { withdraw: 'not_derivable', problem: 'case_without_exploitation' };
  return { input: parsed.data };
}

/** What a route says, in a form two routes can be compared by (the fields derivation writes). */
function fingerprint(
  route: Pick<RouteRow, 'year' | 'quarter' | 'exploitationTypes' | 'industry' | 'recruitmentMethod'> &
    Pick<RouteRow, 'people' | 'genderBand' | 'ageBand' | 'nationalityBand'>,
  legs: Array<{ role: string; country: string; region: string | null; borderCrossing: boolean }>,
): string {
  return JSON.stringify([
    route.year,
    route.quarter,
    route.exploitationTypes,
    route.industry,
    route.recruitmentMethod,
    route.people,
    route.genderBand,
    route.ageBand,
    route.nationalityBand,
    legs.map((leg) => [leg.role, leg.country, leg.region, leg.borderCrossing]),
  ]);
}

function rowValues(input: RouteInput) {
  return {
    year: input.year,
    quarter: input.quarter ?? null,
    exploitationTypes: input.exploitationTypes,
    industry: input.industry ?? null,
    recruitmentMethod: input.recruitmentMethod ?? null,
    people: input.people,
    genderBand: input.genderBand,
    ageBand: input.ageBand,
    nationalityBand: input.nationalityBand,
  };
}

function inputFingerprint(input: RouteInput): string {
  const legs = [
    { role: 'origin', place: input.origin, borderCrossing: false },
    ...input.transits.map((place) => ({ role: 'transit', place, borderCrossing: place.borderCrossing })),
    ...input.exploitation.map((place) => ({
      role: 'exploitation',
      place,
      borderCrossing: place.borderCrossing,
    })),
  ].map(({ role, place, borderCrossing }) => ({
    role,
    country: place.country,
    region: place.region ?? null,
    borderCrossing,
  }));
  return fingerprint(rowValues(input), legs);
}

/**
 * Writes the derived route over an existing one when it says something new. A validated route stays on the
 * map: it is taken out as it was counted and counted again as it now is, in this transaction.
 */
async function rewrite(
  tx: Tx,
  jobs: JobQueue,
  row: RouteRow,
  input: RouteInput,
): Promise<{ row: RouteRow; changed: boolean }> {
  const legs = (await legsFor(tx, [row.id])).sort((a, b) => a.position - b.position);
  if (fingerprint(row, legs) === inputFingerprint(input)) return { row, changed: false };
  const validated = row.status === 'validated';
  if (validated) await applyRoutes(tx, jobs, [row.id], -1);
  const [updated] = await tx
    .update(journeysRoutes)
    .set({
      ...rowValues(input),
      // A queried route answered by the case goes back to the moderators; validated and rejected stay so.
      status: row.status === 'queried' ? 'pending' : row.status,
      version: row.version + 1,
      updatedAt: new Date(),
    })
    .where(eq(journeysRoutes.id, row.id))
    .returning();
  await tx.delete(journeysLegs).where(eq(journeysLegs.routeId, row.id));
  await writeLegs(tx, row, input);
  if (validated) await applyRoutes(tx, jobs, [row.id], 1);
  return { row: updated!, changed: true };
}

/** Takes a derived route off the map and deletes it (nothing of the case stays behind). */
async function withdraw(
  tx: Tx,
  jobs: JobQueue,
  row: RouteRow,
  reason: WithdrawReason,
  audit: AuditContext,
): Promise<void> {
  if (row.status === 'validated') await applyRoutes(tx, jobs, [row.id], -1);
  await tx.delete(journeysRoutes).where(eq(journeysRoutes.id, row.id));
  await recordAudit(
    tx,
    {
      action: 'journeys.route_withdrawn',
      organisationId: row.organisationId,
      objectType: 'journey_route',
      objectId: row.id,
      details: { reason, status: row.status },
    },
    audit,
  );
}

/**
 * Derives (or derives again) the journey route of a case the caller works on. 201 when it is new; the same
 * route (updated) when the case already has one — a case contributes one route, never two.
 */
export async function deriveCaseRoute(ctx: Ctx, caseId: string): Promise<{ route: Route; created: boolean }> {
  const contributor = contributorOf(ctx.actor);
  if (!contributor) throw new AppError('forbidden');
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // SECURITY: the caller must reach the case (its organisation, assignment, restriction): else 404.
    const { row: caseRow } = await reachCase(ctx, tx, caseId, { forUpdate: true });
    const organisationId = caseRow.organisationId;
    const derived = await derive(tx, caseId, organisationId);
    if ('problem' in derived) throw problem(derived.problem);
    const [existing] = await tx
      .select()
      .from(journeysRoutes)
      .where(and(eq(journeysRoutes.caseId, caseId), eq(journeysRoutes.organisationId, organisationId)))
      .for('update');
    let row: RouteRow;
    if (existing) {
      row = (await rewrite(tx, ctx.kernel.jobs, existing, derived.input)).row;
    } else {
      const [inserted] = await tx
        .insert(journeysRoutes)
        .values({
          organisationId,
          contributedBy: contributor.personId,
          status: 'pending',
          source: 'case',
          caseId,
          ...rowValues(derived.input),
        })
        .returning();
      row = inserted!;
      await writeLegs(tx, row, derived.input);
    }
    await recordAudit(
      tx,
      {
        action: 'journeys.route_derived',
        organisationId,
        objectType: 'journey_route',
        objectId: row.id,
        details: { caseId, created: !existing },
      },
      ctx.audit,
    );
    return { route: await presentRoute(ctx, tx, row, await legsFor(tx, [row.id])), created: !existing };
  });
}

/**
 * Brings the routes derived from a case in line with it: derived again, or withdrawn. Runs after a change of
 * the case commits (the `cases.case_changed` event) and on the hourly sweep (a consent that expired).
 */
export async function followCase(
  kernel: Kernel,
  caseId: string,
): Promise<'kept' | 'updated' | 'withdrawn' | 'none'> {
  return inTransaction(kernel.database.db, async (tx) => {
    // The route may belong to the case's previous owner (a transfer): look across organisations.
    await setPlatformScope(tx);
    const rows = await tx
      .select()
      .from(journeysRoutes)
      .where(eq(journeysRoutes.caseId, caseId))
      .for('update');
    let outcome: 'kept' | 'updated' | 'withdrawn' | 'none' = 'none';
    for (const row of rows) {
      // SECURITY: the case and its consents are read as the route's organisation, and only if it owns the case.
      await setTenant(tx, row.organisationId);
      const derived = await derive(tx, caseId, row.organisationId);
      if ('withdraw' in derived) {
        await withdraw(tx, kernel.jobs, row, derived.withdraw, {});
        outcome = 'withdrawn';
      } else {
        const { changed } = await rewrite(tx, kernel.jobs, row, derived.input);
        if (changed)
          await recordAudit(tx, {
            action: 'journeys.route_rederived',
            organisationId: row.organisationId,
            objectType: 'journey_route',
            objectId: row.id,
            details: { caseId },
          });
        outcome = changed ? 'updated' : 'kept';
      }
    }
    return outcome;
  });
}

/** Follows every case a route was derived from (consents expire without an event). */
export async function followAllCases(kernel: Kernel): Promise<{ cases: number; withdrawn: number }> {
  const cases = await inTransaction(kernel.database.db, async (tx) => {
    await setPlatformScope(tx);
    return queryRows<{ case_id: string }>(
      tx,
      sql`select distinct case_id from ${journeysRoutes} where source = 'case' and case_id is not null`,
    );
  });
  let withdrawn = 0;
  for (const { case_id } of cases) if ((await followCase(kernel, case_id)) === 'withdrawn') withdrawn += 1;
  return { cases: cases.length, withdrawn };
}

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    'journeys.follow_cases': Record<string, never>;
  }
}

const sweepJob = 'journeys.follow_cases';
/** How often derived routes are checked against their cases' consents. */
const sweepIntervalMs = 60 * 60 * 1000;

/** Subscribes to case changes and schedules the hourly sweep. */
export function setupCaseFollowing(kernel: Kernel): void {
  kernel.bus.on('cases.case_changed', async ({ caseFileId }) => {
    await followCase(kernel, caseFileId);
  });
  kernel.jobs.recurring(sweepJob, sweepIntervalMs, async (run) => {
    run.log.info(await followAllCases(kernel), 'derived journey routes followed');
  });
}
