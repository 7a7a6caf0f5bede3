import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope, setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { identityOrganisations, identityPeople } from '../identity/index.js';
import { bloomParameters, matchingIndexInput, nameBloomFilter } from './matching.blind.js';
import { bitString, encodeSelectors, nameBlockIndex, type Encoded } from './matching.encode.js';
import { nameFromKey } from './matching.normalise.js';
import { focalPointSettings, setFocalPoint } from './matching.focal.js';
import { checkLookupSpike, notifyMatches } from './matching.notifications.js';
import { checkQuota } from './matching.quotas.js';
import { takePart } from './matching.participation.js';
import { rescreenJob } from './matching.rescreen.js';
import { agreementStands, matchAbilities, nextStatuses, screenerOf } from './matching.policy.js';
import {
  participationTypes,
  type LookupInput,
  type LookupResult,
  type Match,
  type MatchAction,
  type MatchStatus,
  type MatchType,
  type Participation,
  type ParticipationType,
  type Subject,
  type SubjectInput,
} from './matching.schemas.js';
import {
  matchingLookups,
  matchingMatches,
  matchingNames,
  matchingParticipation,
  matchingSelectors,
  matchingSubjects,
} from './matching.tables.js';
import './matching.audit.js';

export const titlePlace = (row: { id: string; organisationId: string }) => ({
  organisationId: row.organisationId,
  table: 'matching_subjects',
  column: 'title_sealed',
  rowId: row.id,
});
const selectorPlace = (row: { id: string; organisationId: string }) => ({
  organisationId: row.organisationId,
  table: 'matching_selectors',
  column: 'selector_sealed',
  rowId: row.id,
});

/**
 * SECURITY: on rotation of the matching key, the name filter linked to a person selector is computed again
 * from the selector's canonical text (opened by the keyring in memory) under the new key, in the same
 * transaction as the selector's new index — so a fuzzy name match survives the old key's destruction.
 */
async function reencodeName(
  tx: Tx,
  input: { rowId: string; source: string; key: { version: number; key: Buffer } },
): Promise<void> {
  const [, type, canonical] = JSON.parse(input.source) as [string, string, string];
  if (!type.startsWith('person_name_') || canonical.startsWith('~')) return;
  const cut = canonical.lastIndexOf('|');
  const { bits, ones } = bitString(nameBloomFilter(input.key, nameFromKey(canonical.slice(0, cut))));
  await tx
    .update(matchingNames)
    .set({
      keyVersion: input.key.version,
      block: nameBlockIndex(input.key, canonical.slice(cut + 1)),
      filter: bits,
      ones,
    })
    .where(eq(matchingNames.selectorId, input.rowId));
}

/** Registers the module's sealed columns; rotation of the matching key recomputes the selectors' indexes. */
export function registerMatchingEncryption(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: matchingSubjects,
    id: matchingSubjects.id,
    organisation: matchingSubjects.organisationId,
    encrypted: [matchingSubjects.titleSealed],
  });
  kernel.keys.registerEncryptedTable({
    table: matchingSelectors,
    id: matchingSelectors.id,
    organisation: matchingSelectors.organisationId,
    encrypted: [matchingSelectors.selectorSealed],
    blindIndexes: [
      {
        column: matchingSelectors.blindIndex,
        purpose: 'matching',
        // The sealed value is already matchingIndexInput(selector): the same text the write indexed.
        source: (opened) => opened.selectorSealed ?? null,
        // A person's plain compound also re-encodes the keyed Bloom filter of its name under the new key.
        derive: reencodeName,
      },
    ],
  });
}

function requireScreener(ctx: Ctx) {
  const screener = screenerOf(ctx.actor);
  if (!screener) throw new AppError('forbidden');
  return screener;
}

/** The participation types an organisation has switched off. */
export async function optedOut(tx: Tx, organisationId: string): Promise<Set<string>> {
  const rows = await tx
    .select({ type: matchingParticipation.selectorType })
    .from(matchingParticipation)
    .where(
      and(eq(matchingParticipation.organisationId, organisationId), eq(matchingParticipation.enabled, false)),
    );
  return new Set(rows.map((row) => row.type));
}

