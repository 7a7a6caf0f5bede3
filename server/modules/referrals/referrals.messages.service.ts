import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PersonActor, RoutePolicy } from '../../kernel/access/policy.js';
import type { Role } from '../../kernel/access/roles.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import type { Kernel } from '../../kernel/kernel.js';
import { fileStoreFor, newStorageKey } from '../../kernel/storage/storage.js';
import {
  checkAttachment,
  decryptContent,
  declaredFormat,
  downloadName,
  encryptContent,
  fileNameOf,
} from '../cases/index.js';
import {
  decodeCursor,
  encodeCursor,
  identityMemberships,
  identityOrganisations,
  identityPeople,
  personNames,
  requireRecentStepUp,
} from '../identity/index.js';
import type {
  Message,
  OpenThreadInput,
  PostMessageInput,
  ReadMark,
  Thread,
  ThreadList,
  ThreadParticipants,
  ThreadQuery,
  ThreadSummary,
  UnreadCounts,
} from './referrals.messages.schemas.js';
import { publishThreadEvent } from './referrals.messages.events.js';
import type { ThreadParties, ThreadSubjectKind } from './referrals.subjects.js';
import { referralsMessages, referralsThreads } from './referrals.tables.js';
import { threadSubjectResolver } from './referrals.threads.js';
import './referrals.messages.audit.js';

/**
 * Secure message threads (issue 6) about a referral, a transfer or a support request, between the people of
 * the organisations involved: text, attachments, mentions, read receipts, live updates and mail.
 *
 * SECURITY: a message's text and its attachment's name and file key are sealed with the AUTHOR's organisation's
 * key (kernel.keys; the other party opens them with that key's id, never a copy). Files are encrypted before they
 * reach the store. Who may see a thread is asked of its subject's resolver (referrals.threads.ts) on every
 * request, every mail and every live event; the thread rows are visible only to their parties (row-level
 * security) and every query here names the caller's organisation too.
 */

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    /** Mails the people a new message concerns (after its commit). */
    'referrals.message_notify': { threadId: string; messageId: string; authorOrganisationId: string };
    /** A quiet period: while it is pending, its person gets no other mail about its thread. */
    'referrals.message_mail_quiet': { threadId: string; personId: string };
  }
}

/**
 * The roles that take part in threads: those who handle support requests, referrals and transfers, and
 * investigators (the matching hand-off: a match's thread between two organisations' screeners).
 */
export const threadRoles = [
  'caseworker',
  'case_supervisor',
  'org_admin',
  'investigator',
] as const satisfies readonly Role[];
/** The route policy of every thread operation; each subject's resolver narrows it per subject. */
export const threadPolicy: RoutePolicy = { access: 'member', roles: threadRoles };

/** At most one mail per person and thread within this time (and none while earlier messages are unread). */
export const mailQuietMinutes = 15;

type ThreadRow = typeof referralsThreads.$inferSelect;
type MessageRow = typeof referralsMessages.$inferSelect;

interface Member {
  personId: string;
  organisationId: string;
  role: Role;
}

/** A thread the caller reached: its row, its parties as the subject's rules say now, and who is asking. */
export interface ReachedThread {
  thread: ThreadRow;
  parties: ThreadParties;
  member: Member;
}

function memberOf(ctx: Ctx): Member {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) throw new AppError('forbidden');
  return {
    personId: actor.personId,
    organisationId: actor.membership.organisationId,
    role: actor.membership.role,
  };
}

const invalid = (fields: FieldIssue[]) => new AppError('validation_failed', { fields });

/** Exact UTC text of a timestamp (microseconds): what cursors and receipts compare. */
const exactTime = (column: unknown) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(',')}}`}::uuid[]`;

// ---------------------------------------------------------------------------------------------------------
// Reaching a thread
// ---------------------------------------------------------------------------------------------------------

/**
 * The parties of a thread for the caller, by its subject's rules now; null when the caller may not see it (or
 * the subject no longer names the thread's organisations). Leaves the transaction scoped to `organisationId`.
 */
async function partiesOf(
  ctx: Ctx,
  tx: Tx,
  thread: ThreadRow,
  organisationId: string,
): Promise<ThreadParties | null> {
  const resolver = threadSubjectResolver(thread.subjectKind as ThreadSubjectKind);
  if (!resolver) return null;
  const other = thread.partyOrganisationIds.find((id) => id !== organisationId);
  const parties = await resolver(ctx, tx, thread.subjectId, other);
  // A resolver may read under another tenant (the other party's rows); the caller's scope is restored.
  await setTenant(tx, organisationId);
  if (!parties?.organisationIds.includes(organisationId)) return null;
  if (!thread.partyOrganisationIds.every((id) => parties.organisationIds.includes(id))) return null;
  return parties;
}

