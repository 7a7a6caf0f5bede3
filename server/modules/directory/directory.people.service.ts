import { alias } from 'drizzle-orm/pg-core';
import { and, arrayContains, count, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { PersonActor } from '../../kernel/access/policy.js';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setPlatformScope } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { isLanguage, translator } from '../../kernel/i18n/i18n.js';
import { identityMemberships, identityOrganisations, identityPeople } from '../identity/index.js';
import type {
  ContactMessage,
  ContactMessageInput,
  MessagePage,
  MessagesQuery,
  MyPersonProfile,
  PeoplePage,
  PeopleQuery,
  PersonExpertise,
  PersonProfile,
  PersonProfileInput,
  PersonSummary,
} from './directory.people.schemas.js';
import { directoryContactMessages, directoryPeople } from './directory.tables.js';
import { staleAfterMonths } from './directory.vocabulary.js';
import './directory.audit.js';

/** How many messages one person may start in 24 hours, counted in the database so every process agrees. */
export const dailyMessageLimit = 50;

/** Who is acting: a person with a full session, for an active organisation (the route gate checked it). */
interface Member {
  personId: string;
  organisationId: string;
}

function memberOf(ctx: Ctx): Member {
  const actor = ctx.actor as PersonActor;
  // Defence in depth: every people route is `{ access: 'member' }`, so this holds unless a route is misdeclared.
  if (ctx.actor.kind !== 'person' || actor.level !== 'full' || !actor.membership) {
    throw new AppError('forbidden');
  }
  return { personId: actor.personId, organisationId: actor.membership.organisationId };
}

function isStale(updatedAt: Date, now = new Date()): boolean {
  const limit = new Date(now);
  limit.setUTCMonth(limit.getUTCMonth() - staleAfterMonths);
  return updatedAt < limit;
}

// ---------------------------------------------------------------------------------------------------------
// Cursors: opaque keyset positions. Timestamps travel as PostgreSQL's own text, which keeps microseconds
// (a JavaScript Date would round them and skip or repeat rows written in the same millisecond).
// ---------------------------------------------------------------------------------------------------------

function encodeCursor(position: [string, string]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'string' ||
    typeof value[1] !== 'string' ||
    value[0].length > 300 ||
    !uuid.test(value[1])
  ) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.cursor', code: 'directory.people_invalid_cursor' }],
    });
  }
  return [value[0], value[1]];
}

/** A cursor's timestamp must be PostgreSQL's timestamptz text, or the query would fail with a 500. */
function timestampOf(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/.test(text)) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.cursor', code: 'directory.people_invalid_cursor' }],
    });
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------
// Who is listed
// ---------------------------------------------------------------------------------------------------------

/**
 * SECURITY: the one rule for who other members can find and contact: a published profile, of an active
 * organisation, that the person still belongs to. Unpublishing, leaving the organisation or its suspension
 * take the person out at once (the rule is evaluated on every read, nothing is cached).
 */
const listed = sql`(${directoryPeople.published}
  and ${identityOrganisations.status} = 'active'
  and exists (select 1 from ${identityMemberships}
    where ${identityMemberships.personId} = ${directoryPeople.personId}
      and ${identityMemberships.organisationId} = ${directoryPeople.organisationId}))`;

/**
 * SECURITY: memberships are tenant rows (row-level security); checking that a listed person still belongs to
 * their organisation crosses organisations, so these read-only transactions lift the tenant wall. Only the
 * existence of the membership is read, never a column of it.
 */
async function acrossOrganisations(tx: Tx): Promise<void> {
  await setPlatformScope(tx);
}

// SECURITY: the columns that leave the server about a person. identity_people.email is deliberately absent.
const summaryColumns = {
  personId: directoryPeople.personId,
  name: identityPeople.displayName,
  jobTitle: directoryPeople.jobTitle,
  organisationId: identityOrganisations.id,
  organisationName: identityOrganisations.name,
  expertise: directoryPeople.expertise,
  languages: directoryPeople.languages,
  countries: directoryPeople.countries,
  updatedAt: directoryPeople.updatedAt,
  bio: directoryPeople.bio,
  published: directoryPeople.published,
};

type SummaryRow = {
  [K in keyof typeof summaryColumns]: (typeof summaryColumns)[K]['_']['data'];
};

function presentSummary(row: SummaryRow): PersonSummary {
  return {
    personId: row.personId,
    name: row.name,
    jobTitle: row.jobTitle,
    organisation: { id: row.organisationId, name: row.organisationName },
    expertise: row.expertise as PersonExpertise[],
    languages: row.languages,
    countries: row.countries,
    updatedAt: row.updatedAt.toISOString(),
  };
}

const likeSafe = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

