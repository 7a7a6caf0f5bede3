import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { placeById, regionName } from '../directory/index.js';
import {
  decodeCursor,
  encodeCursor,
  identityMemberships,
  identityOrganisations,
  identityPeople,
  personNames,
} from '../identity/index.js';
import { applyRoutes, rebuildAggregates } from './journeys.aggregates.js';
import { schedulePublication } from './journeys.publication.js';
import { canDecide, contributorOf, isModerator, routeAbilities } from './journeys.policy.js';
import type {
  DecisionInput,
  ModerationItem,
  PlaceInput,
  Route,
  RouteInput,
  RouteUpdate,
  StopInput,
} from './journeys.schemas.js';
import { journeysLegs, journeysRoutes } from './journeys.tables.js';
import type { PlaceRole, RouteSource, RouteStatus } from './journeys.vocabulary.js';
import './journeys.audit.js';

type RouteRow = typeof journeysRoutes.$inferSelect;
type LegRow = typeof journeysLegs.$inferSelect;

const notePlace = (row: { id: string; organisationId: string }) => ({
  organisationId: row.organisationId,
  table: 'journeys_routes',
  column: 'moderator_note_sealed',
  rowId: row.id,
});

/** Registers the sealed column of the module with the keyring (rotation re-seals it). */
export function registerJourneyEncryption(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: journeysRoutes,
    id: journeysRoutes.id,
    organisation: journeysRoutes.organisationId,
    encrypted: [journeysRoutes.moderatorNoteSealed],
  });
}

function requireContributor(ctx: Ctx) {
  const contributor = contributorOf(ctx.actor);
  if (!contributor) throw new AppError('forbidden');
  return contributor;
}

function requireModerator(ctx: Ctx) {
  if (!isModerator(ctx.actor) || ctx.actor.kind !== 'person') throw new AppError('forbidden');
  return ctx.actor;
}

/** The legs of a route in order: origin, intended destination, transit points, places of exploitation. */
function legsOf(
  input: Pick<RouteInput, 'origin' | 'destination' | 'transits' | 'exploitation'>,
): Array<{ role: PlaceRole; place: PlaceInput | StopInput }> {
  return [
    { role: 'origin', place: input.origin },
    ...(input.destination ? [{ role: 'destination' as const, place: input.destination }] : []),
    ...input.transits.map((place) => ({ role: 'transit' as const, place })),
    ...input.exploitation.map((place) => ({ role: 'exploitation' as const, place })),
  ];
}

/** Writes a route's legs in order (origin, destination, transits, places of exploitation). */
export async function writeLegs(
  tx: Tx,
  route: { id: string; organisationId: string },
  input: Pick<RouteInput, 'origin' | 'destination' | 'transits' | 'exploitation'>,
): Promise<number> {
  const legs = legsOf(input).map(({ role, place }, position) => {
    // The schema checked the place against the gazetteer; its region is the city's when a city is given.
    const city = place.placeId !== undefined ? placeById(place.placeId) : null;
    const stop = place as Partial<StopInput>;
    return {
      routeId: route.id,
      organisationId: route.organisationId,
      position,
      role,
      placeId: city ? city.id : null,
      placeName: city ? city.name : null,
      country: place.country,
      region: city ? city.region : (place.region ?? null),
      borderCrossing: stop.borderCrossing ?? false,
      transport: stop.transport ?? null,
    };
  });
  await tx.insert(journeysLegs).values(legs);
  return legs.length;
}

function presentPlace(leg: LegRow) {
  return {
    placeId: leg.placeId,
    placeName: leg.placeName,
    country: leg.country,
    region: leg.region,
    regionName: leg.region ? regionName(leg.region) : null,
  };
}

function presentStop(leg: LegRow) {
  return {
    ...presentPlace(leg),
    borderCrossing: leg.borderCrossing,
    transport: leg.transport as Route['transits'][number]['transport'],
  };
}

/** A contribution as its organisation sees it. */
export async function presentRoute(ctx: Ctx, tx: Tx, row: RouteRow, legs: LegRow[]): Promise<Route> {
  const ordered = legs.filter((leg) => leg.routeId === row.id).sort((a, b) => a.position - b.position);
  const origin = ordered.find((leg) => leg.role === 'origin');
  const destination = ordered.find((leg) => leg.role === 'destination');
  const status = row.status as RouteStatus;
  return {
    id: row.id,
    status,
    source: row.source as RouteSource,
    origin: origin
      ? presentPlace(origin)
      : { placeId: null, placeName: null, country: '', region: null, regionName: null },
    destination: destination ? presentPlace(destination) : null,
    transits: ordered.filter((leg) => leg.role === 'transit').map(presentStop),
    exploitation: ordered.filter((leg) => leg.role === 'exploitation').map(presentStop),
    year: row.year,
    quarter: row.quarter,
    exploitationTypes: row.exploitationTypes,
    industry: row.industry,
    recruitmentMethod: row.recruitmentMethod,
    people: row.people,
    genderBand: row.genderBand as Route['genderBand'],
    ageBand: row.ageBand as Route['ageBand'],
    nationalityBand: row.nationalityBand as Route['nationalityBand'],
    moderatorNote: row.moderatorNoteSealed
      ? await ctx.kernel.keys.openField(tx, notePlace(row), row.moderatorNoteSealed)
      : null,
    decidedAt: row.decidedAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    abilities: routeAbilities(status),
  };
}