/** One hit of a screening: another organisation's open subject sharing a selector (or a name, or place and time). */
export interface Hit {
  subjectId: string;
  organisationId: string;
  organisationName: string;
  matchType: MatchType;
  score: number | null;
}

/** The organisation found (alias `s`) takes part in the type. */
const otherParticipates = (selectorType: SQL) => takePart([sql`s.organisation_id`], selectorType);

/**
 * SECURITY: the screening. Runs in platform scope (it compares every organisation's blind indexes) and returns
 * only other organisations' ids, names and the kind of overlap — never another selector, subject or title.
 * Only open subjects of active organisations that take part in the selector's type are found.
 */
export async function screen(
  tx: Tx,
  organisationId: string,
  encoded: Encoded,
  place: { country: string; region: string | null; start: string; end: string } | null,
): Promise<Hit[]> {
  await setPlatformScope(tx);
  const hits: Hit[] = [];
  const indexes = encoded.selectors.flatMap((s) => s.indexes);
  const encodings = encoded.names.flatMap((name) => name.encodings);
  const found: SQL[] = [];
  if (indexes.length > 0)
    found.push(sql`select s.subject_id, s.organisation_id, s.selector_type as match_type, null::float8 as dice
        from matching_selectors s
        where s.blind_index = any(${sql.param(indexes)}::text[]) and s.organisation_id <> ${organisationId}
          and ${otherParticipates(sql`s.selector_type`)}`);
  if (encodings.length > 0)
    // Every name encoding (per block and key version): each is compared only with the names of its block that
    // share one of its band keys (the candidates, found through the bands' GIN index).
    found.push(sql`select s.subject_id, s.organisation_id, 'person_name_fuzzy' as match_type,
               max(d.dice)::float8 as dice
        from unnest(${sql.param(encodings.map((e) => e.block))}::text[],
                    ${sql.param(encodings.map((e) => e.version))}::int[],
                    ${sql.param(encodings.map((e) => e.filter))}::text[],
                    ${sql.param(encodings.map((e) => e.ones))}::int[],
                    ${sql.param(encodings.map((e) => `{${e.bands.join(',')}}`))}::text[])
               as q(block, version, filter, ones, bands)
        join matching_names s on s.bands && q.bands::int[] and s.block = q.block and s.key_version = q.version
        cross join lateral (select 2.0 * bit_count(s.filter & q.filter::bit(1024)) / (s.ones + q.ones) as dice) d
        where s.organisation_id <> ${organisationId} and d.dice >= ${bloomParameters.threshold}
          and ${otherParticipates(sql`'person'`)}
        group by s.subject_id, s.organisation_id`);
  if (found.length > 0) {
    // One statement for the exact selectors and the names. The few hits are checked one by one (open subject,
    // active organisation and its name, as subqueries): a join let the planner hash every organisation for them.
    const rows = await queryRows<{
      subject_id: string;
      organisation_id: string;
      name: string | null;
      match_type: string;
      dice: number | null;
    }>(
      tx,
      sql`select h.subject_id, h.organisation_id, h.match_type, h.dice,
                 (select o.name from identity_organisations o
                  where o.id = h.organisation_id and o.status = 'active') as name
          from (${sql.join(found, sql` union all `)}) h
          where exists (select 1 from matching_subjects j where j.id = h.subject_id and j.status = 'open')`,
    );
    for (const row of rows)
      if (row.name !== null)
        hits.push({
          subjectId: row.subject_id,
          organisationId: row.organisation_id,
          organisationName: row.name,
          matchType: row.match_type as MatchType,
          score: row.dice === null ? null : Math.round(row.dice * 1000) / 1000,
        });
  }
  if (place) {
    const rows = await queryRows<{ id: string; organisation_id: string; name: string }>(
      tx,
      sql`select s.id, s.organisation_id, o.name
          from matching_subjects s
          join identity_organisations o on o.id = s.organisation_id and o.status = 'active'
          where s.status = 'open' and s.country = ${place.country} and s.organisation_id <> ${organisationId}
            and (s.region is null or ${place.region}::text is null or s.region = ${place.region})
            and s.window_start <= ${place.end}::date and s.window_end >= ${place.start}::date
            and ${otherParticipates(sql`'place_time'`)}`,
    );
    for (const row of rows)
      hits.push({
        subjectId: row.id,
        organisationId: row.organisation_id,
        organisationName: row.name,
        matchType: 'place_time',
        score: null,
      });
  }
  return dedupe(hits);
}