// ---------------------------------------------------------------------------------------------------------
// My profile
// ---------------------------------------------------------------------------------------------------------

/** My professional profile, or an empty unpublished one when I have never saved it. */
export async function getMyPersonProfile(ctx: Ctx): Promise<MyPersonProfile> {
  const me = memberOf(ctx);
  return inTransaction(ctx.kernel.database.db, (tx) => loadMine(tx, me));
}

async function loadMine(tx: Tx, me: Member): Promise<MyPersonProfile> {
  const [person] = await tx
    .select({ name: identityPeople.displayName })
    .from(identityPeople)
    .where(eq(identityPeople.id, me.personId));
  const [organisation] = await tx
    .select({ id: identityOrganisations.id, name: identityOrganisations.name })
    .from(identityOrganisations)
    .where(eq(identityOrganisations.id, me.organisationId));
  if (!person || !organisation) throw new AppError('not_found');
  const [profile] = await tx.select().from(directoryPeople).where(eq(directoryPeople.personId, me.personId));
  return {
    personId: me.personId,
    name: person.name,
    organisation,
    published: profile?.published ?? false,
    jobTitle: profile?.jobTitle ?? '',
    bio: profile?.bio ?? '',
    expertise: (profile?.expertise ?? []) as PersonExpertise[],
    languages: profile?.languages ?? [],
    countries: profile?.countries ?? [],
    updatedAt: profile ? profile.updatedAt.toISOString() : null,
  };
}

/**
 * Saves my professional profile under the organisation I am acting for (a person with several memberships
 * is listed under the one they last saved it from). Publishing or unpublishing takes effect at once.
 */
export async function saveMyPersonProfile(ctx: Ctx, input: PersonProfileInput): Promise<MyPersonProfile> {
  const me = memberOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const values = {
      organisationId: me.organisationId,
      published: input.published,
      jobTitle: input.jobTitle,
      bio: input.bio,
      expertise: input.expertise,
      languages: input.languages,
      countries: input.countries,
      updatedAt: new Date(),
    };
    await tx
      .insert(directoryPeople)
      .values({ personId: me.personId, ...values })
      .onConflictDoUpdate({ target: directoryPeople.personId, set: values });
    await recordAudit(
      tx,
      {
        action: 'directory.person_profile_updated',
        objectType: 'person',
        objectId: me.personId,
        organisationId: me.organisationId,
        details: { published: input.published },
      },
      ctx.audit,
    );
    return loadMine(tx, me);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Search and read
// ---------------------------------------------------------------------------------------------------------

/** Published professionals of active organisations, by name, filtered; a page at a time. */
export async function searchPeople(ctx: Ctx, query: PeopleQuery): Promise<PeoplePage> {
  memberOf(ctx);
  const after = decodeCursor(query.cursor);
  const conditions: (SQL | undefined)[] = [
    listed,
    query.expertise ? arrayContains(directoryPeople.expertise, [query.expertise]) : undefined,
    query.language ? arrayContains(directoryPeople.languages, [query.language]) : undefined,
    query.country ? arrayContains(directoryPeople.countries, [query.country]) : undefined,
    // Accents and case are ignored, so "jose" finds "José"; the text is matched as typed, never as a pattern.
    query.q
      ? sql`lower(unaccent(${identityPeople.displayName} || ' ' || ${directoryPeople.jobTitle} || ' ' || ${identityOrganisations.name}))
          like '%' || lower(unaccent(${likeSafe(query.q)})) || '%'`
      : undefined,
    after
      ? sql`(${identityPeople.displayName}, ${directoryPeople.personId}) > (${after[0]}, ${after[1]}::uuid)`
      : undefined,
  ];
  const rows = await inTransaction(ctx.kernel.database.db, async (tx) => {
    await acrossOrganisations(tx);
    return tx
      .select(summaryColumns)
      .from(directoryPeople)
      .innerJoin(identityPeople, eq(identityPeople.id, directoryPeople.personId))
      .innerJoin(identityOrganisations, eq(identityOrganisations.id, directoryPeople.organisationId))
      .where(and(...conditions))
      .orderBy(identityPeople.displayName, directoryPeople.personId)
      .limit(query.limit + 1);
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(presentSummary),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.name, last.personId]) : null,
  };
}

