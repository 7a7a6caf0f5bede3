import { and, asc, desc, eq, ilike, inArray, isNotNull, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Actor } from '../../kernel/access/policy.js';
import { recordAudit, type AuditAction, type AuditEvents } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { kernelAudit, kernelJobs } from '../../kernel/db/kernel.tables.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import { personOf } from './identity.auth.service.js';
import { sendIdentityMail } from './identity.mail.js';
import {
  decodeCursor,
  encodeCursor,
  type applicationQueueQuerySchema,
  type auditEntrySchema,
  type myApplicationSchema,
  type organisationApplicationSchema,
  type organisationListQuerySchema,
  type organisationSchema,
  type pageQuerySchema,
  type platformAuditQuerySchema,
} from './identity.organisations.schemas.js';
import { hashPassword } from './identity.passwords.js';
import {
  accessOf,
  canAdministerPlatform,
  canViewOrganisation,
  canViewOrganisationAudit,
  isPlatformStaff,
  isTierExpired,
  mayTakeAction,
  nextStatus,
  organisationAbilities,
  tierFitsType,
  type OrganisationAction,
} from './identity.policy.js';
import { revokeSessions } from './identity.sessions.js';
import { identityMemberships, identityOrganisations, identityPeople } from './identity.tables.js';
import {
  tierValidityDays,
  type OrganisationStatus,
  type OrganisationType,
  type Tier,
} from './identity.vocabulary.js';
import './identity.audit.js';

declare module '../../kernel/jobs/jobs.js' {
  interface CairnJobs {
    /** The daily sweep over tier expiry: renewal reminders to org admins. No payload. */
    'identity.tier_reminders': Record<string, never>;
  }
}

type OrganisationRow = typeof identityOrganisations.$inferSelect;
type Applicant = { id: string; displayName: string; email: string } | null;
type Organisation = z.infer<typeof organisationSchema>;
type MyApplication = z.infer<typeof myApplicationSchema>;
type OrganisationApplication = z.infer<typeof organisationApplicationSchema>;
type Page<T> = { items: T[]; nextCursor: string | null };

const dayMs = 86_400_000;
/** Renewal reminders go out this long before a tier expires. */
export const reminderLeadDays = 30;
/** How many applications one person may have waiting for review at once (keeps the queue free of floods). */
export const maxOpenApplications = 3;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

// ---------------------------------------------------------------------------------------------------------
// Presenting: what leaves the server, field by field, by ability.
// ---------------------------------------------------------------------------------------------------------

/**
 * The vetting conversation has one column (review_note) holding its latest message. Whose it is follows
 * from the status: while `pending` it can only be the applicant's answer (a fresh application has none);
 * in every other status it was written by platform staff.
 */
const noteAuthor = (status: string): 'moderator' | 'applicant' =>
  status === 'pending' ? 'applicant' : 'moderator';

/** An organisation as this actor may see it: vetting details only for platform staff. */
export function presentOrganisation(
  actor: Actor,
  org: OrganisationRow,
  applicant: Applicant,
  now = new Date(),
): Organisation {
  const status = org.status as OrganisationStatus;
  return {
    id: org.id,
    name: org.name,
    type: org.type as OrganisationType,
    countries: org.countries,
    website: org.website,
    status,
    tier: org.tier as Tier | null,
    tierExpired: org.tier !== null && isTierExpired(org.tierExpiresAt, now),
    verifiedAt: iso(org.verifiedAt),
    tierExpiresAt: iso(org.tierExpiresAt),
    createdAt: org.createdAt.toISOString(),
    review: isPlatformStaff(actor)
      ? {
          referee: org.referee,
          latestNote: org.reviewNote ? { by: noteAuthor(status), text: org.reviewNote } : null,
          applicant,
        }
      : null,
    abilities: organisationAbilities(actor, { id: org.id, status, applicantPersonId: org.applicantPersonId }),
  };
}