/** One hit per subject and type; a fuzzy name hit only where no exact person selector met the same subject. */
function dedupe(hits: Hit[]): Hit[] {
  const byKey = new Map<string, Hit>();
  for (const hit of hits) {
    const key = `${hit.subjectId}:${hit.matchType}`;
    const known = byKey.get(key);
    if (!known || (hit.score ?? 0) > (known.score ?? 0)) byKey.set(key, hit);
  }
  const exactPersons = new Set(
    [...byKey.values()]
      .filter((h) => h.matchType.startsWith('person_name_') && h.score === null)
      .map((h) => h.subjectId),
  );
  return [...byKey.values()].filter(
    (h) => h.matchType !== 'person_name_fuzzy' || !exactPersons.has(h.subjectId),
  );
}

async function encodeOrThrow(
  ctx: Ctx,
  tx: Tx,
  inputs: SubjectInput['selectors'],
  allowWeak: boolean,
): Promise<Encoded> {
  const keys = await ctx.kernel.keys.matchingKeys(tx);
  const encoded = encodeSelectors(inputs, keys, 'body.selectors', { allowWeak });
  if (!encoded.ok) throw new AppError('validation_failed', { fields: encoded.issues });
  return encoded.value;
}

async function refuseOptedOut(tx: Tx, organisationId: string, types: readonly string[]): Promise<void> {
  const out = await optedOut(tx, organisationId);
  const refused = types.filter((type) => out.has(type));
  if (refused.length > 0)
    throw new AppError('validation_failed', {
      fields: [
        {
          path: 'body.selectors',
          code: 'matching.type_not_participating',
          params: { types: refused.join(', ') },
        },
      ],
    });
}

/** A lookup: screens selectors against every other organisation, stores nothing but the fact (and its count). */
export async function lookup(ctx: Ctx, input: LookupInput): Promise<LookupResult> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const encoded = await encodeOrThrow(ctx, tx, input.selectors, false);
    await refuseOptedOut(tx, organisationId, encoded.types);
    const remaining = await checkQuota(ctx, tx, organisationId, screener.personId);
    const hits = await screen(tx, organisationId, encoded, null);
    await tx.insert(matchingLookups).values({
      organisationId,
      personId: screener.personId,
      purpose: 'lookup',
      selectorTypes: encoded.types,
      hits: hits.length,
    });
    await checkLookupSpike(ctx, tx, organisationId, screener.personId);
    await recordAudit(
      tx,
      {
        action: 'matching.lookup',
        organisationId,
        objectType: 'matching_lookup',
        details: { types: encoded.types, selectors: input.selectors.length, hits: hits.length },
      },
      ctx.audit,
    );
    // One line per organisation and kind: how many subjects matched would say more than the issue allows.
    const seen = new Set<string>();
    return {
      hits: hits
        .filter(
          (hit) =>
            !seen.has(`${hit.organisationId}:${hit.matchType}`) &&
            !!seen.add(`${hit.organisationId}:${hit.matchType}`),
        )
        .map((hit) => ({
          matchType: hit.matchType,
          organisation: { id: hit.organisationId, name: hit.organisationName },
        })),
      remaining,
    };
  });
}

/**
 * Writes a subject's selectors and name encodings. Ids are chosen here so each canonical selector is sealed
 * (its row id is in the AAD) before its row is written; one insert per table.
 */