/** One professional profile: listed ones for every member, my own whatever its state; others do not exist. */
export async function getPersonProfile(ctx: Ctx, personId: string): Promise<PersonProfile> {
  const me = memberOf(ctx);
  const own = personId === me.personId;
  const [row] = await inTransaction(ctx.kernel.database.db, async (tx) => {
    await acrossOrganisations(tx);
    return tx
      .select(summaryColumns)
      .from(directoryPeople)
      .innerJoin(identityPeople, eq(identityPeople.id, directoryPeople.personId))
      .innerJoin(identityOrganisations, eq(identityOrganisations.id, directoryPeople.organisationId))
      .where(and(eq(directoryPeople.personId, personId), own ? undefined : listed));
  });
  if (!row) throw new AppError('not_found');
  return {
    ...presentSummary(row),
    bio: row.bio,
    published: row.published,
    stale: isStale(row.updatedAt),
    abilities: { contact: !own, edit: own },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------------

const sender = alias(identityPeople, 'sender');
const recipient = alias(identityPeople, 'recipient');
const senderOrganisation = alias(identityOrganisations, 'sender_organisation');
const recipientOrganisation = alias(identityOrganisations, 'recipient_organisation');
const recipientProfile = alias(directoryPeople, 'recipient_profile');

// SECURITY: what leaves the server about a message; neither side's email address is among these.
const messageColumns = {
  id: directoryContactMessages.id,
  fromPersonId: directoryContactMessages.fromPersonId,
  toPersonId: directoryContactMessages.toPersonId,
  body: directoryContactMessages.body,
  createdAt: directoryContactMessages.createdAt,
  createdAtText: sql<string>`${directoryContactMessages.createdAt}::text`,
  readAt: directoryContactMessages.readAt,
  senderName: sender.displayName,
  recipientName: recipient.displayName,
  senderOrganisationId: senderOrganisation.id,
  senderOrganisationName: senderOrganisation.name,
  recipientOrganisationId: recipientOrganisation.id,
  recipientOrganisationName: recipientOrganisation.name,
};

function messagesFrom(tx: Tx) {
  return (
    tx
      .select(messageColumns)
      .from(directoryContactMessages)
      .innerJoin(sender, eq(sender.id, directoryContactMessages.fromPersonId))
      .innerJoin(recipient, eq(recipient.id, directoryContactMessages.toPersonId))
      .leftJoin(senderOrganisation, eq(senderOrganisation.id, directoryContactMessages.fromOrganisationId))
      // The recipient is named with the organisation their professional profile is listed under.
      .leftJoin(recipientProfile, eq(recipientProfile.personId, directoryContactMessages.toPersonId))
      .leftJoin(recipientOrganisation, eq(recipientOrganisation.id, recipientProfile.organisationId))
      .$dynamic()
  );
}

type MessageRow = Awaited<ReturnType<ReturnType<typeof messagesFrom>['execute']>>[number];

function presentMessage(row: MessageRow, personId: string): ContactMessage {
  const received = row.toPersonId === personId;
  const organisation = (id: string | null, name: string | null) => (id && name ? { id, name } : null);
  return {
    id: row.id,
    direction: received ? 'received' : 'sent',
    counterpart: received
      ? {
          personId: row.fromPersonId,
          name: row.senderName,
          organisation: organisation(row.senderOrganisationId, row.senderOrganisationName),
        }
      : {
          personId: row.toPersonId,
          name: row.recipientName,
          organisation: organisation(row.recipientOrganisationId, row.recipientOrganisationName),
        },
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt ? row.readAt.toISOString() : null,
    abilities: { reply: received && row.fromPersonId !== personId, markRead: received && !row.readAt },
  };
}

/**
 * Another module's reason to let a member write to someone who is not listed (the matching module's focal
 * points). Both run in the message's own transaction, which is in platform scope.
 */
export interface ContactReach {
  /** SECURITY: true only if the sender may write to this person for the caller's reason; checked before sending. */
  reachable: (tx: Tx) => Promise<boolean>;
  /** Runs after the message was written, in the same transaction (e.g. the caller's own audit event). */
  onSent?: (tx: Tx, messageId: string) => Promise<void>;
}

/**
 * Sends a message to a person through Cairn. The recipient must be listed (published, active, still a
 * member), or have written to me first, so that a message can always be answered — or be reachable for the
 * reason another module gives (`reach`). SECURITY: the email says only who wrote and links to the inbox: the
 * text stays in Cairn, and no address is shown to either side.
 */
export async function sendContactMessage(
  ctx: Ctx,
  personId: string,
  input: ContactMessageInput,
  reach?: ContactReach,
): Promise<ContactMessage> {
  const me = memberOf(ctx);
  if (personId === me.personId) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'params.personId', code: 'directory.people_self_message' }],
    });
  }
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await acrossOrganisations(tx);
    const [target] = await tx
      .select({
        email: identityPeople.email,
        language: identityPeople.language,
        reachable: sql<boolean>`coalesce(${or(
          listed,
          sql`exists (select 1 from ${directoryContactMessages}
            where ${directoryContactMessages.fromPersonId} = ${personId}
              and ${directoryContactMessages.toPersonId} = ${me.personId})`,
        )}, false)`,
      })
      .from(identityPeople)
      .leftJoin(directoryPeople, eq(directoryPeople.personId, identityPeople.id))
      .leftJoin(identityOrganisations, eq(identityOrganisations.id, directoryPeople.organisationId))
      .where(eq(identityPeople.id, personId));
    if (!target || !(target.reachable || (reach !== undefined && (await reach.reachable(tx)))))
      throw new AppError('not_found');

    // A database count, not the per-process limiter: it holds across processes and restarts.
    const [recent] = await tx
      .select({
        n: count(),
        wait: sql<
          number | null
        >`ceil(extract(epoch from min(${directoryContactMessages.createdAt}) + interval '1 day' - now()))::int`,
      })
      .from(directoryContactMessages)
      .where(
        and(
          eq(directoryContactMessages.fromPersonId, me.personId),
          sql`${directoryContactMessages.createdAt} > now() - interval '1 day'`,
        ),
      );
    if (recent && recent.n >= dailyMessageLimit) {
      throw new AppError('rate_limited', { params: { seconds: Math.max(1, recent.wait ?? 1) } });
    }

    const [created] = await tx
      .insert(directoryContactMessages)
      .values({
        fromPersonId: me.personId,
        fromOrganisationId: me.organisationId,
        toPersonId: personId,
        body: input.body,
      })
      .returning({ id: directoryContactMessages.id });
    const [row] = await messagesFrom(tx).where(eq(directoryContactMessages.id, created!.id));

    const t = translator(isLanguage(target.language) ? target.language : 'en');
    const values = {
      name: row!.senderName,
      organisation: row!.senderOrganisationName ?? '',
      link: `${ctx.kernel.config.publicUrl}/directory/messages`,
    };
    await ctx.kernel.sendMail(tx, {
      to: target.email,
      subject: t('mail.directory.people_message_subject', values),
      text: t('mail.directory.people_message_body', values),
    });
    await recordAudit(
      tx,
      {
        action: 'directory.contact_message_sent',
        objectType: 'contact_message',
        objectId: created!.id,
        organisationId: me.organisationId,
        details: { messageId: created!.id },
      },
      ctx.audit,
    );
    await reach?.onSent?.(tx, created!.id);
    return presentMessage(row!, me.personId);
  });
}