/** An application as its applicant sees it: the moderator's question or reason, never staff-only notes. */
export function presentMyApplication(actor: Actor, org: OrganisationRow): MyApplication {
  const status = org.status as OrganisationStatus;
  const abilities = organisationAbilities(actor, {
    id: org.id,
    status,
    applicantPersonId: org.applicantPersonId,
  });
  return {
    id: org.id,
    name: org.name,
    type: org.type as OrganisationType,
    countries: org.countries,
    website: org.website,
    status,
    tier: org.tier as Tier | null,
    // A suspension's reason is internal to platform staff; only vetting questions and refusals are shown.
    moderatorNote: status === 'info_requested' || status === 'rejected' ? org.reviewNote : null,
    myResponse: status === 'pending' ? org.reviewNote : null,
    submittedAt: org.createdAt.toISOString(),
    updatedAt: org.updatedAt.toISOString(),
    abilities: { respond: abilities.respond },
  };
}

const applicantColumns = {
  id: identityPeople.id,
  displayName: identityPeople.displayName,
  email: identityPeople.email,
};

/** Timestamps as PostgreSQL stores them (microseconds): a keyset cursor must not round them. */
const cursorTime = (column: typeof identityOrganisations.createdAt) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

async function loadOrganisation(
  tx: Tx,
  id: string,
): Promise<{ org: OrganisationRow; applicant: Applicant } | undefined> {
  const [row] = await tx
    .select({ org: identityOrganisations, applicant: applicantColumns })
    .from(identityOrganisations)
    .leftJoin(identityPeople, eq(identityPeople.id, identityOrganisations.applicantPersonId))
    .where(eq(identityOrganisations.id, id));
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// Applying
// ---------------------------------------------------------------------------------------------------------

/** Creates the organisation (pending), its applicant's org_admin membership, the audit entry and the mail. */
async function createApplication(
  ctx: Ctx,
  tx: Tx,
  applicant: { id: string; email: string; language: string },
  input: OrganisationApplication,
): Promise<OrganisationRow> {
  const countries = [...new Set(input.countries)];
  const [org] = await tx
    .insert(identityOrganisations)
    .values({
      name: input.name,
      type: input.type,
      countries,
      website: input.website ?? null,
      referee: input.referee,
      status: 'pending',
      applicantPersonId: applicant.id,
    })
    .returning();
  // Tenant scope: the membership belongs to the organisation just created, and to nothing else.
  await setTenant(tx, org!.id);
  await tx
    .insert(identityMemberships)
    .values({ personId: applicant.id, organisationId: org!.id, role: 'org_admin' });
  await recordAudit(
    tx,
    {
      action: 'identity.organisation_applied',
      objectType: 'organisation',
      objectId: org!.id,
      organisationId: org!.id,
      details: { type: input.type, countries },
    },
    { ...ctx.audit, actorPersonId: applicant.id },
  );
  // SECURITY: the address is not verified yet, so the mail carries no text the applicant typed (it could be
  // used to send phishing through Cairn); it only confirms and links to the app.
  await sendIdentityMail(ctx.kernel, tx, applicant, 'application_received');
  return org!;
}

/**
 * Applies for an organisation with a new account. SECURITY: the answer is the same, and takes as long (the
 * password is hashed either way), whether or not the email already has an account; if it has, nothing is
 * created and the address's owner is told by email instead.
 */
export async function applyWithAccount(
  ctx: Ctx,
  input: {
    organisation: OrganisationApplication;
    account: { displayName: string; email: string; password: string };
  },
): Promise<void> {
  const passwordHash = await hashPassword(input.account.password);
  await inTransaction(ctx.kernel.database.db, async (tx) => {
    // ON CONFLICT (the case-insensitive email index) also covers two applications racing for one address.
    const [person] = await tx
      .insert(identityPeople)
      .values({
        email: input.account.email.trim(),
        displayName: input.account.displayName,
        passwordHash,
        language: ctx.language,
      })
      .onConflictDoNothing()
      .returning();
    if (!person) {
      const [existing] = await tx
        .select({ email: identityPeople.email, language: identityPeople.language })
        .from(identityPeople)
        .where(sql`lower(${identityPeople.email}) = ${input.account.email.trim().toLowerCase()}`);
      await sendIdentityMail(
        ctx.kernel,
        tx,
        existing ?? { email: input.account.email },
        'application_account_exists',
      );
      return;
    }
    await createApplication(ctx, tx, person, input.organisation);
  });
}

/** A signed-in person applies for (another) organisation; they become its org_admin once it is approved. */
export async function applyAsPerson(ctx: Ctx, input: OrganisationApplication): Promise<MyApplication> {
  const actor = personOf(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const [person] = await tx
      .select({ id: identityPeople.id, email: identityPeople.email, language: identityPeople.language })
      .from(identityPeople)
      .where(eq(identityPeople.id, actor.personId))
      .for('update');
    if (!person) throw new AppError('unauthenticated');
    const [open] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(identityOrganisations)
      .where(
        and(
          eq(identityOrganisations.applicantPersonId, actor.personId),
          inArray(identityOrganisations.status, ['pending', 'info_requested']),
        ),
      );
    if ((open?.n ?? 0) >= maxOpenApplications) throw new AppError('conflict');
    const org = await createApplication(ctx, tx, person, input);
    return presentMyApplication(ctx.actor, org);
  });
}