export async function writeSelectors(
  kernel: Kernel,
  tx: Tx,
  subjectId: string,
  organisationId: string,
  encoded: Encoded,
): Promise<void> {
  const selectorRows: (typeof matchingSelectors.$inferInsert)[] = [];
  const idOfIndex = new Map<string, string>();
  for (const { selector, indexes } of encoded.selectors) {
    const id = randomUUID();
    idOfIndex.set(indexes[0]!, id);
    selectorRows.push({
      id,
      organisationId,
      subjectId,
      selectorType: selector.type,
      blindIndex: indexes[0]!,
      selectorSealed: await kernel.keys.sealField(
        tx,
        selectorPlace({ id, organisationId }),
        matchingIndexInput(selector),
      ),
    });
  }
  if (selectorRows.length > 0) await tx.insert(matchingSelectors).values(selectorRows);
  // Names are written under the active key (the first encoding); older ones only serve the search.
  if (encoded.names.length > 0)
    await tx.insert(matchingNames).values(
      encoded.names.map(({ encodings: [active], selectorIndex }) => ({
        organisationId,
        subjectId,
        selectorId: idOfIndex.get(selectorIndex) ?? null,
        keyVersion: active!.version,
        block: active!.block,
        filter: active!.filter,
        ones: active!.ones,
      })),
    );
}

/** Records a match per hit; a pair already matched on that type is left alone. Returns the hits that are new. */
export async function recordHits(
  tx: Tx,
  subjectId: string,
  organisationId: string,
  hits: readonly Hit[],
): Promise<Hit[]> {
  const created: Hit[] = [];
  for (const hit of hits) {
    const [low, high] =
      subjectId < hit.subjectId
        ? [
            { s: subjectId, o: organisationId },
            { s: hit.subjectId, o: hit.organisationId },
          ]
        : [
            { s: hit.subjectId, o: hit.organisationId },
            { s: subjectId, o: organisationId },
          ];
    const inserted = await tx
      .insert(matchingMatches)
      .values({
        selectorType: hit.matchType,
        score: hit.score,
        lowSubjectId: low.s,
        lowOrganisationId: low.o,
        highSubjectId: high.s,
        highOrganisationId: high.o,
      })
      .onConflictDoNothing()
      .returning({ id: matchingMatches.id });
    if (inserted.length > 0) created.push(hit);
  }
  return created;
}

/**
 * Each other organisation with a new match hears of it in its own audit trail (the inbox lists it), and both
 * owners' screeners get a mail at once (naming nothing but the inbox).
 */
export async function announceMatches(
  kernel: Kernel,
  tx: Tx,
  organisationId: string,
  hits: readonly Hit[],
  audit?: Ctx['audit'],
): Promise<void> {
  const others = [...new Set(hits.map((hit) => hit.organisationId))];
  for (const other of others)
    await recordAudit(
      tx,
      {
        action: 'matching.match_found',
        organisationId: other,
        objectType: 'matching_subject',
        details: {
          types: [...new Set(hits.filter((h) => h.organisationId === other).map((h) => h.matchType))],
        },
      },
      audit,
    );
  if (others.length > 0) await notifyMatches(kernel, tx, [organisationId, ...others]);
}