/** The legs of these routes. */
export async function legsFor(tx: Tx, routeIds: string[]): Promise<LegRow[]> {
  if (routeIds.length === 0) return [];
  return tx.select().from(journeysLegs).where(inArray(journeysLegs.routeId, routeIds));
}

/** The caller's organisation's contribution, locked for a change when asked; 404 when it is not theirs. */
async function ownRoute(tx: Tx, organisationId: string, id: string, forUpdate = false): Promise<RouteRow> {
  const query = tx
    .select()
    .from(journeysRoutes)
    .where(and(eq(journeysRoutes.id, id), eq(journeysRoutes.organisationId, organisationId)));
  const [row] = forUpdate ? await query.for('update') : await query;
  if (!row) throw new AppError('not_found');
  return row;
}

/** Contributes a route for the caller's organisation; it waits for a moderator (pending). */
export async function contributeRoute(
  ctx: Ctx,
  input: RouteInput,
  source: RouteSource = 'form',
): Promise<Route> {
  const contributor = requireContributor(ctx);
  const organisationId = contributor.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const [row] = await tx
      .insert(journeysRoutes)
      .values({
        organisationId,
        contributedBy: contributor.personId,
        status: 'pending',
        source,
        year: input.year,
        quarter: input.quarter ?? null,
        exploitationTypes: input.exploitationTypes,
        industry: input.industry ?? null,
        recruitmentMethod: input.recruitmentMethod ?? null,
        people: input.people,
        genderBand: input.genderBand,
        ageBand: input.ageBand,
        nationalityBand: input.nationalityBand,
      })
      .returning();
    const legs = await writeLegs(tx, row!, input);
    await recordAudit(
      tx,
      {
        action: 'journeys.route_contributed',
        organisationId,
        objectType: 'journey_route',
        objectId: row!.id,
        details: { source, legs },
      },
      ctx.audit,
    );
    return presentRoute(ctx, tx, row!, await legsFor(tx, [row!.id]));
  });
}

/** The caller's organisation's contributions, newest first. */
export async function listRoutes(
  ctx: Ctx,
  query: { status?: RouteStatus; cursor?: string; limit: number },
): Promise<{ items: Route[]; nextCursor: string | null }> {
  const contributor = requireContributor(ctx);
  const organisationId = contributor.membership.organisationId;
  const after = decodeCursor(query.cursor, ['string', 'string'] as const);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const rows = await tx
      .select()
      .from(journeysRoutes)
      .where(
        and(
          eq(journeysRoutes.organisationId, organisationId),
          query.status ? eq(journeysRoutes.status, query.status) : undefined,
          after
            ? or(
                lt(journeysRoutes.createdAt, new Date(after[0])),
                and(eq(journeysRoutes.createdAt, new Date(after[0])), lt(journeysRoutes.id, after[1])),
              )
            : undefined,
        ),
      )
      .orderBy(desc(journeysRoutes.createdAt), desc(journeysRoutes.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const legs = await legsFor(
      tx,
      page.map((row) => row.id),
    );
    const items = await Promise.all(page.map((row) => presentRoute(ctx, tx, row, legs)));
    const last = page.at(-1);
    return {
      items,
      nextCursor:
        rows.length > query.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  });
}

/** One of the caller's organisation's contributions. */
export async function getRoute(ctx: Ctx, id: string): Promise<Route> {
  const contributor = requireContributor(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, contributor.membership.organisationId);
    const row = await ownRoute(tx, contributor.membership.organisationId, id);
    return presentRoute(ctx, tx, row, await legsFor(tx, [id]));
  });
}