/** The caller's own applications, newest first, with status and the moderator's note. */
export async function listMyApplications(ctx: Ctx): Promise<MyApplication[]> {
  const actor = personOf(ctx);
  const rows = await ctx.kernel.database.db
    .select()
    .from(identityOrganisations)
    .where(eq(identityOrganisations.applicantPersonId, actor.personId))
    .orderBy(desc(identityOrganisations.createdAt), desc(identityOrganisations.id));
  return rows.map((org) => presentMyApplication(ctx.actor, org));
}

// ---------------------------------------------------------------------------------------------------------
// Vetting and administration
// ---------------------------------------------------------------------------------------------------------

/**
 * Runs one action on one organisation in one transaction: the row is locked, then who may act (404 for
 * those who may not even see it, 403 for those who may see but not act) and whether its status allows the
 * action (409) are checked before `change` writes, audits and mails.
 */
async function actOnOrganisation(
  ctx: Ctx,
  id: string,
  action: OrganisationAction,
  change: (tx: Tx, org: OrganisationRow, next: OrganisationStatus) => Promise<void>,
): Promise<{ org: OrganisationRow; applicant: Applicant }> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const [org] = await tx
      .select()
      .from(identityOrganisations)
      .where(eq(identityOrganisations.id, id))
      .for('update');
    const may = org !== undefined && mayTakeAction(ctx.actor, action, org);
    const access = accessOf(org !== undefined && (may || canViewOrganisation(ctx.actor, id)), may);
    if (access !== 'allowed' || !org) throw new AppError(access === 'forbidden' ? 'forbidden' : 'not_found');
    const next = nextStatus(org.status as OrganisationStatus, action);
    if (!next) throw new AppError('conflict');
    await change(tx, org, next);
    // After commit, before the answer: modules that mirror vetting (the directory's search) catch up at once.
    ctx.kernel.bus.publish(tx, 'identity.organisation_vetting_changed', { organisationId: id });
    return (await loadOrganisation(tx, id))!;
  });
}

/** Audits an action on an organisation, in the transaction of the change. */
function auditOrganisation<A extends AuditAction>(
  ctx: Ctx,
  tx: Tx,
  id: string,
  action: A,
  details: AuditEvents[A],
): Promise<void> {
  return recordAudit(
    tx,
    { action, objectType: 'organisation', objectId: id, organisationId: id, details },
    ctx.audit,
  );
}

/** Moves an organisation to its next status with the reviewer's (or applicant's) note, or none. */
async function setStatus(tx: Tx, id: string, next: OrganisationStatus, reviewNote: string | null) {
  await tx
    .update(identityOrganisations)
    .set({ status: next, reviewNote, updatedAt: new Date() })
    .where(eq(identityOrganisations.id, id));
}