/** Registers an investigation, operation or alert with its selectors, screens it, and records a match per overlap. */
export async function registerSubject(ctx: Ctx, input: SubjectInput): Promise<Subject> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  const place =
    input.country && input.windowStart && input.windowEnd
      ? {
          country: input.country,
          region: input.region ?? null,
          start: input.windowStart,
          end: input.windowEnd,
        }
      : null;
  if (input.selectors.length === 0 && !place)
    throw new AppError('validation_failed', {
      fields: [{ path: 'body.selectors', code: 'matching.nothing_to_match' }],
    });
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    // A subject with a place and time may carry a single weak selector: the place and time are the second attribute.
    const encoded = await encodeOrThrow(ctx, tx, input.selectors, place !== null);
    const types = [...encoded.types, ...(place ? (['place_time'] as const) : [])];
    await refuseOptedOut(tx, organisationId, types);
    await checkQuota(ctx, tx, organisationId, screener.personId);
    // Ids chosen here so each value is sealed (its row id is in the AAD) before its row is written.
    const subjectId = randomUUID();
    await tx.insert(matchingSubjects).values({
      id: subjectId,
      organisationId,
      kind: input.kind,
      titleSealed: await ctx.kernel.keys.sealField(
        tx,
        titlePlace({ id: subjectId, organisationId }),
        input.title,
      ),
      country: input.country ?? null,
      region: input.region ?? null,
      windowStart: input.windowStart ?? null,
      windowEnd: input.windowEnd ?? null,
      createdBy: screener.personId,
    });
    await writeSelectors(ctx.kernel, tx, subjectId, organisationId, encoded);
    const hits = await recordHits(
      tx,
      subjectId,
      organisationId,
      await screen(tx, organisationId, encoded, place),
    );
    await tx.insert(matchingLookups).values({
      organisationId,
      personId: screener.personId,
      purpose: 'register',
      selectorTypes: types,
      hits: hits.length,
    });
    await checkLookupSpike(ctx, tx, organisationId, screener.personId);
    await recordAudit(
      tx,
      {
        action: 'matching.subject_registered',
        organisationId,
        objectType: 'matching_subject',
        objectId: subjectId,
        details: { kind: input.kind, types, selectors: input.selectors.length, matches: hits.length },
      },
      ctx.audit,
    );
    await announceMatches(ctx.kernel, tx, organisationId, hits, ctx.audit);
    // The answer is built inside the transaction: an Idempotency-Key stores it before COMMIT.
    const rows = await tx.select().from(matchingSubjects).where(eq(matchingSubjects.id, subjectId));
    return (await presentSubjects(ctx, tx, rows))[0]!;
  });
}

async function presentSubjects(
  ctx: Ctx,
  tx: Tx,
  rows: (typeof matchingSubjects.$inferSelect)[],
): Promise<Subject[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const types = await tx
    .select({
      subjectId: matchingSelectors.subjectId,
      type: matchingSelectors.selectorType,
      count: sql<number>`count(*)::int`,
    })
    .from(matchingSelectors)
    .where(inArray(matchingSelectors.subjectId, ids))
    .groupBy(matchingSelectors.subjectId, matchingSelectors.selectorType);
  const matches = await queryRows<{ id: string; n: number }>(
    tx,
    sql`select id, count(*)::int as n from (
          select low_subject_id as id from matching_matches where low_subject_id = any(${sql.param(ids)}::uuid[])
          union all
          select high_subject_id from matching_matches where high_subject_id = any(${sql.param(ids)}::uuid[])) m
        group by id`,
  );
  const out: Subject[] = [];
  for (const row of rows)
    out.push({
      id: row.id,
      kind: row.kind as Subject['kind'],
      title: await ctx.kernel.keys.openField(tx, titlePlace(row), row.titleSealed),
      status: row.status as Subject['status'],
      country: row.country,
      region: row.region,
      windowStart: row.windowStart,
      windowEnd: row.windowEnd,
      caseId: row.caseId,
      selectorTypes: types.filter((t) => t.subjectId === row.id).map(({ type, count }) => ({ type, count })),
      matches: matches.find((m) => m.id === row.id)?.n ?? 0,
      createdAt: row.createdAt.toISOString(),
    });
  return out;
}

/** One of the caller's organisation's subjects. */
export async function getSubject(ctx: Ctx, id: string): Promise<Subject> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const rows = await tx.select().from(matchingSubjects).where(eq(matchingSubjects.id, id));
    if (rows.length === 0) throw new AppError('not_found');
    await recordAudit(
      tx,
      {
        action: 'matching.subject_viewed',
        organisationId,
        objectType: 'matching_subject',
        objectId: id,
        details: {},
      },
      ctx.audit,
    );
    return (await presentSubjects(ctx, tx, rows))[0]!;
  });
}