/** The route as the form would give it, for merging a partial change. */
function inputOf(row: RouteRow, legs: LegRow[]): RouteInput {
  const ordered = legs.sort((a, b) => a.position - b.position);
  const place = (leg: LegRow): PlaceInput => ({
    ...(leg.placeId !== null ? { placeId: leg.placeId } : {}),
    country: leg.country as PlaceInput['country'],
    ...(leg.region !== null ? { region: leg.region } : {}),
  });
  const stop = (leg: LegRow): StopInput => ({
    ...place(leg),
    borderCrossing: leg.borderCrossing,
    ...(leg.transport ? { transport: leg.transport as StopInput['transport'] } : {}),
  });
  const destination = ordered.find((leg) => leg.role === 'destination');
  return {
    origin: place(ordered.find((leg) => leg.role === 'origin')!),
    ...(destination ? { destination: place(destination) } : {}),
    transits: ordered.filter((leg) => leg.role === 'transit').map(stop),
    exploitation: ordered.filter((leg) => leg.role === 'exploitation').map(stop),
    year: row.year,
    ...(row.quarter !== null ? { quarter: row.quarter } : {}),
    exploitationTypes: row.exploitationTypes as RouteInput['exploitationTypes'],
    ...(row.industry ? { industry: row.industry as RouteInput['industry'] } : {}),
    ...(row.recruitmentMethod
      ? { recruitmentMethod: row.recruitmentMethod as RouteInput['recruitmentMethod'] }
      : {}),
    people: row.people,
    genderBand: row.genderBand as RouteInput['genderBand'],
    ageBand: row.ageBand as RouteInput['ageBand'],
    nationalityBand: row.nationalityBand as RouteInput['nationalityBand'],
  };
}

/**
 * Changes a pending or queried contribution (a queried one goes back to the moderators as pending). The
 * version guards against two people editing it at once.
 */
export async function updateRoute(ctx: Ctx, id: string, change: RouteUpdate): Promise<Route> {
  const contributor = requireContributor(ctx);
  const organisationId = contributor.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const row = await ownRoute(tx, organisationId, id, true);
    if (!routeAbilities(row.status as RouteStatus).update) throw new AppError('conflict');
    if (row.version !== change.version) throw new AppError('conflict');
    const { version: _version, ...fields } = change;
    const merged: RouteInput = { ...inputOf(row, await legsFor(tx, [id])), ...fields };
    const [updated] = await tx
      .update(journeysRoutes)
      .set({
        status: 'pending',
        year: merged.year,
        quarter: merged.quarter ?? null,
        exploitationTypes: merged.exploitationTypes,
        industry: merged.industry ?? null,
        recruitmentMethod: merged.recruitmentMethod ?? null,
        people: merged.people,
        genderBand: merged.genderBand,
        ageBand: merged.ageBand,
        nationalityBand: merged.nationalityBand,
        version: row.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(journeysRoutes.id, id))
      .returning();
    await tx.delete(journeysLegs).where(eq(journeysLegs.routeId, id));
    await writeLegs(tx, row, merged);
    await recordAudit(
      tx,
      {
        action: 'journeys.route_updated',
        organisationId,
        objectType: 'journey_route',
        objectId: id,
        details: { version: updated!.version, status: updated!.status },
      },
      ctx.audit,
    );
    return presentRoute(ctx, tx, updated!, await legsFor(tx, [id]));
  });
}

/** Withdraws a pending or queried contribution (a validated one is withdrawn by a moderator's rejection). */
export async function deleteRoute(ctx: Ctx, id: string): Promise<void> {
  const contributor = requireContributor(ctx);
  const organisationId = contributor.membership.organisationId;
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const row = await ownRoute(tx, organisationId, id, true);
    if (!routeAbilities(row.status as RouteStatus).delete) throw new AppError('conflict');
    await tx.delete(journeysRoutes).where(eq(journeysRoutes.id, id));
    await recordAudit(
      tx,
      {
        action: 'journeys.route_deleted',
        organisationId,
        objectType: 'journey_route',
        objectId: id,
        details: { status: row.status },
      },
      ctx.audit,
    );
  });
}

async function presentForModerator(ctx: Ctx, tx: Tx, rows: RouteRow[]): Promise<ModerationItem[]> {
  if (rows.length === 0) return [];
  const legs = await legsFor(
    tx,
    rows.map((row) => row.id),
  );
  const organisations = await tx
    .select({ id: identityOrganisations.id, name: identityOrganisations.name })
    .from(identityOrganisations)
    .where(inArray(identityOrganisations.id, [...new Set(rows.map((row) => row.organisationId))]));
  const people = await personNames(
    tx,
    rows.map((row) => row.contributedBy),
  );
  return Promise.all(
    rows.map(async (row) => {
      const { abilities: _abilities, ...route } = await presentRoute(ctx, tx, row, legs);
      const organisation = organisations.find((o) => o.id === row.organisationId);
      const name = row.contributedBy ? people.get(row.contributedBy) : undefined;
      return {
        ...route,
        organisation: { id: row.organisationId, name: organisation?.name ?? '' },
        contributor: row.contributedBy && name !== undefined ? { id: row.contributedBy, name } : null,
      };
    }),
  );
}

/**
 * The moderation queue: contributions waiting (oldest first), with who contributed them. SECURITY: the only
 * answer that names a contributor; reading it is audited.
 */