/** The thread, for a caller who may see it; 404 otherwise (existence is never revealed). */
async function reachThread(ctx: Ctx, tx: Tx, threadId: string): Promise<ReachedThread> {
  const member = memberOf(ctx);
  await setTenant(tx, member.organisationId);
  const [thread] = await tx
    .select()
    .from(referralsThreads)
    .where(
      and(
        eq(referralsThreads.id, threadId),
        // SECURITY: the party condition in the query as well as by row-level security.
        sql`${member.organisationId}::uuid = any(${referralsThreads.partyOrganisationIds})`,
      ),
    );
  if (!thread) throw new AppError('not_found');
  const parties = await partiesOf(ctx, tx, thread, member.organisationId);
  if (!parties) throw new AppError('not_found');
  return { thread, parties, member };
}

/**
 * Whether an actor may follow a thread right now (live events are checked with this at delivery): the same
 * rule as every thread route, without an audit row (an event carries ids only).
 */
export async function mayFollowThread(ctx: Ctx, threadId: string): Promise<boolean> {
  if (ctx.actor.kind !== 'person' || !ctx.actor.membership) return false;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    try {
      await reachThread(ctx, tx, threadId);
      return true;
    } catch (error) {
      if (error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden'))
        return false;
      throw error;
    }
  });
}

/**
 * Whether an actor may see a referral or transfer right now (its live state events are checked with this at
 * delivery): the subject's own resolver, as its thread routes ask it, without an audit row.
 */
export async function mayFollowSubject(
  ctx: Ctx,
  kind: 'referral' | 'transfer',
  subjectId: string,
): Promise<boolean> {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) return false;
  const organisationId = actor.membership.organisationId;
  const resolver = threadSubjectResolver(kind);
  if (!resolver) return false;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    try {
      const parties = await resolver(ctx, tx, subjectId);
      return parties?.organisationIds.includes(organisationId) === true;
    } catch (error) {
      if (error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden'))
        return false;
      throw error;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Presenting
// ---------------------------------------------------------------------------------------------------------

async function organisationNames(tx: Tx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: identityOrganisations.id, name: identityOrganisations.name })
    .from(identityOrganisations)
    .where(inArray(identityOrganisations.id, [...ids]));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** Unread messages per thread for one person: messages after their read mark, their own excluded. */
async function unreadByThread(
  tx: Tx,
  threadIds: readonly string[],
  personId: string,
): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await queryRows<{ thread_id: string; unread: number }>(
    tx,
    sql`select m.thread_id, count(*)::int as unread
        from referrals_messages m
        left join referrals_reads r on r.thread_id = m.thread_id and r.person_id = ${personId}::uuid
        where m.thread_id = any(${uuidArray(threadIds)})
          and m.created_at > coalesce(r.read_at, '-infinity'::timestamptz)
          and m.author_person_id is distinct from ${personId}::uuid
        group by m.thread_id`,
  );
  return new Map(rows.map((row) => [row.thread_id, Number(row.unread)]));
}

async function summarise(
  tx: Tx,
  items: { thread: ThreadRow; parties: ThreadParties }[],
  personId: string,
): Promise<ThreadSummary[]> {
  const names = await organisationNames(tx, [
    ...new Set(items.flatMap((i) => i.thread.partyOrganisationIds)),
  ]);
  const unread = await unreadByThread(
    tx,
    items.map((i) => i.thread.id),
    personId,
  );
  return items.map(({ thread, parties }) => ({
    id: thread.id,
    subjectKind: thread.subjectKind as ThreadSubjectKind,
    subjectId: thread.subjectId,
    subjectPath: parties.path,
    parties: thread.partyOrganisationIds.map((organisationId) => ({
      organisationId,
      name: names.get(organisationId) ?? '',
    })),
    open: parties.open,
    lastMessageAt: thread.lastMessageAt?.toISOString() ?? null,
    unread: unread.get(thread.id) ?? 0,
  }));
}

const bodyPlace = (row: { authorOrganisationId: string; id: string }) => ({
  organisationId: row.authorOrganisationId,
  table: 'referrals_messages',
  column: 'body_sealed',
  rowId: row.id,
});
const attachmentPlace = (row: { authorOrganisationId: string; id: string }) => ({
  organisationId: row.authorOrganisationId,
  table: 'referrals_messages',
  column: 'attachment_sealed',
  rowId: row.id,
});

/** What attachment_sealed holds: the file's description and its own key. */
interface SealedAttachment {
  name: string;
  kind: 'document' | 'photo' | 'audio';
  mediaType: string;
  sizeBytes: number;
  /** The file's AES-256 key, base64. */
  key: string;
}