/** The caller's organisation's subjects, newest first (at most 200). */
export async function listSubjects(ctx: Ctx): Promise<{ items: Subject[] }> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const rows = await tx
      .select()
      .from(matchingSubjects)
      .where(eq(matchingSubjects.organisationId, organisationId))
      .orderBy(desc(matchingSubjects.createdAt))
      .limit(200);
    return { items: await presentSubjects(ctx, tx, rows) };
  });
}

/** Closes a subject: it stops taking part in screening; its matches stay in both inboxes. */
export async function closeSubject(ctx: Ctx, id: string): Promise<Subject> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const [subject] = await tx
      .select({ kind: matchingSubjects.kind })
      .from(matchingSubjects)
      .where(and(eq(matchingSubjects.id, id), eq(matchingSubjects.organisationId, organisationId)))
      .for('update');
    if (!subject) throw new AppError('not_found');
    // A case file's subject follows its case: it closes when the case does.
    if (subject.kind === 'case') throw new AppError('conflict');
    await tx
      .update(matchingSubjects)
      .set({ status: 'closed', updatedAt: new Date() })
      .where(eq(matchingSubjects.id, id));
    await recordAudit(
      tx,
      {
        action: 'matching.subject_closed',
        organisationId,
        objectType: 'matching_subject',
        objectId: id,
        details: {},
      },
      ctx.audit,
    );
  });
  return getSubject(ctx, id);
}

type MatchRow = typeof matchingMatches.$inferSelect;

/**
 * Matches as one side sees them: its own subject, the other organisation, the kind of overlap — nothing else.
 * The subjects and organisations of all rows are read in two queries.
 */
async function presentMatches(ctx: Ctx, tx: Tx, rows: MatchRow[], organisationId: string): Promise<Match[]> {
  if (rows.length === 0) return [];
  const sides = rows.map((row) => {
    const low = row.lowOrganisationId === organisationId;
    return {
      row,
      low,
      ownSubjectId: low ? row.lowSubjectId : row.highSubjectId,
      otherId: low ? row.highOrganisationId : row.lowOrganisationId,
    };
  });
  const subjects = new Map(
    (
      await tx
        .select()
        .from(matchingSubjects)
        .where(inArray(matchingSubjects.id, [...new Set(sides.map((side) => side.ownSubjectId))]))
    ).map((subject) => [subject.id, subject]),
  );
  const names = new Map(
    (
      await tx
        .select({ id: identityOrganisations.id, name: identityOrganisations.name })
        .from(identityOrganisations)
        .where(inArray(identityOrganisations.id, [...new Set(sides.map((side) => side.otherId))]))
    ).map((other) => [other.id, other.name]),
  );
  const out: Match[] = [];
  for (const { row, low, ownSubjectId, otherId } of sides) {
    const subject = subjects.get(ownSubjectId)!;
    const status = (low ? row.lowStatus : row.highStatus) as MatchStatus;
    out.push({
      id: row.id,
      matchType: row.selectorType as MatchType,
      status,
      agreedByUs: (low ? row.lowAgreedAt : row.highAgreedAt) !== null,
      agreedByThem: agreementStands(
        low ? row.highAgreedAt : row.lowAgreedAt,
        (low ? row.highStatus : row.lowStatus) as MatchStatus,
      ),
      otherOrganisation: { id: otherId, name: names.get(otherId) ?? '' },
      subject: {
        id: ownSubjectId,
        kind: subject.kind as Match['subject']['kind'],
        title: await ctx.kernel.keys.openField(tx, titlePlace(subject), subject.titleSealed),
        caseId: subject.caseId,
      },
      createdAt: row.createdAt.toISOString(),
      abilities: matchAbilities(status, (low ? row.lowAgreedAt : row.highAgreedAt) !== null),
    });
  }
  return out;
}