export async function moderationQueue(
  ctx: Ctx,
  query: { status: 'pending' | 'queried'; cursor?: string; limit: number },
): Promise<{ items: ModerationItem[]; nextCursor: string | null }> {
  requireModerator(ctx);
  const after = decodeCursor(query.cursor, ['string', 'string'] as const);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // Moderation spans every organisation's contributions.
    await setPlatformScope(tx);
    const rows = await tx
      .select()
      .from(journeysRoutes)
      .where(
        and(
          eq(journeysRoutes.status, query.status),
          after
            ? or(
                sql`${journeysRoutes.createdAt} > ${new Date(after[0])}`,
                and(
                  eq(journeysRoutes.createdAt, new Date(after[0])),
                  sql`${journeysRoutes.id} > ${after[1]}`,
                ),
              )
            : undefined,
        ),
      )
      .orderBy(asc(journeysRoutes.createdAt), asc(journeysRoutes.id))
      .limit(query.limit + 1);
    const page = rows.slice(0, query.limit);
    const items = await presentForModerator(ctx, tx, page);
    await recordAudit(
      tx,
      {
        action: 'journeys.moderation_viewed',
        objectType: 'journey_route',
        details: { status: query.status, count: items.length },
      },
      ctx.audit,
    );
    const last = page.at(-1);
    return {
      items,
      nextCursor:
        rows.length > query.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  });
}

/** Tells the contributing organisation that a moderator queried a contribution (no content in the mail). */
async function notifyQueried(ctx: Ctx, tx: Tx, row: RouteRow): Promise<void> {
  const recipients = await tx
    .selectDistinct({ email: identityPeople.email, language: identityPeople.language })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, row.organisationId),
        row.contributedBy
          ? or(eq(identityMemberships.role, 'org_admin'), eq(identityMemberships.personId, row.contributedBy))
          : eq(identityMemberships.role, 'org_admin'),
      ),
    );
  for (const recipient of recipients) {
    const t = translator(isLanguage(recipient.language) ? recipient.language : 'en');
    const values = { link: `${ctx.kernel.config.publicUrl}/journeys/routes/${row.id}` };
    await ctx.kernel.sendMail(tx, {
      to: recipient.email,
      subject: t('mail.journeys.route_queried_subject', values),
      text: t('mail.journeys.route_queried_body', values),
    });
  }
}

const nextStatus = { validate: 'validated', query: 'queried', reject: 'rejected' } as const;

/**
 * A moderator validates, queries or rejects a contribution. The map's summary tables change in the same
 * transaction: a validated route is added; a validated route rejected later is taken away.
 */
export async function decideRoute(ctx: Ctx, id: string, input: DecisionInput): Promise<ModerationItem> {
  const moderator = requireModerator(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // Moderation spans every organisation's contributions; the summary tables count them all.
    await setPlatformScope(tx);
    const [row] = await tx.select().from(journeysRoutes).where(eq(journeysRoutes.id, id)).for('update');
    if (!row) throw new AppError('not_found');
    const from = row.status as RouteStatus;
    if (row.version !== input.version || !canDecide(from, input.decision)) throw new AppError('conflict');
    const to = nextStatus[input.decision];
    // Take a validated route away while it is still as it was counted.
    if (from === 'validated') await applyRoutes(tx, ctx.kernel.jobs, [id], -1);
    const [updated] = await tx
      .update(journeysRoutes)
      .set({
        status: to,
        decidedBy: moderator.personId,
        decidedAt: new Date(),
        moderatorNoteSealed:
          input.note !== undefined ? await ctx.kernel.keys.sealField(tx, notePlace(row), input.note) : null,
        version: row.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(journeysRoutes.id, id))
      .returning();
    if (to === 'validated') await applyRoutes(tx, ctx.kernel.jobs, [id], 1);
    if (to === 'queried') await notifyQueried(ctx, tx, updated!);
    await recordAudit(
      tx,
      {
        action: 'journeys.route_decided',
        organisationId: row.organisationId,
        objectType: 'journey_route',
        objectId: id,
        details: { decision: input.decision, from, to },
      },
      ctx.audit,
    );
    const [item] = await presentForModerator(ctx, tx, [updated!]);
    return item!;
  });
}

/** Rebuilds the map's summary tables from every validated contribution (platform admins; audited). */
export async function rebuildMap(ctx: Ctx): Promise<{ flows: number; hotspots: number }> {
  requireModerator(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    // The rebuild counts every organisation's validated contributions.
    await setPlatformScope(tx);
    const result = await rebuildAggregates(tx);
    await schedulePublication(tx, ctx.kernel.jobs);
    await recordAudit(
      tx,
      { action: 'journeys.aggregates_rebuilt', objectType: 'journey_map', details: result },
      ctx.audit,
    );
    return result;
  });
}