/** Emails the applicant of an organisation in their own language (if they still have an account). */
async function mailApplicant(
  ctx: Ctx,
  tx: Tx,
  org: OrganisationRow,
  template: string,
  params: Record<string, string | number> = {},
): Promise<void> {
  if (!org.applicantPersonId) return;
  const [applicant] = await tx
    .select({ email: identityPeople.email, language: identityPeople.language })
    .from(identityPeople)
    .where(eq(identityPeople.id, org.applicantPersonId));
  if (applicant)
    await sendIdentityMail(ctx.kernel, tx, applicant, template, { organisation: org.name, ...params });
}

function assertTierFits(tier: Tier, type: string): void {
  if (!tierFitsType(tier, type as OrganisationType)) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'body.tier', code: 'identity.tier_not_for_type' }],
    });
  }
}

const present = (ctx: Ctx) => (row: { org: OrganisationRow; applicant: Applicant }) =>
  presentOrganisation(ctx.actor, row.org, row.applicant);

/** Approves a pending application: the organisation becomes active with a tier valid for a year. */
export async function approveOrganisation(ctx: Ctx, id: string, tier: Tier): Promise<Organisation> {
  const row = await actOnOrganisation(ctx, id, 'approve', async (tx, org, next) => {
    assertTierFits(tier, org.type);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + tierValidityDays * dayMs);
    await tx
      .update(identityOrganisations)
      .set({
        status: next,
        tier,
        verifiedAt: now,
        tierExpiresAt: expiresAt,
        renewalRemindedAt: null,
        reviewNote: null,
        updatedAt: now,
      })
      .where(eq(identityOrganisations.id, id));
    await auditOrganisation(ctx, tx, id, 'identity.organisation_approved', {
      tier,
      expiresAt: expiresAt.toISOString(),
    });
    await mailApplicant(ctx, tx, org, 'application_approved', { tier });
  });
  return present(ctx)(row);
}

/** Asks the applicant for more information; they answer with respondToReview. */
export async function requestOrganisationInfo(ctx: Ctx, id: string, message: string): Promise<Organisation> {
  const row = await actOnOrganisation(ctx, id, 'request_info', async (tx, org, next) => {
    await setStatus(tx, id, next, message);
    await auditOrganisation(ctx, tx, id, 'identity.organisation_info_requested', {});
    // The question itself stays in Cairn (my-applications); the mail only says there is one.
    await mailApplicant(ctx, tx, org, 'application_info_requested');
  });
  return present(ctx)(row);
}

/** Declines an application, with the reason the applicant will read. */
export async function rejectOrganisation(ctx: Ctx, id: string, reason: string): Promise<Organisation> {
  const row = await actOnOrganisation(ctx, id, 'reject', async (tx, org, next) => {
    await setStatus(tx, id, next, reason);
    await auditOrganisation(ctx, tx, id, 'identity.organisation_rejected', {});
    await mailApplicant(ctx, tx, org, 'application_rejected');
  });
  return present(ctx)(row);
}

/** The applicant answers a request for information; the application goes back to the queue. */
export async function respondToReview(ctx: Ctx, id: string, message: string): Promise<MyApplication> {
  const row = await actOnOrganisation(ctx, id, 'respond', async (tx, _org, next) => {
    await setStatus(tx, id, next, message);
    await auditOrganisation(ctx, tx, id, 'identity.organisation_info_provided', {});
  });
  return presentMyApplication(ctx.actor, row.org);
}

/**
 * Suspends an active organisation. SECURITY: every session of every member ends in the same transaction, so
 * nobody keeps acting for it (or for anything else) on a session opened before; the count is audited.
 */
export async function suspendOrganisation(ctx: Ctx, id: string, reason: string): Promise<Organisation> {
  const row = await actOnOrganisation(ctx, id, 'suspend', async (tx, _org, next) => {
    await setStatus(tx, id, next, reason);
    // Tenant scope: the members of this organisation only.
    await setTenant(tx, id);
    const members = await tx
      .selectDistinct({ personId: identityMemberships.personId })
      .from(identityMemberships)
      .where(eq(identityMemberships.organisationId, id));
    let sessionsEnded = 0;
    for (const member of members) sessionsEnded += await revokeSessions(tx, { personId: member.personId });
    await auditOrganisation(ctx, tx, id, 'identity.organisation_suspended', { sessionsEnded });
  });
  return present(ctx)(row);
}

