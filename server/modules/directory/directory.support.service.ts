import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { PersonActor } from '../../kernel/access/policy.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import {
  decodeCursor,
  encodeCursor,
  identityMemberships,
  identityOrganisations,
  identityPeople,
} from '../identity/index.js';
import { centreOf, placeById, regionName } from './directory.gazetteer.js';
import { loadCandidates, matchOrganisations, scoreCandidate, type MatchNeed } from './directory.matcher.js';
import { canRequestSupport } from './directory.policy.js';
import type {
  IncomingQuery,
  ListQuery,
  MatchResult,
  Need,
  NeedInput,
  SupportCandidate,
  SupportRequest,
  SupportRequestPage,
  SupportStats,
  UnmetNeeds,
} from './directory.support.schemas.js';
import { directorySupportRecipients, directorySupportRequests } from './directory.tables.js';
import type { DeclineReason } from './directory.vocabulary.js';
import './directory.audit.js';

type RequestRow = typeof directorySupportRequests.$inferSelect;
type RecipientRow = typeof directorySupportRecipients.$inferSelect;

/** The roles that send and answer support requests (canRequestSupport); recipients' mail goes to them. */
const caseRoles = ['caseworker', 'case_supervisor', 'org_admin'] as const;

/** Open requests older than this with nobody accepting count as unmet needs. */
const waitingDays = 7;

interface Member {
  personId: string;
  organisationId: string;
}

/** The caller acting for an organisation in a case role; the route gate has already checked as much. */
function caseMember(ctx: Ctx): Member & { actor: PersonActor } {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership || !canRequestSupport(actor)) {
    throw new AppError('forbidden');
  }
  return { personId: actor.personId, organisationId: actor.membership.organisationId, actor };
}

const invalid = (fields: FieldIssue[]) => new AppError('validation_failed', { fields });

/** A need, checked against the gazetteer: what is stored, and what the matcher reads. */
interface ResolvedNeed {
  stored: {
    country: string;
    region: string | null;
    placeName: string | null;
    latitude: number | null;
    longitude: number | null;
    services: string[];
    populations: string[];
    languages: string[];
    gender: string;
    ageBand: string;
    exploitationTypes: string[];
    urgency: string;
  };
  match: MatchNeed;
}

/**
 * Resolves a need's place: a gazetteer place fixes the region and the point (its country must be the
 * need's); without one, the centre of the region or country is where distance is measured from.
 */
function resolveNeed(input: NeedInput, path = 'body.need'): ResolvedNeed {
  let region = input.region ?? null;
  let placeName: string | null = null;
  let exact: { latitude: number; longitude: number } | null = null;
  if (input.placeId !== undefined) {
    const place = placeById(input.placeId);
    if (!place) throw invalid([{ path: `${path}.placeId`, code: 'directory.support_place_unknown' }]);
    if (place.country !== input.country)
      throw invalid([{ path: `${path}.country`, code: 'directory.support_place_country' }]);
    region = place.region;
    placeName = place.name;
    exact = { latitude: place.latitude, longitude: place.longitude };
  } else if (region && !region.startsWith(`${input.country}.`)) {
    throw invalid([{ path: `${path}.region`, code: 'directory.support_region_country' }]);
  }
  const stored = {
    country: input.country,
    region,
    placeName,
    latitude: exact?.latitude ?? null,
    longitude: exact?.longitude ?? null,
    services: input.services,
    populations: input.populations,
    languages: input.languages,
    gender: input.gender,
    ageBand: input.ageBand,
    exploitationTypes: input.exploitationTypes,
    urgency: input.urgency,
  };
  return { stored, match: matchNeedOf(stored) };
}

/** What the matcher reads of a stored (or just resolved) need. */
function matchNeedOf(need: ResolvedNeed['stored']): MatchNeed {
  const point =
    need.latitude !== null && need.longitude !== null
      ? { latitude: need.latitude, longitude: need.longitude }
      : centreOf({ country: need.country, region: need.region });
  return {
    country: need.country,
    region: need.region,
    point,
    services: need.services,
    populations: need.populations,
    gender: need.gender as MatchNeed['gender'],
    ageBand: need.ageBand as MatchNeed['ageBand'],
    languages: need.languages,
    exploitationTypes: need.exploitationTypes,
  };
}