/** My inbox or my sent messages, newest first, with how many received messages are unread. */
export async function listContactMessages(ctx: Ctx, query: MessagesQuery): Promise<MessagePage> {
  const me = memberOf(ctx);
  const after = decodeCursor(query.cursor);
  const mine =
    query.box === 'inbox'
      ? eq(directoryContactMessages.toPersonId, me.personId)
      : eq(directoryContactMessages.fromPersonId, me.personId);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const rows = await messagesFrom(tx)
      .where(
        and(
          mine,
          after
            ? sql`(${directoryContactMessages.createdAt}, ${directoryContactMessages.id}) < (${timestampOf(after[0])}::timestamptz, ${after[1]}::uuid)`
            : undefined,
        ),
      )
      .orderBy(desc(directoryContactMessages.createdAt), desc(directoryContactMessages.id))
      .limit(query.limit + 1);
    const [unread] = await tx
      .select({ n: count() })
      .from(directoryContactMessages)
      .where(
        and(eq(directoryContactMessages.toPersonId, me.personId), isNull(directoryContactMessages.readAt)),
      );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => presentMessage(row, me.personId)),
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.createdAtText, last.id]) : null,
      unread: unread?.n ?? 0,
    };
  });
}

/**
 * Marks a message I received as read. Its sender sees it but may not change it (403); to anyone else it
 * does not exist (404). Not audited: a read receipt is the person's own inbox state, not an act on others.
 */
export async function markContactMessageRead(ctx: Ctx, messageId: string): Promise<ContactMessage> {
  const me = memberOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const [row] = await messagesFrom(tx).where(
      and(
        eq(directoryContactMessages.id, messageId),
        or(
          eq(directoryContactMessages.toPersonId, me.personId),
          eq(directoryContactMessages.fromPersonId, me.personId),
        ),
      ),
    );
    if (!row) throw new AppError('not_found');
    if (row.toPersonId !== me.personId) throw new AppError('forbidden');
    if (row.readAt) return presentMessage(row, me.personId);
    const [updated] = await tx
      .update(directoryContactMessages)
      .set({ readAt: new Date() })
      .where(eq(directoryContactMessages.id, messageId))
      .returning({ readAt: directoryContactMessages.readAt });
    return presentMessage({ ...row, readAt: updated!.readAt }, me.personId);
  });
}