/** Lifts a suspension: the organisation is active again (members sign in anew). */
export async function reinstateOrganisation(ctx: Ctx, id: string): Promise<Organisation> {
  const row = await actOnOrganisation(ctx, id, 'reinstate', async (tx, _org, next) => {
    await setStatus(tx, id, next, null);
    await auditOrganisation(ctx, tx, id, 'identity.organisation_reinstated', {});
  });
  return present(ctx)(row);
}

/** Renews an active organisation's tier (possibly a different one) for another validity period. */
export async function renewTier(ctx: Ctx, id: string, tier: Tier): Promise<Organisation> {
  const row = await actOnOrganisation(ctx, id, 'renew', async (tx, org) => {
    assertTierFits(tier, org.type);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + tierValidityDays * dayMs);
    await tx
      .update(identityOrganisations)
      .set({ tier, verifiedAt: now, tierExpiresAt: expiresAt, renewalRemindedAt: null, updatedAt: now })
      .where(eq(identityOrganisations.id, id));
    await auditOrganisation(ctx, tx, id, 'identity.organisation_tier_renewed', {
      tier,
      expiresAt: expiresAt.toISOString(),
    });
  });
  return present(ctx)(row);
}

/** One organisation, for its members and platform staff; it does not exist for anyone else. */
export async function getOrganisation(ctx: Ctx, id: string): Promise<Organisation> {
  // Checked before reading, so whether an id exists is never revealed to those who may not see it.
  if (!canViewOrganisation(ctx.actor, id)) throw new AppError('not_found');
  const row = await inTransaction(ctx.kernel.database.db, (tx) => loadOrganisation(tx, id));
  if (!row) throw new AppError('not_found');
  return present(ctx)(row);
}