function presentNeed(need: ResolvedNeed['stored']): Need {
  return {
    country: need.country,
    region: need.region,
    regionName: need.region ? regionName(need.region) : null,
    placeName: need.placeName,
    services: need.services as Need['services'],
    populations: need.populations as Need['populations'],
    languages: need.languages,
    gender: need.gender as Need['gender'],
    ageBand: need.ageBand as Need['ageBand'],
    exploitationTypes: need.exploitationTypes as Need['exploitationTypes'],
    urgency: need.urgency as Need['urgency'],
  };
}

/** Ranks the organisations that fit a need; nothing is stored and nobody is told. */
export async function matchSupport(ctx: Ctx, input: NeedInput, limit: number): Promise<MatchResult> {
  const member = caseMember(ctx);
  const need = resolveNeed(input);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const matches = await matchOrganisations(tx, need.match, {
      excludeOrganisationId: member.organisationId,
      limit,
    });
    return {
      need: presentNeed(need.stored),
      candidates: matches.map((m) => ({
        ...m,
        type: m.type as SupportCandidate['type'],
        tier: m.tier as SupportCandidate['tier'],
        services: m.services as SupportCandidate['services'],
      })),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Loading and presenting requests
// ---------------------------------------------------------------------------------------------------------

interface LoadedRequest {
  request: RequestRow;
  requesterName: string;
  acceptedName: string | null;
  at: string;
}

const cursorTime = sql<string>`to_char(${directorySupportRequests.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Requests visible to an organisation: sent by it, or sent to it. The same rule as the row-level policy,
 * written into the query too (tenant isolation is enforced twice).
 */
const visibleTo = (organisationId: string): SQL =>
  sql`(${directorySupportRequests.organisationId} = ${organisationId}::uuid or exists (
    select 1 from directory_support_recipients v
    where v.request_id = ${directorySupportRequests.id} and v.organisation_id = ${organisationId}::uuid))`;

async function loadRequests(
  tx: Tx,
  where: SQL | undefined,
  limit: number,
  keyset?: readonly [string, string] | null,
): Promise<LoadedRequest[]> {
  const accepted = sql<
    string | null
  >`(select a.name from identity_organisations a where a.id = ${directorySupportRequests.acceptedOrganisationId})`;
  const after = keyset
    ? sql`(${directorySupportRequests.createdAt}, ${directorySupportRequests.id}) < (${keyset[0]}::timestamptz, ${keyset[1]}::uuid)`
    : undefined;
  return tx
    .select({
      request: directorySupportRequests,
      requesterName: identityOrganisations.name,
      acceptedName: accepted,
      at: cursorTime,
    })
    .from(directorySupportRequests)
    .innerJoin(identityOrganisations, eq(identityOrganisations.id, directorySupportRequests.organisationId))
    .where(and(where, after))
    .orderBy(desc(directorySupportRequests.createdAt), desc(directorySupportRequests.id))
    .limit(limit);
}

async function loadRecipients(tx: Tx, requestIds: string[]): Promise<Array<RecipientRow & { name: string }>> {
  if (requestIds.length === 0) return [];
  const rows = await tx
    .select({ recipient: directorySupportRecipients, name: identityOrganisations.name })
    .from(directorySupportRecipients)
    .innerJoin(identityOrganisations, eq(identityOrganisations.id, directorySupportRecipients.organisationId))
    .where(inArray(directorySupportRecipients.requestId, requestIds))
    .orderBy(desc(directorySupportRecipients.score), identityOrganisations.name);
  return rows.map((r) => ({ ...r.recipient, name: r.name }));
}

function presentRecipient(r: RecipientRow & { name: string }) {
  return {
    organisationId: r.organisationId,
    name: r.name,
    status: r.status as 'pending' | 'accepted' | 'declined' | 'withdrawn',
    declineReason: (r.declineReason as DeclineReason | null) ?? null,
    declineNote: r.declineNote,
    respondedAt: r.respondedAt?.toISOString() ?? null,
    score: r.score,
    reasons: r.reasons,
  };
}

/**
 * SECURITY: what one side of a request sees. The requester sees every recipient and its answer; a
 * recipient sees the need, who asked and its own answer — never the other recipients.
 */
function presentRequest(
  ctx: Ctx,
  loaded: LoadedRequest,
  recipients: Array<RecipientRow & { name: string }>,
  organisationId: string,
): SupportRequest {
  const { request } = loaded;
  const open = request.status === 'open';
  const caseRole = canRequestSupport(ctx.actor);
  const mine = request.organisationId === organisationId;
  const myRow = recipients.find((r) => r.requestId === request.id && r.organisationId === organisationId);
  const pending = !mine && open && myRow?.status === 'pending' && caseRole;
  const out: SupportRequest = {
    id: request.id,
    status: request.status as SupportRequest['status'],
    need: presentNeed(request),
    requester: { organisationId: request.organisationId, name: loaded.requesterName },
    acceptedBy:
      request.acceptedOrganisationId && loaded.acceptedName
        ? { organisationId: request.acceptedOrganisationId, name: loaded.acceptedName }
        : null,
    createdAt: request.createdAt.toISOString(),
    closedAt: request.closedAt?.toISOString() ?? null,
    abilities: { accept: pending, decline: pending, close: mine && open && caseRole },
  };
  if (mine)
    out.recipients = recipients.filter((r) => r.requestId === request.id).map((r) => presentRecipient(r));
  else if (myRow) out.myResponse = presentRecipient(myRow);
  return out;
}

async function requestFor(ctx: Ctx, tx: Tx, requestId: string, organisationId: string) {
  const [loaded] = await loadRequests(
    tx,
    and(eq(directorySupportRequests.id, requestId), visibleTo(organisationId)),
    1,
  );
  if (!loaded) throw new AppError('not_found');
  const recipients = await loadRecipients(tx, [requestId]);
  return presentRequest(ctx, loaded, recipients, organisationId);
}

/** One request, as the requesting or a receiving organisation sees it; anyone else gets 404. */
export async function getSupportRequest(ctx: Ctx, requestId: string): Promise<SupportRequest> {
  const member = caseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    return requestFor(ctx, tx, requestId, member.organisationId);
  });
}

async function page(
  ctx: Ctx,
  tx: Tx,
  organisationId: string,
  where: SQL | undefined,
  query: { limit: number; cursor?: string },
): Promise<SupportRequestPage> {
  const after = decodeCursor(query.cursor, ['string', 'string'] as const);
  const rows = await loadRequests(tx, where, query.limit + 1, after);
  const items = rows.slice(0, query.limit);
  const recipients = await loadRecipients(
    tx,
    items.map((r) => r.request.id),
  );
  const last = items.at(-1);
  return {
    items: items.map((r) => presentRequest(ctx, r, recipients, organisationId)),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.at, last.request.id]) : null,
  };
}

/** The requests my organisation sent, newest first, with every recipient's answer. */
export async function listSupportRequests(ctx: Ctx, query: ListQuery): Promise<SupportRequestPage> {
  const member = caseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const status =
      query.status === 'open'
        ? eq(directorySupportRequests.status, 'open')
        : query.status === 'done'
          ? sql`${directorySupportRequests.status} <> 'open'`
          : undefined;
    return page(
      ctx,
      tx,
      member.organisationId,
      and(eq(directorySupportRequests.organisationId, member.organisationId), status),
      query,
    );
  });
}

/** The requests sent to my organisation, newest first; `pending` are those still waiting for our answer. */
export async function listIncomingSupportRequests(
  ctx: Ctx,
  query: IncomingQuery,
): Promise<SupportRequestPage> {
  const member = caseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const waiting = sql`(i.status = 'pending' and ${directorySupportRequests.status} = 'open')`;
    const status =
      query.status === 'pending' ? waiting : query.status === 'answered' ? sql`not ${waiting}` : sql`true`;
    return page(
      ctx,
      tx,
      member.organisationId,
      sql`exists (select 1 from directory_support_recipients i where i.request_id = ${directorySupportRequests.id}
        and i.organisation_id = ${member.organisationId}::uuid and ${status})`,
      query,
    );
  });
}

// ---------------------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------------------

/**
 * Sends one of the directory's support emails in the recipient's language, inside the caller's transaction
 * (it goes only if the change commits). SECURITY: the templates say that something happened and link into
 * Cairn — never the need, the place, or who asked.
 */
async function sendSupportMail(
  kernel: Kernel,
  tx: Tx,
  to: { email: string; language: string | null },
  template: 'support_requested' | 'support_accepted',
  link: string,
): Promise<void> {
  const t = translator(isLanguage(to.language) ? to.language : 'en');
  const values = { link, appUrl: kernel.config.publicUrl };
  await kernel.sendMail(tx, {
    to: to.email,
    subject: t(`mail.directory.${template}.subject`, values),
    text: t(`mail.directory.${template}.body`, values),
  });
}

/** The people of an organisation who answer support requests (its case roles). */
async function caseRolePeople(tx: Tx, organisationId: string) {
  return tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, organisationId),
        inArray(identityMemberships.role, [...caseRoles]),
      ),
    );
}

/**
 * Sends a described need to several organisations at once. Recipients must be active organisations other
 * than the requester's; each gets the matcher's score and reasons as they were when the request was sent,
 * and its case-role people get an email saying only that a request arrived.
 */
export async function createSupportRequest(
  ctx: Ctx,
  input: { need: NeedInput; recipientOrganisationIds: string[] },
): Promise<SupportRequest> {
  const member = caseMember(ctx);
  const need = resolveNeed(input.need);
  const ids = input.recipientOrganisationIds;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const known = await tx
      .select({ id: identityOrganisations.id })
      .from(identityOrganisations)
      .where(and(inArray(identityOrganisations.id, ids), eq(identityOrganisations.status, 'active')));
    const active = new Set(known.map((k) => k.id));
    const issues: FieldIssue[] = ids.flatMap((id, index): FieldIssue[] => {
      const path = `body.recipientOrganisationIds.${index}`;
      if (id === member.organisationId) return [{ path, code: 'directory.support_recipient_self' }];
      if (!active.has(id)) return [{ path, code: 'directory.support_recipient_unknown' }];
      return [];
    });
    if (issues.length > 0) throw invalid(issues);

    const candidates = await loadCandidates(tx, need.match, {
      excludeOrganisationId: member.organisationId,
      onlyOrganisationIds: ids,
    });
    const scores = new Map(candidates.map((c) => [c.organisationId, scoreCandidate(need.match, c)]));
    const [request] = await tx
      .insert(directorySupportRequests)
      .values({ organisationId: member.organisationId, requesterPersonId: member.personId, ...need.stored })
      .returning();
    await tx.insert(directorySupportRecipients).values(
      ids.map((id) => ({
        requestId: request!.id,
        organisationId: id,
        requesterOrganisationId: member.organisationId,
        score: scores.get(id)?.score ?? 0,
        reasons: scores.get(id)?.reasons ?? [],
      })),
    );
    await recordAudit(
      tx,
      {
        action: 'directory.support_requested',
        objectType: 'support_request',
        objectId: request!.id,
        organisationId: member.organisationId,
        details: { requestId: request!.id, recipients: ids.length },
      },
      ctx.audit,
    );
    const link = `${ctx.kernel.config.publicUrl}/directory/support/incoming`;
    for (const id of ids) {
      // Tenant scope: each recipient's memberships are read under that recipient's tenant (and only to
      // address the notification); the requester's tenant is restored right after.
      await setTenant(tx, id);
      for (const person of await caseRolePeople(tx, id))
        await sendSupportMail(ctx.kernel, tx, person, 'support_requested', link);
    }
    await setTenant(tx, member.organisationId);
    return requestFor(ctx, tx, request!.id, member.organisationId);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Answering and closing
// ---------------------------------------------------------------------------------------------------------

/**
 * Locks a request this organisation received, and its own recipient row, for the rest of the transaction.
 * Concurrent answers queue on the request's row lock, so exactly one acceptance can win.
 */
async function lockReceived(tx: Tx, requestId: string, organisationId: string) {
  const [request] = await tx
    .select()
    .from(directorySupportRequests)
    .where(and(eq(directorySupportRequests.id, requestId), visibleTo(organisationId)))
    .for('update');
  if (!request) throw new AppError('not_found');
  const [mine] = await tx
    .select()
    .from(directorySupportRecipients)
    .where(
      and(
        eq(directorySupportRecipients.requestId, requestId),
        eq(directorySupportRecipients.organisationId, organisationId),
      ),
    )
    .for('update');
  // The requester itself is not a recipient: for it, answering does not exist.
  if (!mine) throw new AppError('not_found');
  if (request.status !== 'open' || mine.status !== 'pending') throw new AppError('conflict');
  return { request, mine };
}

/**
 * Accepts a request for my organisation: the request closes at once and every other recipient still
 * pending is withdrawn, in one transaction. A second acceptance (even a concurrent one) gets 409.
 */
export async function acceptSupportRequest(ctx: Ctx, requestId: string): Promise<SupportRequest> {
  const member = caseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const { request } = await lockReceived(tx, requestId, member.organisationId);
    const now = new Date();
    await tx
      .update(directorySupportRequests)
      .set({
        status: 'accepted',
        acceptedOrganisationId: member.organisationId,
        closedAt: now,
        updatedAt: now,
      })
      .where(eq(directorySupportRequests.id, requestId));
    await tx
      .update(directorySupportRecipients)
      .set({ status: 'accepted', respondedAt: now, responderPersonId: member.personId })
      .where(
        and(
          eq(directorySupportRecipients.requestId, requestId),
          eq(directorySupportRecipients.organisationId, member.organisationId),
        ),
      );
    // SECURITY: a recipient sees only its own recipient row (row-level policy), so withdrawing the others
    // runs under the requester's tenant. It is safe because the locked row above proves this organisation
    // is a recipient of this open request, and the statement touches only this request's pending rows.
    await setTenant(tx, request.organisationId);
    await tx
      .update(directorySupportRecipients)
      .set({ status: 'withdrawn' })
      .where(
        and(
          eq(directorySupportRecipients.requestId, requestId),
          eq(directorySupportRecipients.status, 'pending'),
        ),
      );
    await setTenant(tx, member.organisationId);
    await recordAudit(
      tx,
      {
        action: 'directory.support_accepted',
        objectType: 'support_request',
        objectId: requestId,
        organisationId: member.organisationId,
        details: { requestId },
      },
      ctx.audit,
    );
    if (request.requesterPersonId) {
      const [requester] = await tx
        .select({ email: identityPeople.email, language: identityPeople.language })
        .from(identityPeople)
        .where(eq(identityPeople.id, request.requesterPersonId));
      if (requester)
        await sendSupportMail(
          ctx.kernel,
          tx,
          requester,
          'support_accepted',
          `${ctx.kernel.config.publicUrl}/directory/support/requests/${requestId}`,
        );
    }
    return requestFor(ctx, tx, requestId, member.organisationId);
  });
}

/** Declines a request for my organisation, with a coded reason and an optional note about the organisation. */
export async function declineSupportRequest(
  ctx: Ctx,
  requestId: string,
  input: { reason: DeclineReason; note?: string },
): Promise<SupportRequest> {
  const member = caseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    await lockReceived(tx, requestId, member.organisationId);
    await tx
      .update(directorySupportRecipients)
      .set({
        status: 'declined',
        declineReason: input.reason,
        declineNote: input.note ? input.note : null,
        respondedAt: new Date(),
        responderPersonId: member.personId,
      })
      .where(
        and(
          eq(directorySupportRecipients.requestId, requestId),
          eq(directorySupportRecipients.organisationId, member.organisationId),
        ),
      );
    await recordAudit(
      tx,
      {
        action: 'directory.support_declined',
        objectType: 'support_request',
        objectId: requestId,
        organisationId: member.organisationId,
        details: { requestId, reason: input.reason },
      },
      ctx.audit,
    );
    return requestFor(ctx, tx, requestId, member.organisationId);
  });
}

/** Closes a request my organisation sent (found elsewhere, or no longer needed); pending recipients are withdrawn. */
export async function closeSupportRequest(ctx: Ctx, requestId: string): Promise<SupportRequest> {
  const member = caseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const [request] = await tx
      .select({ status: directorySupportRequests.status })
      .from(directorySupportRequests)
      .where(
        and(
          eq(directorySupportRequests.id, requestId),
          eq(directorySupportRequests.organisationId, member.organisationId),
        ),
      )
      .for('update');
    if (!request) throw new AppError('not_found');
    if (request.status !== 'open') throw new AppError('conflict');
    const now = new Date();
    await tx
      .update(directorySupportRequests)
      .set({ status: 'closed', closedAt: now, updatedAt: now })
      .where(eq(directorySupportRequests.id, requestId));
    await tx
      .update(directorySupportRecipients)
      .set({ status: 'withdrawn' })
      .where(
        and(
          eq(directorySupportRecipients.requestId, requestId),
          eq(directorySupportRecipients.status, 'pending'),
        ),
      );
    await recordAudit(
      tx,
      {
        action: 'directory.support_closed',
        objectType: 'support_request',
        objectId: requestId,
        organisationId: member.organisationId,
        details: { requestId },
      },
      ctx.audit,
    );
    return requestFor(ctx, tx, requestId, member.organisationId);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------

/** My organisation's record as a recipient over the last 12 months, and what the caller may do. */
export async function getSupportStats(ctx: Ctx): Promise<SupportStats> {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) throw new AppError('forbidden');
  const organisationId = actor.membership.organisationId;
  const since = new Date();
  since.setUTCFullYear(since.getUTCFullYear() - 1);
  const [row] = await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    return queryRows<Record<string, string | number | null>>(
      tx,
      sql`select count(*) as received,
            count(*) filter (where status = 'accepted') as accepted,
            count(*) filter (where status = 'declined') as declined,
            count(*) filter (where status = 'pending') as pending,
            count(*) filter (where status = 'withdrawn') as withdrawn,
            percentile_cont(0.5) within group (order by extract(epoch from responded_at - created_at))
              filter (where status in ('accepted', 'declined') and responded_at is not null) as median_seconds
          from directory_support_recipients
          where organisation_id = ${organisationId}::uuid and created_at >= ${since.toISOString()}::timestamptz`,
    );
  });
  const n = (key: string) => Number(row?.[key] ?? 0);
  const answered = n('accepted') + n('declined');
  // Requests still waiting for our answer are not decided yet: they count once answered or withdrawn.
  const decided = answered + n('withdrawn');
  const median = row?.median_seconds;
  return {
    organisationId,
    since: since.toISOString(),
    received: n('received'),
    accepted: n('accepted'),
    declined: n('declined'),
    pending: n('pending'),
    withdrawn: n('withdrawn'),
    responseRate: decided > 0 ? answered / decided : null,
    medianResponseMinutes:
      median === null || median === undefined ? null : Math.round(Number(median) / 6) / 10,
    abilities: { requestSupport: canRequestSupport(actor), respond: canRequestSupport(actor) },
  };
}

/**
 * What was asked and nobody could offer, by country and service: requests every recipient declined,
 * requests closed without an acceptance, and requests still open after a week. Counts only — no
 * organisation, request or place below the country is named.
 */
export async function listUnmetNeeds(
  ctx: Ctx,
  query: { months: number; country?: string },
): Promise<UnmetNeeds> {
  const since = new Date();
  since.setUTCMonth(since.getUTCMonth() - query.months);
  const rows = await inTransaction(ctx.kernel.database.db, async (tx) => {
    // Platform scope: unmet needs are counted across every organisation's requests, for platform staff
    // only (the route's policy); nothing but counts by country and service leaves this query.
    await setPlatformScope(tx);
    const country = query.country ? sql`and r.country = ${query.country}` : sql``;
    return queryRows<{
      country: string;
      service: string;
      total: string | number;
      all_declined: string | number;
      closed_unanswered: string | number;
      waiting: string | number;
    }>(
      tx,
      sql`with answers as (
            select r.id, r.country, r.services, r.status, r.created_at,
              (select count(*) from directory_support_recipients x where x.request_id = r.id) as recipients,
              (select count(*) from directory_support_recipients x
                 where x.request_id = r.id and x.status = 'declined') as declined
            from directory_support_requests r
            where r.created_at >= ${since.toISOString()}::timestamptz and r.status <> 'accepted' ${country}
          ), unmet as (
            select country, services,
              case when recipients > 0 and declined = recipients then 'all_declined'
                   when status = 'closed' then 'closed_unanswered'
                   when created_at < now() - make_interval(days => ${waitingDays}) then 'waiting'
              end as kind
            from answers
          )
          select u.country, s.service, count(*) as total,
            count(*) filter (where kind = 'all_declined') as all_declined,
            count(*) filter (where kind = 'closed_unanswered') as closed_unanswered,
            count(*) filter (where kind = 'waiting') as waiting
          from unmet u cross join lateral unnest(u.services) as s(service)
          where kind is not null
          group by u.country, s.service
          order by total desc, u.country, s.service
          limit 2000`,
    );
  });
  return {
    since: since.toISOString(),
    items: rows.map((r) => ({
      country: r.country,
      service: r.service as UnmetNeeds['items'][number]['service'],
      total: Number(r.total),
      allDeclined: Number(r.all_declined),
      closedUnanswered: Number(r.closed_unanswered),
      waiting: Number(r.waiting),
    })),
  };
}