const partyOf = (organisationId: string) =>
  or(
    eq(matchingMatches.lowOrganisationId, organisationId),
    eq(matchingMatches.highOrganisationId, organisationId),
  );

/** The caller's organisation's matches inbox, newest first (at most 200), optionally one status. */
export async function listMatches(
  ctx: Ctx,
  query: { status?: MatchStatus | undefined },
): Promise<{ items: Match[] }> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const statusFilter = query.status
      ? or(
          and(
            eq(matchingMatches.lowOrganisationId, organisationId),
            eq(matchingMatches.lowStatus, query.status),
          ),
          and(
            eq(matchingMatches.highOrganisationId, organisationId),
            eq(matchingMatches.highStatus, query.status),
          ),
        )
      : undefined;
    const rows = await tx
      .select()
      .from(matchingMatches)
      .where(and(partyOf(organisationId), statusFilter))
      .orderBy(desc(matchingMatches.createdAt))
      .limit(200);
    return { items: await presentMatches(ctx, tx, rows, organisationId) };
  });
}

/** One match of the caller's organisation. */
export async function getMatch(ctx: Ctx, id: string): Promise<Match> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const [row] = await tx
      .select()
      .from(matchingMatches)
      .where(and(eq(matchingMatches.id, id), partyOf(organisationId)));
    if (!row) throw new AppError('not_found');
    return (await presentMatches(ctx, tx, [row], organisationId))[0]!;
  });
}

/**
 * One side acts on a match: agree to connect (when both sides agreed, both are in contact), dismiss, or mark
 * resolved. Nothing about the other side's subject is revealed by any of them.
 */
export async function actOnMatch(ctx: Ctx, id: string, action: MatchAction): Promise<Match> {
  const screener = requireScreener(ctx);
  const organisationId = screener.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const [row] = await tx
      .select()
      .from(matchingMatches)
      .where(and(eq(matchingMatches.id, id), partyOf(organisationId)))
      .for('update');
    if (!row) throw new AppError('not_found');
    const low = row.lowOrganisationId === organisationId;
    const status = (low ? row.lowStatus : row.highStatus) as MatchStatus;
    const agreed = (low ? row.lowAgreedAt : row.highAgreedAt) !== null;
    const otherAgreed = agreementStands(
      low ? row.highAgreedAt : row.lowAgreedAt,
      (low ? row.highStatus : row.lowStatus) as MatchStatus,
    );
    const next = nextStatuses(status, agreed, action, otherAgreed);
    if (!next) throw new AppError('conflict');
    const now = new Date();
    const ownSide = low
      ? { lowStatus: next.own, ...(action === 'agree' ? { lowAgreedAt: now } : {}) }
      : { highStatus: next.own, ...(action === 'agree' ? { highAgreedAt: now } : {}) };
    const otherSide = next.other ? (low ? { highStatus: next.other } : { lowStatus: next.other }) : {};
    const [updated] = await tx
      .update(matchingMatches)
      .set({ ...ownSide, ...otherSide, updatedAt: now })
      .where(eq(matchingMatches.id, id))
      .returning();
    await recordAudit(
      tx,
      {
        action: 'matching.match_updated',
        organisationId,
        objectType: 'matching_match',
        objectId: id,
        details: { action, from: status, to: next.own },
      },
      ctx.audit,
    );
    return (await presentMatches(ctx, tx, [updated!], organisationId))[0]!;
  });
}

/**
 * SECURITY: a match as the message threads see it (the hand-off after both sides agreed). Null unless the actor
 * is a screener of one of its two organisations and both sides were put in contact; `open` while both still
 * are (a side that resolves it ends the conversation, which stays readable). The caller has set the actor's
 * tenant.
 */