async function organisationPage(
  ctx: Ctx,
  filters: (SQL | undefined)[],
  page: z.infer<typeof pageQuerySchema>,
  order: 'asc' | 'desc',
): Promise<Page<Organisation>> {
  const after = decodeCursor(page.cursor, ['string', 'string'] as const);
  const { createdAt, id } = identityOrganisations;
  const keyset = after
    ? order === 'asc'
      ? sql`(${createdAt}, ${id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
      : sql`(${createdAt}, ${id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
    : undefined;
  const direction = order === 'asc' ? asc : desc;
  const rows = await ctx.kernel.database.db
    .select({ org: identityOrganisations, applicant: applicantColumns, at: cursorTime(createdAt) })
    .from(identityOrganisations)
    .leftJoin(identityPeople, eq(identityPeople.id, identityOrganisations.applicantPersonId))
    .where(and(...filters, keyset))
    .orderBy(direction(createdAt), direction(id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(present(ctx)),
    nextCursor: rows.length > page.limit && last ? encodeCursor([last.at, last.org.id]) : null,
  };
}

/** The vetting queue, oldest first (platform staff only: the route's policy). */
export async function listApplications(
  ctx: Ctx,
  query: z.infer<typeof applicationQueueQuerySchema>,
): Promise<Page<Organisation>> {
  return organisationPage(ctx, [eq(identityOrganisations.status, query.status)], query, 'asc');
}

/** Every organisation, newest first, with filters (platform staff only: the route's policy). */
export async function listOrganisations(
  ctx: Ctx,
  query: z.infer<typeof organisationListQuerySchema>,
): Promise<Page<Organisation>> {
  const likeSafe = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
  return organisationPage(
    ctx,
    [
      query.status ? eq(identityOrganisations.status, query.status) : undefined,
      query.type ? eq(identityOrganisations.type, query.type) : undefined,
      query.country ? sql`${query.country} = any(${identityOrganisations.countries})` : undefined,
      query.q ? ilike(identityOrganisations.name, `%${likeSafe(query.q)}%`) : undefined,
    ],
    query,
    'desc',
  );
}

// ---------------------------------------------------------------------------------------------------------
// Audit trail
// ---------------------------------------------------------------------------------------------------------

async function auditPage(
  ctx: Ctx,
  options: { organisationId?: string; action?: string; cursor?: string; limit: number },
): Promise<Page<z.infer<typeof auditEntrySchema>>> {
  const after = decodeCursor(options.cursor, ['number'] as const);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const organisationId = options.organisationId;
    const orgTrail = organisationId !== undefined && !canAdministerPlatform(ctx.actor);
    // Tenant scope: the membership lookup below sees this organisation's members only.
    if (organisationId) await setTenant(tx, organisationId);
    const rows = await tx
      .select({
        entry: kernelAudit,
        displayName: identityPeople.displayName,
        platformRole: identityPeople.platformRole,
        // Whether the actor is a member of the organisation whose trail this is (only asked of such trails).
        isMember: organisationId
          ? sql<boolean>`exists (select 1 from ${identityMemberships} m
              where m.person_id = ${kernelAudit.actorPersonId} and m.organisation_id = ${organisationId})`
          : sql<boolean>`false`,
      })
      .from(kernelAudit)
      .leftJoin(identityPeople, eq(identityPeople.id, kernelAudit.actorPersonId))
      .where(
        and(
          organisationId ? eq(kernelAudit.organisationId, organisationId) : undefined,
          options.action ? eq(kernelAudit.action, options.action) : undefined,
          after ? sql`${kernelAudit.id} < ${after[0]}` : undefined,
        ),
      )
      .orderBy(desc(kernelAudit.id))
      .limit(options.limit + 1);
    const items = rows.slice(0, options.limit).map(({ entry, displayName, platformRole, isMember }) => {
      const staff = platformRole !== null && platformRole !== undefined;
      // SECURITY: an organisation's own trail does not name the platform staff who vetted or suspended it
      // (they face retaliation); platform admins see every name.
      const withheld = orgTrail && staff && !isMember;
      return {
        id: entry.id,
        occurredAt: entry.occurredAt.toISOString(),
        action: entry.action,
        actor: entry.actorPersonId
          ? { displayName: withheld ? null : (displayName ?? null), platformStaff: staff }
          : null,
        objectType: entry.objectType,
        objectId: entry.objectId,
        organisationId: entry.organisationId,
        // SECURITY: details are ids, roles, tiers and counts by contract (AuditEvents); the IP and request id
        // are not shown.
        details: (entry.details ?? {}) as Record<string, unknown>,
      };
    });
    const last = items.at(-1);
    return { items, nextCursor: rows.length > options.limit && last ? encodeCursor([last.id]) : null };
  });
}

/** An organisation's audit trail, newest first: its admins (and platform admins); 404 for outsiders. */
export async function listOrganisationAudit(
  ctx: Ctx,
  id: string,
  page: z.infer<typeof pageQuerySchema>,
): Promise<Page<z.infer<typeof auditEntrySchema>>> {
  const access = accessOf(canViewOrganisation(ctx.actor, id), canViewOrganisationAudit(ctx.actor, id));
  if (access === 'not_found') throw new AppError('not_found');
  const [exists] = await ctx.kernel.database.db
    .select({ id: identityOrganisations.id })
    .from(identityOrganisations)
    .where(eq(identityOrganisations.id, id));
  if (!exists) throw new AppError('not_found');
  if (access === 'forbidden') throw new AppError('forbidden');
  return auditPage(ctx, { organisationId: id, cursor: page.cursor, limit: page.limit });
}

/** The whole platform's audit trail, newest first (platform admins only: the route's policy). */
export async function listPlatformAudit(
  ctx: Ctx,
  query: z.infer<typeof platformAuditQuerySchema>,
): Promise<Page<z.infer<typeof auditEntrySchema>>> {
  return auditPage(ctx, query);
}

// ---------------------------------------------------------------------------------------------------------
// Tier expiry: a daily durable job
// ---------------------------------------------------------------------------------------------------------

const reminderJob = 'identity.tier_reminders';

/** The calendar day (UTC) of an instant, as YYYY-MM-DD. */
const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/** The next daily run: tomorrow at 02:00 UTC, a quiet hour for most of the field's time zones. */
export function nextReminderRun(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 2));
}