/** Binds a message's stored file to its organisation, thread and message: moved elsewhere, it does not open. */
function fileAad(row: { authorOrganisationId: string; threadId: string; id: string }): Buffer {
  return Buffer.from(
    JSON.stringify(['cairn.referrals.message_attachment', row.authorOrganisationId, row.threadId, row.id]),
    'utf8',
  );
}

type MessageWithTime = MessageRow & { at: string };

const messageColumns = { message: referralsMessages, at: exactTime(referralsMessages.createdAt) };

async function presentMessages(
  ctx: Ctx,
  tx: Tx,
  rows: MessageWithTime[],
  reached: ReachedThread,
): Promise<Message[]> {
  if (rows.length === 0) return [];
  const { thread, member } = reached;
  // Read receipts: the other organisations' people, and how far each has read.
  const reads = await queryRows<{ person_id: string; read_at: string }>(
    tx,
    sql`select person_id, ${exactTime(sql`read_at`)} as read_at from referrals_reads
        where thread_id = ${thread.id}::uuid and organisation_id <> ${member.organisationId}::uuid`,
  );
  const names = await personNames(tx, [
    ...rows.flatMap((r) => (r.authorPersonId ? [r.authorPersonId, ...r.mentions] : r.mentions)),
    ...reads.map((r) => r.person_id),
  ]);
  return Promise.all(
    rows.map(async (row): Promise<Message> => {
      const sealed = row.attachmentSealed
        ? (JSON.parse(
            await ctx.kernel.keys.openField(tx, attachmentPlace(row), row.attachmentSealed),
          ) as SealedAttachment)
        : null;
      return {
        id: row.id,
        threadId: row.threadId,
        author: {
          organisationId: row.authorOrganisationId,
          personId: row.authorPersonId,
          name: row.authorPersonId ? (names.get(row.authorPersonId) ?? null) : null,
        },
        mine: row.authorPersonId === member.personId,
        text: await ctx.kernel.keys.openField(tx, bodyPlace(row), row.bodySealed),
        mentions: row.mentions.map((personId) => ({ personId, name: names.get(personId) ?? '' })),
        attachment: sealed
          ? { name: sealed.name, kind: sealed.kind, mediaType: sealed.mediaType, sizeBytes: sealed.sizeBytes }
          : null,
        createdAt: row.at,
        // Fixed-width UTC text: comparing the strings compares the moments. The author is no reader of their own.
        readBy: reads
          .filter((read) => read.read_at >= row.at && read.person_id !== row.authorPersonId)
          .map((read) => ({
            personId: read.person_id,
            name: names.get(read.person_id) ?? '',
            readAt: read.read_at,
          })),
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------------------

/** The caller's threads about one subject (404 when the caller may not see the subject). */
export async function listThreads(
  ctx: Ctx,
  query: { subjectKind: ThreadSubjectKind; subjectId: string },
): Promise<ThreadList> {
  const member = memberOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const resolver = threadSubjectResolver(query.subjectKind);
    const subject = resolver ? await resolver(ctx, tx, query.subjectId) : null;
    await setTenant(tx, member.organisationId);
    if (!subject?.organisationIds.includes(member.organisationId)) throw new AppError('not_found');
    const threads = await tx
      .select()
      .from(referralsThreads)
      .where(
        and(
          eq(referralsThreads.subjectKind, query.subjectKind),
          eq(referralsThreads.subjectId, query.subjectId),
          sql`${member.organisationId}::uuid = any(${referralsThreads.partyOrganisationIds})`,
        ),
      )
      .orderBy(sql`${referralsThreads.lastMessageAt} desc nulls last`, referralsThreads.createdAt);
    const visible: { thread: ThreadRow; parties: ThreadParties }[] = [];
    for (const thread of threads) {
      const parties = await partiesOf(ctx, tx, thread, member.organisationId);
      if (parties) visible.push({ thread, parties });
    }
    return { items: await summarise(tx, visible, member.personId) };
  });
}

/**
 * Opens the thread about a subject with its other party, or returns the one that exists (one per subject, and
 * per requester–recipient pair for a support request). A new thread on an ended subject is refused (409).
 */
export async function openThread(
  ctx: Ctx,
  input: OpenThreadInput,
): Promise<{ created: boolean; thread: ThreadSummary }> {
  const member = memberOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const resolver = threadSubjectResolver(input.subjectKind);
    const parties = resolver ? await resolver(ctx, tx, input.subjectId, input.withOrganisationId) : null;
    await setTenant(tx, member.organisationId);
    if (!parties?.organisationIds.includes(member.organisationId)) throw new AppError('not_found');
    const partyIds = [...new Set(parties.organisationIds)].sort();
    if (partyIds.length < 2)
      throw invalid([{ path: 'body.withOrganisationId', code: 'referrals.thread_party_required' }]);
    const same = and(
      eq(referralsThreads.subjectKind, input.subjectKind),
      eq(referralsThreads.subjectId, input.subjectId),
      sql`${referralsThreads.partyOrganisationIds} = ${uuidArray(partyIds)}`,
    );
    let [thread] = await tx.select().from(referralsThreads).where(same);
    let created = false;
    if (!thread) {
      if (!parties.open) throw new AppError('conflict');
      [thread] = await tx
        .insert(referralsThreads)
        .values({
          subjectKind: input.subjectKind,
          subjectId: input.subjectId,
          partyOrganisationIds: partyIds,
        })
        .onConflictDoNothing()
        .returning();
      if (thread) {
        created = true;
        await recordAudit(
          tx,
          {
            action: 'referrals.message_thread_opened',
            organisationId: member.organisationId,
            objectType: 'message_thread',
            objectId: thread.id,
            details: { threadId: thread.id, subjectKind: input.subjectKind, subjectId: input.subjectId },
          },
          ctx.audit,
        );
      } else {
        // Opened by the other side at the same moment: theirs is the one.
        [thread] = await tx.select().from(referralsThreads).where(same);
      }
    }
    const [summary] = await summarise(tx, [{ thread: thread!, parties }], member.personId);
    return { created, thread: summary! };
  });
}

const cursorShape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The position an `olderCursor` names; anything else (tampered, foreign) is a 400 on `before`. */
function olderThan(cursor: string | undefined): readonly [string, string] | null {
  const refused = () => invalid([{ path: 'query.before', code: 'identity.invalid_cursor' }]);
  let position: readonly [string, string] | null;
  try {
    position = decodeCursor(cursor, ['string', 'string'] as const);
  } catch {
    throw refused();
  }
  if (position && (!cursorShape.test(position[0]) || !uuidShape.test(position[1]))) throw refused();
  return position;
}

/**
 * One thread with a page of its messages, oldest first: the latest page, an older one (`before`), or those
 * after a message (`after`, to catch up). Reading messages is audited (ids and a count).
 */
export async function getThread(ctx: Ctx, threadId: string, query: ThreadQuery): Promise<Thread> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachThread(ctx, tx, threadId);
    const { thread, parties, member } = reached;
    const inThread = eq(referralsMessages.threadId, thread.id);
    let rows: MessageWithTime[];
    let olderCursor: string | null = null;
    let moreAfter = false;
    if (query.after !== undefined) {
      const [anchor] = await tx
        .select({ id: referralsMessages.id })
        .from(referralsMessages)
        .where(and(inThread, eq(referralsMessages.id, query.after)));
      if (!anchor) throw invalid([{ path: 'query.after', code: 'referrals.message_after_unknown' }]);
      const found = await tx
        .select(messageColumns)
        .from(referralsMessages)
        .where(
          and(
            inThread,
            sql`(${referralsMessages.createdAt}, ${referralsMessages.id}) >
                (select m.created_at, m.id from referrals_messages m where m.id = ${query.after}::uuid)`,
          ),
        )
        .orderBy(referralsMessages.createdAt, referralsMessages.id)
        .limit(query.limit + 1);
      moreAfter = found.length > query.limit;
      rows = found.slice(0, query.limit).map((r) => ({ ...r.message, at: r.at }));
    } else {
      const before = olderThan(query.before);
      const found = await tx
        .select(messageColumns)
        .from(referralsMessages)
        .where(
          and(
            inThread,
            before
              ? sql`(${referralsMessages.createdAt}, ${referralsMessages.id}) < (${before[0]}::timestamptz, ${before[1]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(sql`${referralsMessages.createdAt} desc`, sql`${referralsMessages.id} desc`)
        .limit(query.limit + 1);
      const page = found.slice(0, query.limit);
      const oldest = page.at(-1);
      if (found.length > query.limit && oldest) olderCursor = encodeCursor([oldest.at, oldest.message.id]);
      rows = page.reverse().map((r) => ({ ...r.message, at: r.at }));
    }
    const messages = await presentMessages(ctx, tx, rows, reached);
    if (messages.length > 0) {
      await recordAudit(
        tx,
        {
          action: 'referrals.message_thread_read',
          organisationId: member.organisationId,
          objectType: 'message_thread',
          objectId: thread.id,
          details: {
            threadId: thread.id,
            subjectKind: thread.subjectKind,
            subjectId: thread.subjectId,
            messages: messages.length,
          },
        },
        ctx.audit,
      );
    }
    const [summary] = await summarise(tx, [{ thread, parties }], member.personId);
    return {
      ...summary!,
      messages,
      olderCursor,
      moreAfter,
      abilities: { post: parties.open, download: true },
    };
  });
}

/** Unread messages of the signed-in person, per thread they may see (at most 200 threads, latest first). */
export async function unreadCounts(ctx: Ctx): Promise<UnreadCounts> {
  const member = memberOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.organisationId);
    const rows = await queryRows<{ id: string; unread: number }>(
      tx,
      sql`select t.id, count(*)::int as unread
          from referrals_threads t
          join referrals_messages m on m.thread_id = t.id
          left join referrals_reads r on r.thread_id = t.id and r.person_id = ${member.personId}::uuid
          where ${member.organisationId}::uuid = any(t.party_organisation_ids)
            and t.last_message_at > coalesce(r.read_at, '-infinity'::timestamptz)
            and m.created_at > coalesce(r.read_at, '-infinity'::timestamptz)
            and m.author_person_id is distinct from ${member.personId}::uuid
          group by t.id
          order by max(m.created_at) desc
          limit 200`,
    );
    const threads: UnreadCounts['threads'] = [];
    if (rows.length > 0) {
      const loaded = await tx
        .select()
        .from(referralsThreads)
        .where(
          inArray(
            referralsThreads.id,
            rows.map((r) => r.id),
          ),
        );
      const byId = new Map(loaded.map((thread) => [thread.id, thread]));
      for (const row of rows) {
        const thread = byId.get(row.id);
        if (!thread || !(await partiesOf(ctx, tx, thread, member.organisationId))) continue;
        threads.push({
          threadId: thread.id,
          subjectKind: thread.subjectKind as ThreadSubjectKind,
          subjectId: thread.subjectId,
          unread: Number(row.unread),
        });
      }
    }
    return { total: threads.reduce((sum, t) => sum + t.unread, 0), threads };
  });
}

/**
 * Marks the thread read by the caller up to its latest message (read receipts). The mark never moves back,
 * and it is the latest message's own time: a message committed later is unread, whatever the clocks say.
 */
export async function markThreadRead(ctx: Ctx, threadId: string): Promise<ReadMark> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { thread, member } = await reachThread(ctx, tx, threadId);
    const readAtOf = async () => {
      const [row] = await queryRows<{ read_at: string }>(
        tx,
        sql`select ${exactTime(sql`read_at`)} as read_at from referrals_reads
            where thread_id = ${thread.id}::uuid and person_id = ${member.personId}::uuid`,
      );
      return row?.read_at ?? null;
    };
    const before = await readAtOf();
    await tx.execute(
      sql`insert into referrals_reads (thread_id, person_id, organisation_id, party_organisation_ids, read_at)
          values (${thread.id}::uuid, ${member.personId}::uuid, ${member.organisationId}::uuid,
            ${uuidArray(thread.partyOrganisationIds)},
            coalesce((select max(created_at) from referrals_messages where thread_id = ${thread.id}::uuid), now()))
          on conflict (thread_id, person_id) do update
            set read_at = greatest(referrals_reads.read_at, excluded.read_at),
                organisation_id = excluded.organisation_id`,
    );
    const readAt = (await readAtOf())!;
    if (readAt !== before) {
      await recordAudit(
        tx,
        {
          action: 'referrals.message_read_marked',
          organisationId: member.organisationId,
          objectType: 'message_thread',
          objectId: thread.id,
          details: { threadId: thread.id },
        },
        ctx.audit,
      );
      await publishThreadEvent(tx, {
        kind: 'read',
        threadId: thread.id,
        parties: thread.partyOrganisationIds,
        personId: member.personId,
        organisationId: member.organisationId,
      });
    }
    const unread = await unreadByThread(tx, [thread.id], member.personId);
    return { threadId: thread.id, readAt, unread: unread.get(thread.id) ?? 0 };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Posting
// ---------------------------------------------------------------------------------------------------------

/**
 * Checks mentions: each must be a member, in a thread role, of one of the thread's (active) organisations.
 * SECURITY: memberships are tenant rows; each party's are read under its own scope, only to check these ids,
 * and the caller's scope is restored.
 */
async function checkMentions(tx: Tx, reached: ReachedThread, mentions: string[]): Promise<void> {
  if (mentions.length === 0) return;
  const found = new Set<string>();
  for (const organisationId of reached.thread.partyOrganisationIds) {
    await setTenant(tx, organisationId);
    const rows = await tx
      .select({ personId: identityMemberships.personId })
      .from(identityMemberships)
      .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
      .where(
        and(
          eq(identityMemberships.organisationId, organisationId),
          inArray(identityMemberships.personId, mentions),
          inArray(identityMemberships.role, [...threadRoles]),
          eq(identityOrganisations.status, 'active'),
        ),
      );
    for (const row of rows) found.add(row.personId);
  }
  await setTenant(tx, reached.member.organisationId);
  const issues = mentions.flatMap((personId, index): FieldIssue[] =>
    found.has(personId)
      ? []
      : [{ path: `body.mentions.${index}`, code: 'referrals.message_mention_not_party' }],
  );
  if (issues.length > 0) throw invalid(issues);
}

/**
 * Writes a message (the thread row is locked first, so messages of one thread take their times in commit
 * order: catching up `after` a message can never skip one), then queues its mail and announces it live.
 */
async function insertMessage(
  ctx: Ctx,
  tx: Tx,
  reached: ReachedThread,
  message: {
    id: string;
    text: string;
    mentions: string[];
    attachment: { sealed: SealedAttachment; storageKey: string } | null;
  },
): Promise<Message> {
  const { thread, member } = reached;
  await tx
    .select({ id: referralsThreads.id })
    .from(referralsThreads)
    .where(eq(referralsThreads.id, thread.id))
    .for('update');
  const at = { authorOrganisationId: member.organisationId, id: message.id, threadId: thread.id };
  await tx.insert(referralsMessages).values({
    id: message.id,
    threadId: thread.id,
    partyOrganisationIds: thread.partyOrganisationIds,
    authorOrganisationId: member.organisationId,
    authorPersonId: member.personId,
    bodySealed: await ctx.kernel.keys.sealField(tx, bodyPlace(at), message.text),
    mentions: message.mentions,
    attachmentSealed: message.attachment
      ? await ctx.kernel.keys.sealField(tx, attachmentPlace(at), JSON.stringify(message.attachment.sealed))
      : null,
    attachmentStorageKey: message.attachment?.storageKey ?? null,
    createdAt: sql`clock_timestamp()`,
  });
  await tx.execute(
    sql`update referrals_threads
        set last_message_at = (select created_at from referrals_messages where id = ${message.id}::uuid),
            updated_at = now()
        where id = ${thread.id}::uuid`,
  );
  const attachment = message.attachment?.sealed;
  await recordAudit(
    tx,
    {
      action: 'referrals.message_posted',
      organisationId: member.organisationId,
      objectType: 'message_thread',
      objectId: thread.id,
      details: {
        threadId: thread.id,
        messageId: message.id,
        subjectKind: thread.subjectKind,
        mentions: message.mentions.length,
        attachment: attachment
          ? { kind: attachment.kind, mediaType: attachment.mediaType, sizeBytes: attachment.sizeBytes }
          : null,
      },
    },
    ctx.audit,
  );
  await ctx.kernel.jobs.enqueue(tx, 'referrals.message_notify', {
    threadId: thread.id,
    messageId: message.id,
    authorOrganisationId: member.organisationId,
  });
  await publishThreadEvent(tx, {
    kind: 'message',
    threadId: thread.id,
    parties: thread.partyOrganisationIds,
    messageId: message.id,
    personId: member.personId,
    organisationId: member.organisationId,
  });
  const [row] = await tx
    .select(messageColumns)
    .from(referralsMessages)
    .where(eq(referralsMessages.id, message.id));
  const [presented] = await presentMessages(ctx, tx, [{ ...row!.message, at: row!.at }], reached);
  return presented!;
}

/** Posts a text message (with mentions) to a thread whose subject is open (409 once it has ended). */
export async function postMessage(ctx: Ctx, threadId: string, input: PostMessageInput): Promise<Message> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachThread(ctx, tx, threadId);
    if (!reached.parties.open) throw new AppError('conflict');
    const mentions = [...new Set(input.mentions)];
    await checkMentions(tx, reached, mentions);
    return insertMessage(ctx, tx, reached, {
      id: randomUUID(),
      text: input.text,
      mentions,
      attachment: null,
    });
  });
}

/**
 * The caller may post to this thread: called before an upload's body is read, so that strangers (404) and
 * ended subjects (409) cannot make the server receive a file.
 */
export async function assertMayPost(ctx: Ctx, threadId: string): Promise<void> {
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachThread(ctx, tx, threadId);
    if (!reached.parties.open) throw new AppError('conflict');
  });
}

/**
 * Posts a file as a message: checked by its content with the case attachments' rules (photos re-encoded
 * without metadata, polyglots and active PDFs refused), encrypted under a key of its own, stored, and its name
 * and key sealed with the author's organisation's key.
 */
export async function postAttachment(
  ctx: Ctx,
  threadId: string,
  upload: { body: Buffer; contentType: string | undefined; fileName: string | string[] | undefined },
): Promise<Message> {
  const name = fileNameOf(upload.fileName, declaredFormat(upload.contentType));
  const checked = await checkAttachment(upload.body, upload.contentType);
  const store = fileStoreFor(ctx.kernel.config);
  const storageKey = newStorageKey();
  const fileKey = randomBytes(32);
  let stored = false;
  try {
    return await inTransaction(ctx.kernel.database.db, async (tx) => {
      const reached = await reachThread(ctx, tx, threadId);
      if (!reached.parties.open) throw new AppError('conflict');
      const id = randomUUID();
      const at = { authorOrganisationId: reached.member.organisationId, threadId: reached.thread.id, id };
      // Stored before the row commits; deleted below if the transaction fails.
      await store.put(storageKey, encryptContent(fileKey, fileAad(at), checked.content));
      stored = true;
      return insertMessage(ctx, tx, reached, {
        id,
        text: '',
        mentions: [],
        attachment: {
          storageKey,
          sealed: {
            name,
            kind: checked.kind,
            mediaType: checked.mediaType,
            sizeBytes: checked.content.length,
            key: fileKey.toString('base64'),
          },
        },
      });
    });
  } catch (error) {
    if (stored) await store.delete(storageKey).catch(() => undefined);
    throw error;
  }
}

/** A message's file to send: its content (decrypted) and how to label it. */
export interface MessageAttachmentDownload {
  content: Buffer;
  mediaType: string;
  fileName: string;
}

/**
 * A message's attachment, for a party to the thread who stepped up recently. SECURITY: audited (ids and the
 * kind, never the name) in the transaction that opens the file's key.
 */
export async function downloadMessageAttachment(
  ctx: Ctx,
  threadId: string,
  messageId: string,
): Promise<MessageAttachmentDownload> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { thread, member } = await reachThread(ctx, tx, threadId);
    requireRecentStepUp(ctx);
    const [row] = await tx
      .select()
      .from(referralsMessages)
      .where(and(eq(referralsMessages.id, messageId), eq(referralsMessages.threadId, thread.id)));
    if (!row?.attachmentSealed || !row.attachmentStorageKey) throw new AppError('not_found');
    const sealed = JSON.parse(
      await ctx.kernel.keys.openField(tx, attachmentPlace(row), row.attachmentSealed),
    ) as SealedAttachment;
    const content = decryptContent(
      Buffer.from(sealed.key, 'base64'),
      fileAad(row),
      await fileStoreFor(ctx.kernel.config).get(row.attachmentStorageKey),
    );
    await recordAudit(
      tx,
      {
        action: 'referrals.message_attachment_downloaded',
        organisationId: member.organisationId,
        objectType: 'message_thread',
        objectId: thread.id,
        details: {
          threadId: thread.id,
          messageId: row.id,
          subjectKind: thread.subjectKind,
          kind: sealed.kind,
        },
      },
      ctx.audit,
    );
    return { content, mediaType: sealed.mediaType, fileName: downloadName(sealed.name, sealed.mediaType) };
  });
}

/**
 * The people who may read a thread (to mention them before they have written): the case roles of each party
 * organisation whom the subject's rules let see it now, as for mail. Names and organisations only, never an
 * email; a caller who may not see the thread gets 404. Not audited: nothing of the thread's content is read.
 */
export async function listThreadParticipants(ctx: Ctx, threadId: string): Promise<ThreadParticipants> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const { thread, member } = await reachThread(ctx, tx, threadId);
    const names = await organisationNames(tx, thread.partyOrganisationIds);
    const people: ThreadParticipants['people'] = [];
    for (const organisationId of thread.partyOrganisationIds) {
      await setTenant(tx, organisationId);
      const rows = await tx
        .select({
          personId: identityMemberships.personId,
          membershipId: identityMemberships.id,
          role: identityMemberships.role,
          displayName: identityPeople.displayName,
        })
        .from(identityMemberships)
        .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
        .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
        .where(
          and(
            eq(identityMemberships.organisationId, organisationId),
            inArray(identityMemberships.role, [...threadRoles]),
            eq(identityOrganisations.status, 'active'),
          ),
        )
        .orderBy(identityPeople.displayName, identityMemberships.personId);
      for (const row of rows) {
        const other = memberContext(ctx.kernel, { ...row, organisationId, role: row.role as Role });
        if (!(await partiesOf(other, tx, thread, organisationId))) continue;
        people.push({
          personId: row.personId,
          displayName: row.displayName,
          organisationId,
          organisationName: names.get(organisationId) ?? '',
        });
      }
    }
    await setTenant(tx, member.organisationId);
    return { people };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Mail
// ---------------------------------------------------------------------------------------------------------

/** A context for asking a subject's rules about one member who is not making a request (mail recipients). */
function memberContext(
  kernel: Kernel,
  member: { personId: string; membershipId: string; organisationId: string; role: Role },
): Ctx {
  const actor: PersonActor = {
    kind: 'person',
    personId: member.personId,
    sessionId: '',
    level: 'full',
    platformRole: null,
    membership: { id: member.membershipId, organisationId: member.organisationId, role: member.role },
    hasRequiredFactor: true,
    stepUpAt: null,
  };
  return { kernel, actor, audit: {}, language: 'en', ip: '', userAgent: null };
}

/**
 * Mails the people a new message concerns: the other organisations' people who may see the thread, and the
 * people mentioned. SECURITY: the mail says only that there is a new message and links to the thread — never
 * its text, the subject, an organisation's or a person's name. At most one mail per person and thread while
 * they have unread messages that would have mailed them, and at most one per quiet period (a pending job
 * whose dedupe key names the thread and the person).
 */
export async function notifyNewMessage(
  kernel: Kernel,
  payload: { threadId: string; messageId: string; authorOrganisationId: string },
): Promise<number> {
  return inTransaction(kernel.database.db, async (tx) => {
    await setTenant(tx, payload.authorOrganisationId);
    const [thread] = await tx
      .select()
      .from(referralsThreads)
      .where(eq(referralsThreads.id, payload.threadId));
    const [message] = await tx
      .select({ message: referralsMessages, at: exactTime(referralsMessages.createdAt) })
      .from(referralsMessages)
      .where(
        and(eq(referralsMessages.id, payload.messageId), eq(referralsMessages.threadId, payload.threadId)),
      );
    if (!thread || !message) return 0;
    const { authorPersonId, authorOrganisationId, mentions } = message.message;
    const link = `${kernel.config.publicUrl}/threads/${thread.id}`;
    let sent = 0;
    for (const organisationId of thread.partyOrganisationIds) {
      await setTenant(tx, organisationId);
      const people = await tx
        .select({
          personId: identityMemberships.personId,
          membershipId: identityMemberships.id,
          role: identityMemberships.role,
          email: identityPeople.email,
          language: identityPeople.language,
        })
        .from(identityMemberships)
        .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
        .innerJoin(identityOrganisations, eq(identityOrganisations.id, identityMemberships.organisationId))
        .where(
          and(
            eq(identityMemberships.organisationId, organisationId),
            inArray(identityMemberships.role, [...threadRoles]),
            eq(identityOrganisations.status, 'active'),
          ),
        );
      for (const person of people) {
        if (person.personId === authorPersonId) continue;
        const mentioned = mentions.includes(person.personId);
        if (organisationId === authorOrganisationId && !mentioned) continue;
        const ctx = memberContext(kernel, { ...person, organisationId, role: person.role as Role });
        if (!(await partiesOf(ctx, tx, thread, organisationId))) continue;
        const [waiting] = await queryRows<{ told: boolean }>(
          tx,
          sql`select exists (
                select 1 from referrals_messages m
                left join referrals_reads r on r.thread_id = m.thread_id and r.person_id = ${person.personId}::uuid
                where m.thread_id = ${thread.id}::uuid
                  and m.created_at > coalesce(r.read_at, '-infinity'::timestamptz)
                  and m.author_person_id is distinct from ${person.personId}::uuid
                  and (m.author_organisation_id <> ${organisationId}::uuid or ${person.personId}::uuid = any(m.mentions))
                  and (m.created_at, m.id) < (${message.at}::timestamptz, ${message.message.id}::uuid)
              ) or exists (
                select 1 from referrals_reads r where r.thread_id = ${thread.id}::uuid
                  and r.person_id = ${person.personId}::uuid and r.read_at >= ${message.at}::timestamptz
              ) as told`,
        );
        // Told already (an earlier unread message mailed them), or already read past this one.
        if (waiting?.told) continue;
        const quiet = await kernel.jobs.enqueue(
          tx,
          'referrals.message_mail_quiet',
          { threadId: thread.id, personId: person.personId },
          {
            runAt: new Date(Date.now() + mailQuietMinutes * 60_000),
            dedupeKey: `referrals.message_mail_quiet:${thread.id}:${person.personId}`,
          },
        );
        if (quiet === undefined) continue;
        const t = translator(isLanguage(person.language) ? person.language : 'en');
        const values = { link, mentioned: mentioned ? 'yes' : 'no', appUrl: kernel.config.publicUrl };
        await kernel.sendMail(tx, {
          to: person.email,
          subject: t('mail.referrals.message_subject', values),
          text: t('mail.referrals.message_body', values),
        });
        sent++;
      }
    }
    return sent;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------------------------------------

/** Registers the message part of the referrals module with the kernel (encryption, jobs, events). */
export function setupMessages(kernel: Kernel): void {
  kernel.keys.registerEncryptedTable({
    table: referralsMessages,
    id: referralsMessages.id,
    organisation: referralsMessages.authorOrganisationId,
    encrypted: [referralsMessages.bodySealed, referralsMessages.attachmentSealed],
  });
  kernel.jobs.register('referrals.message_notify', async (payload, run) => {
    const sent = await notifyNewMessage(kernel, payload);
    run.log.info({ threadId: payload.threadId, messageId: payload.messageId, sent }, 'message mail queued');
  });
  // The quiet period's only work is to be pending: its dedupe key holds back the next mail until it has run.
  kernel.jobs.register('referrals.message_mail_quiet', async () => undefined);
}