export async function matchConversationFor(
  actor: Ctx['actor'],
  tx: Tx,
  matchId: string,
): Promise<{ organisationIds: [string, string]; open: boolean } | null> {
  const screener = screenerOf(actor);
  if (!screener) return null;
  const [row] = await tx
    .select()
    .from(matchingMatches)
    .where(and(eq(matchingMatches.id, matchId), partyOf(screener.membership.organisationId)));
  if (!row || row.lowAgreedAt === null || row.highAgreedAt === null) return null;
  const connected = (status: string) => status === 'in_contact' || status === 'resolved';
  if (!connected(row.lowStatus) || !connected(row.highStatus)) return null;
  return {
    organisationIds: [row.lowOrganisationId, row.highOrganisationId],
    open: row.lowStatus === 'in_contact' && row.highStatus === 'in_contact',
  };
}

/** The caller's organisation's participation, one entry per type (default: taking part), and its focal point. */
export async function getParticipation(ctx: Ctx): Promise<Participation> {
  const organisationId = requireAdmin(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const out = await optedOut(tx, organisationId);
    return {
      types: participationTypes.map((type) => ({ type, enabled: !out.has(type) })),
      ...(await focalPointSettings(tx, organisationId)),
    };
  });
}

/** Names the organisation's matching focal point, or nobody (org admins). */
export async function nameFocalPoint(ctx: Ctx, personId: string | null): Promise<Participation> {
  await setFocalPoint(ctx, requireAdmin(ctx), personId);
  return getParticipation(ctx);
}

/** Sets the organisation's participation for the types given (others unchanged). */
export async function setParticipation(
  ctx: Ctx,
  input: { types: { type: ParticipationType; enabled: boolean }[] },
): Promise<Participation> {
  const organisationId = requireAdmin(ctx);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    for (const { type, enabled } of input.types)
      await tx
        .insert(matchingParticipation)
        .values({ organisationId, selectorType: type, enabled })
        .onConflictDoUpdate({
          target: [matchingParticipation.organisationId, matchingParticipation.selectorType],
          set: { enabled, updatedAt: new Date() },
        });
    // Opting back in: registrations made while out could not meet others; re-screen them in the background.
    if (input.types.some((t) => t.enabled))
      await ctx.kernel.jobs.enqueue(
        tx,
        rescreenJob,
        { organisationId },
        { dedupeKey: `${rescreenJob}:${organisationId}` },
      );
    await recordAudit(
      tx,
      {
        action: 'matching.participation_changed',
        organisationId,
        objectType: 'organisation',
        objectId: organisationId,
        details: {
          off: input.types.filter((t) => !t.enabled).map((t) => t.type),
          on: input.types.filter((t) => t.enabled).map((t) => t.type),
        },
      },
      ctx.audit,
    );
  });
  return getParticipation(ctx);
}

function requireAdmin(ctx: Ctx): string {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || actor.membership?.role !== 'org_admin')
    throw new AppError('forbidden');
  return actor.membership.organisationId;
}

/**
 * Who in the organisation looked up or registered what kinds of selector, newest first (last 90 days, 500 at
 * most). Every member of the organisation may read it: the issue's "members see who in their organisation
 * looked up what".
 */
export async function lookupAudit(ctx: Ctx) {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) throw new AppError('forbidden');
  const organisationId = actor.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const rows = await tx
      .select({
        id: matchingLookups.id,
        personId: matchingLookups.personId,
        name: identityPeople.displayName,
        purpose: matchingLookups.purpose,
        selectorTypes: matchingLookups.selectorTypes,
        hits: matchingLookups.hits,
        createdAt: matchingLookups.createdAt,
      })
      .from(matchingLookups)
      .innerJoin(identityPeople, eq(identityPeople.id, matchingLookups.personId))
      .where(
        and(
          eq(matchingLookups.organisationId, organisationId),
          gt(matchingLookups.createdAt, sql`now() - interval '90 days'`),
        ),
      )
      .orderBy(desc(matchingLookups.createdAt))
      .limit(500);
    return {
      items: rows.map((row) => ({
        id: row.id,
        person: { id: row.personId, name: row.name },
        purpose: row.purpose as 'lookup' | 'register',
        selectorTypes: row.selectorTypes,
        hits: row.hits,
        createdAt: row.createdAt.toISOString(),
      })),
    };
  });
}