/**
 * Queues the first reminder run unless one is already pending or running. The dedupe key carries the day,
 * so processes starting together queue one run between them.
 */
export async function scheduleTierReminders(kernel: Kernel, now = new Date()): Promise<void> {
  await inTransaction(kernel.database.db, async (tx) => {
    // An unmigrated database (`main.ts openapi` builds the app over an empty one) has no queue to use.
    const [queue] = await queryRows<{ ready: boolean }>(
      tx,
      sql`select to_regclass('kernel_jobs') is not null as ready`,
    );
    if (!queue?.ready) return;
    const [live] = await tx
      .select({ id: kernelJobs.id })
      .from(kernelJobs)
      .where(and(eq(kernelJobs.name, reminderJob), inArray(kernelJobs.status, ['pending', 'running'])))
      .limit(1);
    if (live) return;
    await kernel.jobs.enqueue(
      tx,
      reminderJob,
      {},
      { runAt: now, dedupeKey: `${reminderJob}:${utcDay(now)}` },
    );
  });
}

/**
 * Emails the org admins of every active organisation whose tier expires within 30 days (or has expired)
 * once per validity period (renewal_reminded_at), one organisation per transaction. Expired tiers are kept
 * and shown as `tierExpired`, computed from tier_expires_at so it is right to the second.
 */
export async function sendTierReminders(
  kernel: Kernel,
  now = new Date(),
): Promise<{ reminded: number; expired: number }> {
  const { db } = kernel.database;
  const due = await db
    .select({ id: identityOrganisations.id })
    .from(identityOrganisations)
    .where(
      and(
        eq(identityOrganisations.status, 'active'),
        isNotNull(identityOrganisations.tier),
        isNull(identityOrganisations.renewalRemindedAt),
        lte(identityOrganisations.tierExpiresAt, new Date(now.getTime() + reminderLeadDays * dayMs)),
      ),
    );
  let reminded = 0;
  let expired = 0;
  for (const { id } of due) {
    await inTransaction(db, async (tx) => {
      // Claim the reminder first: if another worker already sent it, this one sends nothing.
      const [org] = await tx
        .update(identityOrganisations)
        .set({ renewalRemindedAt: now })
        .where(and(eq(identityOrganisations.id, id), isNull(identityOrganisations.renewalRemindedAt)))
        .returning();
      if (!org?.tierExpiresAt) return;
      // Tenant scope: the admins of this one organisation.
      await setTenant(tx, id);
      const admins = await tx
        .select({ email: identityPeople.email, language: identityPeople.language })
        .from(identityMemberships)
        .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
        .where(and(eq(identityMemberships.organisationId, id), eq(identityMemberships.role, 'org_admin')));
      const isExpired = isTierExpired(org.tierExpiresAt, now);
      for (const admin of admins) {
        await sendIdentityMail(kernel, tx, admin, 'tier_renewal_reminder', {
          organisation: org.name,
          expiresOn: org.tierExpiresAt.getTime(),
          expired: isExpired ? 'yes' : 'no',
        });
      }
      reminded++;
      if (isExpired) expired++;
    });
  }
  return { reminded, expired };
}

/** Registers the reminder job (which queues its successor for the next day) and queues the first run. */
export function setupTierReminders(kernel: Kernel): void {
  kernel.jobs.register(reminderJob, async (_payload, run) => {
    const now = new Date();
    const next = nextReminderRun(now);
    // The successor is queued first and committed on its own, so a failing sweep cannot end the daily
    // chain. This run's own dedupe row is still `running`, hence a key dated with the successor's day.
    await inTransaction(kernel.database.db, (tx) =>
      kernel.jobs.enqueue(tx, reminderJob, {}, { runAt: next, dedupeKey: `${reminderJob}:${utcDay(next)}` }),
    );
    const result = await sendTierReminders(kernel, now);
    run.log.info(result, 'tier reminders sent');
  });
  // setup() is synchronous, so the first run is queued in the background; a failure is logged, and the next
  // start tries again.
  scheduleTierReminders(kernel).catch((error: unknown) => {
    kernel.log.warn({ err: error }, 'could not queue the tier reminders');
  });
}
