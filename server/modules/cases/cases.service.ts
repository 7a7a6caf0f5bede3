import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNotNull, isNull, ne, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows, type Tx } from '../../kernel/db/types.js';
import { AppError, type FieldIssue } from '../../kernel/http/errors.js';
import {
  decodeCursor,
  encodeCursor,
  identityMemberships,
  identityPeople,
  hasRecentStepUp,
  requireRecentStepUp,
} from '../identity/index.js';
import {
  duplicateCount,
  loadCaseFacts,
  reachCase,
  requireAbility,
  requireCaseMember,
  touchCase,
  type ReachedCase,
} from './cases.access.js';
import { notifyBreakGlass } from './cases.notifications.js';
import {
  lookupCandidates,
  lookupDigest,
  lookupValue,
  openJson,
  sealJson,
  type SealedPlace,
} from './cases.crypto.js';
import { presentConsents, presentEntries } from './cases.entries.service.js';
import { canBreakGlass, caseRoles } from './cases.policy.js';
import type {
  CaseFile,
  CaseFileCreate,
  CaseFileUpdate,
  CaseListQuery,
  CaseSummary,
  ContactSection,
  DocumentsSection,
  IdentitySection,
  NarrativeSection,
  ProfileSection,
  Staff,
  VictimSection,
} from './cases.schemas.js';
import { profileSectionSchema, victimSectionSchema } from './cases.schemas.js';
import {
  casesAssignments,
  casesBreakGlass,
  casesEntries,
  casesFiles,
  casesLookup,
  casesRestrictedStaff,
} from './cases.tables.js';
import {
  breakGlassMinutes,
  caseStatuses,
  closedStatuses,
  exploitationTypes,
  genders,
  statisticsThreshold,
  traffickingStatuses,
  type CaseSection,
  type CaseStatus,
} from './cases.vocabulary.js';
import './cases.audit.js';
import { publishCaseChanged } from './cases.journey.js';

/**
 * The case file's id, always qualified: Drizzle renders a column unqualified inside a select list, where a
 * subquery's own `id` would shadow it.
 */
const caseFileId = sql`${sql.identifier('cases_files')}.${sql.identifier('id')}`;

const today = () => new Date().toISOString().slice(0, 10);
const invalid = (fields: FieldIssue[]) => new AppError('validation_failed', { fields });

/** The sealed columns of a case file, by section. */
const sealedColumns = {
  identity: 'identity_sealed',
  contact: 'contact_sealed',
  documents: 'documents_sealed',
  narrative: 'narrative_sealed',
} as const;
type SealedSection = keyof typeof sealedColumns;
const sealedSections = Object.keys(sealedColumns) as SealedSection[];

const placeOf = (row: { id: string; organisationId: string }, section: SealedSection): SealedPlace => ({
  organisationId: row.organisationId,
  table: 'cases_files',
  column: sealedColumns[section],
  rowId: row.id,
});

/** A case may be completed (leave draft) once the facts every HTCDS record needs are there. */
function checkComplete(profile: ProfileSection, victim: VictimSection): void {
  const fields: FieldIssue[] = [];
  if (!profile.gender) fields.push({ path: 'body.profile.gender', code: 'cases.required_for_complete' });
  if (!victim.traffickingStatus)
    fields.push({ path: 'body.victim.traffickingStatus', code: 'cases.required_for_complete' });
  if (fields.length > 0) throw invalid(fields);
}

/**
 * The organisation's next case reference (`2026-0042`), numbered per year under a per-organisation lock. The
 * transaction must be in that organisation's tenant scope (a transfer gives the case a reference at its new home).
 */
export async function nextReference(tx: Tx, organisationId: string): Promise<string> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`cases.reference:${organisationId}`}))`);
  const year = new Date().getUTCFullYear();
  const [last] = await queryRows<{ n: number | null }>(
    tx,
    sql`select max(split_part(reference, '-', 2)::int) as n from ${casesFiles}
        where organisation_id = ${organisationId} and reference like ${`${year}-%`}`,
  );
  return `${year}-${String((last?.n ?? 0) + 1).padStart(4, '0')}`;
}

/** The lookup values of a case (for duplicate warnings): document numbers, and family name + birth year. */
export function lookupValues(
  identity: IdentitySection | null,
  documents: DocumentsSection | null,
): { kind: 'document' | 'name_birth_year'; value: string }[] {
  const values: { kind: 'document' | 'name_birth_year'; value: string }[] = [];
  for (const document of documents ?? []) values.push({ kind: 'document', value: document.number });
  const year =
    identity?.birthYear ?? (identity?.birthDate ? Number(identity.birthDate.slice(0, 4)) : undefined);
  if (identity?.secondName && year !== undefined) {
    values.push({
      kind: 'name_birth_year',
      value: nameBirthYear(identity.firstName ?? '', identity.secondName, year),
    });
  }
  return values;
}

const nameBirthYear = (first: string, second: string, year: number) => `${first} ${second} ${year}`;

/** Rewrites a case's blind-index entries (each with its indexed value sealed beside the digest). */
export async function reindexCase(
  ctx: Ctx,
  tx: Tx,
  row: { id: string; organisationId: string },
  identity: IdentitySection | null,
  documents: DocumentsSection | null,
): Promise<void> {
  await tx.delete(casesLookup).where(eq(casesLookup.caseId, row.id));
  const values = lookupValues(identity, documents);
  const seen = new Set<string>();
  for (const { kind, value } of values) {
    const indexed = lookupValue(kind, value);
    if (seen.has(indexed)) continue;
    seen.add(indexed);
    const id = randomUUID();
    await tx.insert(casesLookup).values({
      id,
      caseId: row.id,
      organisationId: row.organisationId,
      kind,
      valueSealed: await ctx.kernel.keys.sealField(
        tx,
        { organisationId: row.organisationId, table: 'cases_lookup', column: 'value_sealed', rowId: id },
        indexed,
      ),
      digest: await lookupDigest(ctx.kernel, tx, row.organisationId, indexed),
    });
  }
}

/** The other cases of the organisation that share a document number or name + birth year with this one. */
async function duplicatesOf(tx: Tx, row: { id: string; organisationId: string }): Promise<number> {
  const [count] = await queryRows<{ n: number }>(
    tx,
    sql`select ${duplicateCount(row.id, row.organisationId)} as n`,
  );
  return count?.n ?? 0;
}

export interface OpenedSections {
  identity: IdentitySection | null;
  contact: ContactSection | null;
  documents: DocumentsSection | null;
  narrative: NarrativeSection | null;
}

/**
 * Opens a case's identifying sections; with `only`, just those (the others stay sealed and come back null:
 * a referral's recipient gets exactly what was shared).
 */
export async function openSections(
  ctx: Pick<Ctx, 'kernel'>,
  tx: Tx,
  row: ReachedCase['row'],
  only: readonly CaseSection[] = sealedSections,
): Promise<OpenedSections> {
  const open = <T>(section: SealedSection, sealed: string | null) =>
    only.includes(section) ? openJson<T>(ctx.kernel, tx, placeOf(row, section), sealed) : null;
  const [identity, contact, documents, narrative] = await Promise.all([
    open<IdentitySection>('identity', row.identitySealed),
    open<ContactSection>('contact', row.contactSealed),
    open<DocumentsSection>('documents', row.documentsSealed),
    open<NarrativeSection>('narrative', row.narrativeSealed),
  ]);
  return { identity, contact, documents, narrative };
}

/**
 * The case's assignees (primary first) and, for a restricted case, its named staff: one round trip for both,
 * since opening a case is the platform's busiest audited read.
 */
async function staffOf(tx: Tx, caseId: string) {
  const rows = await queryRows<{
    list: 'assigned' | 'named';
    membershipId: string;
    personId: string;
    name: string;
    role: string;
    primary: boolean;
  }>(
    tx,
    sql`select s.list, m.id as "membershipId", p.id as "personId", p.display_name as name, m.role, s."primary"
        from (select 'assigned' as list, membership_id, "primary" from ${casesAssignments} where case_id = ${caseId}
              union all
              select 'named', membership_id, false from ${casesRestrictedStaff} where case_id = ${caseId}) s
          join ${identityMemberships} m on m.id = s.membership_id
          join ${identityPeople} p on p.id = m.person_id
        order by s.list, s."primary" desc, p.display_name`,
  );
  return {
    assignees: rows
      .filter((row) => row.list === 'assigned')
      .map(({ membershipId, personId, name, role, primary }) => ({
        membershipId,
        personId,
        name,
        role,
        primary,
      })),
    restrictedTo: rows
      .filter((row) => row.list === 'named')
      .map(({ membershipId, personId, name, role }) => ({ membershipId, personId, name, role })),
  };
}

async function personName(
  tx: Tx,
  personId: string | null,
): Promise<{ personId: string; name: string } | null> {
  if (!personId) return null;
  const [person] = await tx
    .select({ personId: identityPeople.id, name: identityPeople.displayName })
    .from(identityPeople)
    .where(eq(identityPeople.id, personId));
  return person ?? null;
}

/**
 * The case file as this caller may see it. SECURITY: the identifying sections (and sealed notes) are opened
 * only when `reveal` is asked for — which the caller must have earned with a recent step-up — and the read
 * is audited with the sections it showed.
 */
async function presentCase(ctx: Ctx, tx: Tx, reached: ReachedCase, reveal: boolean): Promise<CaseFile> {
  const { row, access, abilities } = reached;
  if (reveal) requireRecentStepUp(ctx);
  const opened: OpenedSections = reveal
    ? await openSections(ctx, tx, row)
    : { identity: null, contact: null, documents: null, narrative: null };
  const { assignees, restrictedTo } = await staffOf(tx, row.id);
  const entries = await presentEntries(ctx, tx, row, reveal);
  const consents = await presentConsents(ctx, tx, row, reveal);
  const closureReason =
    reveal && row.closureReasonSealed
      ? await openJson<string>(
          ctx.kernel,
          tx,
          {
            organisationId: row.organisationId,
            table: 'cases_files',
            column: 'closure_reason_sealed',
            rowId: row.id,
          },
          row.closureReasonSealed,
        )
      : null;
  const sections: CaseSection[] = [
    'profile',
    'victim',
    'perpetrators',
    'events',
    'supportPlan',
    'followUps',
    'consents',
  ];
  if (reveal) sections.push('identity', 'contact', 'documents', 'narrative', 'comments');
  const file: CaseFile = {
    id: row.id,
    reference: row.reference,
    status: row.status as CaseStatus,
    draft: row.draft,
    restricted: row.restricted,
    openedOn: row.openedOn,
    closedOn: row.closedOn,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    assignees,
    restrictedTo,
    closureRequest:
      row.closureRequestedAt && row.closureStatus
        ? {
            status: row.closureStatus as CaseStatus,
            requestedBy: await personName(tx, row.closureRequestedBy),
            requestedAt: row.closureRequestedAt.toISOString(),
            reason: closureReason,
          }
        : null,
    access: { via: access.via, until: access.until?.toISOString() ?? null },
    revealed: reveal,
    ...opened,
    // Parsed, not cast: a section stored before a field was added gets that field's default.
    profile: profileSectionSchema.parse(row.profile),
    victim: victimSectionSchema.parse(row.victim),
    entries,
    consents,
    possibleDuplicates: reached.possibleDuplicates ?? (await duplicatesOf(tx, row)),
    abilities,
  };
  // The read is audited last, just before the commit: the audit trail's lock is held from here to COMMIT, and
  // every other audited change on the platform waits for it (the benchmark found readers queued on it).
  await recordAudit(
    tx,
    {
      action: 'cases.case_read',
      organisationId: row.organisationId,
      objectType: 'case_file',
      objectId: row.id,
      details: { sections, revealed: reveal, via: access.via },
    },
    ctx.audit,
  );
  return file;
}

/** Seals the identifying sections given in an input, for a case row. */
export async function sealSections(
  ctx: Ctx,
  tx: Tx,
  row: { id: string; organisationId: string },
  input: Partial<Pick<OpenedSections, SealedSection>>,
): Promise<
  Partial<Record<'identitySealed' | 'contactSealed' | 'documentsSealed' | 'narrativeSealed', string | null>>
> {
  const sealed: Partial<
    Record<'identitySealed' | 'contactSealed' | 'documentsSealed' | 'narrativeSealed', string | null>
  > = {};
  for (const section of sealedSections) {
    const value = input[section];
    if (value === undefined) continue;
    sealed[`${section}Sealed`] = await sealJson(ctx.kernel, tx, placeOf(row, section), value);
  }
  return sealed;
}

const sectionsGiven = (input: Partial<Record<string, unknown>>) =>
  ['identity', 'contact', 'documents', 'narrative', 'profile', 'victim'].filter(
    (key) => input[key] !== undefined,
  );

/** Opens a new case file (an intake); the person opening it is its primary assignee. */
export async function createCaseFile(ctx: Ctx, input: CaseFileCreate): Promise<CaseFile> {
  const member = requireCaseMember(ctx);
  // An absent section is the empty one, with the schema's defaults.
  const profile = input.profile ?? profileSectionSchema.parse({});
  const victim = input.victim ?? victimSectionSchema.parse({});
  if (!input.draft) checkComplete(profile, victim);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const organisationId = member.membership.organisationId;
    const id = randomUUID();
    const row = { id, organisationId };
    await setTenant(tx, organisationId);
    const reference = await nextReference(tx, organisationId);
    const sealed = await sealSections(ctx, tx, row, input);
    await setTenant(tx, organisationId);
    await tx.insert(casesFiles).values({
      id,
      organisationId,
      reference,
      status: 'Active',
      draft: input.draft,
      openedOn: input.openedOn ?? today(),
      profile,
      victim,
      createdBy: member.personId,
      ...sealed,
    });
    await tx
      .insert(casesAssignments)
      .values({ caseId: id, organisationId, membershipId: member.membership.id, primary: true });
    await reindexCase(ctx, tx, row, input.identity ?? null, input.documents ?? null);
    publishCaseChanged(ctx.kernel, tx, id, organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.case_created',
        organisationId,
        objectType: 'case_file',
        objectId: id,
        details: { reference, draft: input.draft, sections: sectionsGiven(input) },
      },
      ctx.audit,
    );
    const reached = await reachCase(ctx, tx, id);
    // The creator just typed what they would see: showing it back needs the same step-up as reading it.
    return presentCase(ctx, tx, reached, hasRecentStepUp(ctx));
  });
}

/** Opens a case file: non-identifying sections always, identifying ones with `reveal` after a step-up. */
export async function getCaseFile(ctx: Ctx, caseId: string, reveal: boolean): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { duplicates: true });
    return presentCase(ctx, tx, reached, reveal);
  });
}

/** Saves sections of a case. Each section given replaces the stored one; a stale `version` is a conflict. */
export async function updateCaseFile(ctx: Ctx, caseId: string, input: CaseFileUpdate): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'update');
    const { row } = reached;
    if (row.version !== input.version) throw new AppError('conflict');
    const touchesIdentifying = sealedSections.some((section) => input[section] !== undefined);
    // Writing identifying sections shows that the writer has them: same step-up as reading them.
    if (touchesIdentifying) requireRecentStepUp(ctx);
    const profile = input.profile ?? profileSectionSchema.parse(row.profile);
    const victim = input.victim ?? victimSectionSchema.parse(row.victim);
    const completing = row.draft && input.draft === false;
    if (!row.draft || completing) checkComplete(profile, victim);
    const sealed = await sealSections(ctx, tx, row, input);
    await tx
      .update(casesFiles)
      .set({
        ...sealed,
        profile,
        victim,
        draft: completing ? false : row.draft,
        version: row.version + 1,
        updatedAt: new Date(),
      })
      .where(eq(casesFiles.id, row.id));
    if (input.identity !== undefined || input.documents !== undefined) {
      const current = await openSections(ctx, tx, row);
      await reindexCase(
        ctx,
        tx,
        row,
        input.identity ?? current.identity,
        input.documents ?? current.documents,
      );
    }
    publishCaseChanged(ctx.kernel, tx, row.id, row.organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.case_updated',
        organisationId: row.organisationId,
        objectType: 'case_file',
        objectId: row.id,
        details: { version: row.version + 1, sections: sectionsGiven(input), completed: completing },
      },
      ctx.audit,
    );
    return presentCase(ctx, tx, await reachCase(ctx, tx, caseId), touchesIdentifying || hasRecentStepUp(ctx));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Lists and the dashboard
// ---------------------------------------------------------------------------------------------------------

/**
 * SECURITY: the visibility rule of caseAccess, written into SQL for lists: a supervisor sees the
 * organisation's unrestricted cases, a caseworker those assigned to them; restricted cases only their named
 * staff (break-glass openings are reached by id, never listed).
 */
export function visibleCases(member: ReturnType<typeof requireCaseMember>): SQL {
  const named = sql`exists (select 1 from ${casesRestrictedStaff} r
    where r.case_id = ${caseFileId} and r.membership_id = ${member.membership.id})`;
  const assigned = sql`exists (select 1 from ${casesAssignments} a
    where a.case_id = ${caseFileId} and a.membership_id = ${member.membership.id})`;
  const unrestricted = member.membership.role === 'case_supervisor' ? sql`true` : assigned;
  return sql`${casesFiles.organisationId} = ${member.membership.organisationId}
    and (case when ${casesFiles.restricted} then ${named} else ${unrestricted} end)`;
}

type SummaryRow = Omit<CaseSummary, 'assignees' | 'status' | 'updatedAt'> & {
  status: string;
  updatedAt: Date;
};

/**
 * The summaries of the cases that match, newest change first; `list` tags the rows when two lists are read in one
 * statement (the dashboard's).
 */
function summaryQuery(tx: Tx, where: SQL, limit: number, list = 0) {
  return tx
    .select({
      list: sql<number>`${list}::int`.as('list'),
      id: casesFiles.id,
      reference: casesFiles.reference,
      status: casesFiles.status,
      draft: casesFiles.draft,
      restricted: casesFiles.restricted,
      openedOn: casesFiles.openedOn,
      updatedAt: casesFiles.updatedAt,
      closurePending: sql<boolean>`${casesFiles.closureRequestedAt} is not null`.as('closure_pending'),
      dueFollowUps: sql<number>`(select count(*)::int from ${casesEntries} e
        where e.case_id = ${caseFileId} and e.kind = 'followUp' and e.done_at is null
          and e.due_on <= current_date)`.as('due_follow_ups'),
    })
    .from(casesFiles)
    .where(where)
    .orderBy(desc(casesFiles.updatedAt), desc(casesFiles.id))
    .limit(limit);
}

const withoutList = ({ list: _list, ...row }: SummaryRow & { list: number }): SummaryRow => row;

/** Lists of case rows as summaries, with the assignees of every listed case read in one query. */
async function withAssignees<L extends SummaryRow[][]>(
  tx: Tx,
  ...lists: L
): Promise<{ [K in keyof L]: CaseSummary[] }> {
  const ids = [...new Set(lists.flat().map((row) => row.id))];
  const assignees =
    ids.length === 0
      ? []
      : await tx
          .select({
            caseId: casesAssignments.caseId,
            personId: identityPeople.id,
            name: identityPeople.displayName,
          })
          .from(casesAssignments)
          .innerJoin(identityMemberships, eq(identityMemberships.id, casesAssignments.membershipId))
          .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
          .where(inArray(casesAssignments.caseId, ids))
          .orderBy(desc(casesAssignments.primary), asc(identityPeople.displayName));
  const byCase = new Map<string, { personId: string; name: string }[]>();
  for (const { caseId, personId, name } of assignees) {
    const list = byCase.get(caseId);
    if (list) list.push({ personId, name });
    else byCase.set(caseId, [{ personId, name }]);
  }
  return lists.map((rows) =>
    rows.map((row) => ({
      ...row,
      status: row.status as CaseStatus,
      updatedAt: row.updatedAt.toISOString(),
      assignees: byCase.get(row.id) ?? [],
    })),
  ) as { [K in keyof L]: CaseSummary[] };
}

/** My cases, or (supervisors) the organisation's, newest change first. Nothing identifying is listed. */
export async function listCases(ctx: Ctx, query: CaseListQuery) {
  const member = requireCaseMember(ctx);
  const after = decodeCursor(query.cursor, ['string', 'string'] as const);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.membership.organisationId);
    const mine = sql`exists (select 1 from ${casesAssignments} a
      where a.case_id = ${caseFileId} and a.membership_id = ${member.membership.id})`;
    const conditions: SQL[] = [visibleCases(member)];
    if (query.scope === 'mine') conditions.push(mine);
    if (query.status) conditions.push(sql`${casesFiles.status} = ${query.status}`);
    if (query.closurePending === 'true') conditions.push(sql`${casesFiles.closureRequestedAt} is not null`);
    if (query.closurePending === 'false') conditions.push(sql`${casesFiles.closureRequestedAt} is null`);
    if (after)
      conditions.push(
        sql`(${casesFiles.updatedAt}, ${casesFiles.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`,
      );
    const [items] = await withAssignees(
      tx,
      (await summaryQuery(tx, sql.join(conditions, sql` and `), query.limit + 1)).map(withoutList),
    );
    const page = items.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page,
      nextCursor: items.length > query.limit && last ? encodeCursor([last.updatedAt, last.id]) : null,
    };
  });
}

/** The caseworker's dashboard: my open cases, due follow-ups, recently updated cases, closures to approve. */
export async function dashboard(ctx: Ctx) {
  const member = requireCaseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.membership.organisationId);
    const visible = visibleCases(member);
    const mine = sql`exists (select 1 from ${casesAssignments} a
      where a.case_id = ${caseFileId} and a.membership_id = ${member.membership.id})`;
    const open = sql`${casesFiles.status} in ('Active', 'FollowUp')`;
    // Both lists in one statement (each in parentheses with its own order and limit), told apart by `list`.
    const listed = await summaryQuery(tx, sql`${visible} and ${mine} and ${open}`, 20, 0)
      .unionAll(summaryQuery(tx, visible, 10, 1))
      .orderBy(sql`list`, sql`updated_at desc`, sql`id desc`);
    const [myCases, recentlyUpdated] = await withAssignees(
      tx,
      listed.filter((row) => row.list === 0).map(withoutList),
      listed.filter((row) => row.list === 1).map(withoutList),
    );
    const due = await tx
      .select({
        caseId: casesFiles.id,
        reference: casesFiles.reference,
        entryId: casesEntries.id,
        dueOn: casesEntries.dueOn,
      })
      .from(casesEntries)
      .innerJoin(casesFiles, eq(casesFiles.id, casesEntries.caseId))
      .where(
        and(
          visible,
          eq(casesEntries.kind, 'followUp'),
          isNull(casesEntries.doneAt),
          isNotNull(casesEntries.dueOn),
          sql`${casesEntries.dueOn} <= current_date + 7`,
          // Assigned to me, or on a case of mine — as the ids of both sets, each read through its own index
          // (the caller's assignments, then their cases' entries; the entries assigned to the caller): an `or`
          // across the two tables made the planner read every due follow-up of the organisation, 41–49 ms of a
          // dashboard at 1M cases against 6–8 ms.
          sql`${casesEntries.id} in (
            select e2.id from ${casesAssignments} a
              join ${casesEntries} e2 on e2.case_id = a.case_id and e2.kind = 'followUp'
            where a.membership_id = ${member.membership.id} and e2.done_at is null
              and e2.due_on <= current_date + 7
            union all
            select e3.id from ${casesEntries} e3
            where e3.assignee_id = ${member.personId} and e3.done_at is null and e3.due_on <= current_date + 7)`,
        ),
      )
      .orderBy(asc(casesEntries.dueOn))
      .limit(50);
    // Only a supervisor approves closures: nobody else's dashboard counts them.
    const supervisor = member.membership.role === 'case_supervisor';
    const [awaiting] = supervisor
      ? await queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from ${casesFiles} where ${visible}
            and closure_requested_at is not null and closure_requested_by <> ${member.personId}`,
        )
      : [];
    return {
      myCases,
      dueFollowUps: due.map((item) => ({
        caseId: item.caseId,
        reference: item.reference,
        entryId: item.entryId,
        dueOn: item.dueOn!,
        overdue: item.dueOn! < today(),
      })),
      recentlyUpdated,
      closuresAwaitingApproval: awaiting?.n ?? 0,
    };
  });
}

/** The organisation's caseworkers and supervisors (to assign or name on a restricted case). */
export async function listCaseStaff(ctx: Ctx): Promise<{ items: Staff[] }> {
  const member = requireCaseMember(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, member.membership.organisationId);
    const items = await staffOfOrganisation(tx, member.membership.organisationId);
    return { items };
  });
}

async function staffOfOrganisation(
  tx: Tx,
  organisationId: string,
  membershipIds?: string[],
): Promise<Staff[]> {
  return tx
    .select({
      membershipId: identityMemberships.id,
      personId: identityPeople.id,
      name: identityPeople.displayName,
      role: identityMemberships.role,
    })
    .from(identityMemberships)
    .innerJoin(identityPeople, eq(identityPeople.id, identityMemberships.personId))
    .where(
      and(
        eq(identityMemberships.organisationId, organisationId),
        inArray(identityMemberships.role, [...caseRoles]),
        membershipIds ? inArray(identityMemberships.id, membershipIds) : undefined,
      ),
    )
    .orderBy(asc(identityPeople.displayName));
}

// ---------------------------------------------------------------------------------------------------------
// Assignment, restriction, closure, break-glass
// ---------------------------------------------------------------------------------------------------------

/** Supervisors set who works on a case (caseworkers and supervisors of the organisation only). */
export async function setAssignments(
  ctx: Ctx,
  caseId: string,
  input: { membershipIds: string[]; primaryMembershipId: string },
): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'assign');
    if (!input.membershipIds.includes(input.primaryMembershipId))
      throw invalid([{ path: 'body.primaryMembershipId', code: 'cases.primary_not_assigned' }]);
    const staff = await staffOfOrganisation(tx, reached.row.organisationId, input.membershipIds);
    const unknown = input.membershipIds.findIndex(
      (id) => !staff.some((person) => person.membershipId === id),
    );
    if (unknown >= 0)
      throw invalid([{ path: `body.membershipIds.${unknown}`, code: 'cases.not_case_staff' }]);
    await tx.delete(casesAssignments).where(eq(casesAssignments.caseId, caseId));
    await tx.insert(casesAssignments).values(
      input.membershipIds.map((membershipId) => ({
        caseId,
        organisationId: reached.row.organisationId,
        membershipId,
        primary: membershipId === input.primaryMembershipId,
      })),
    );
    await touchCase(tx, caseId);
    await recordAudit(
      tx,
      {
        action: 'cases.assignments_changed',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { count: input.membershipIds.length },
      },
      ctx.audit,
    );
    return presentCase(ctx, tx, await reachCase(ctx, tx, caseId), false);
  });
}

/**
 * Marks a case restricted to named staff (or lifts it). The supervisor doing it is always named, so nobody
 * locks themselves out by mistake.
 */
export async function setRestriction(
  ctx: Ctx,
  caseId: string,
  input: { restricted: boolean; membershipIds: string[] },
): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'restrict');
    const named = input.restricted
      ? [...new Set([reached.member.membership.id, ...input.membershipIds])]
      : [];
    const staff = await staffOfOrganisation(tx, reached.row.organisationId, named);
    const unknown = input.membershipIds.findIndex(
      (id) => !staff.some((person) => person.membershipId === id),
    );
    if (input.restricted && unknown >= 0)
      throw invalid([{ path: `body.membershipIds.${unknown}`, code: 'cases.not_case_staff' }]);
    await tx.delete(casesRestrictedStaff).where(eq(casesRestrictedStaff.caseId, caseId));
    if (named.length > 0)
      await tx
        .insert(casesRestrictedStaff)
        .values(
          named.map((membershipId) => ({ caseId, organisationId: reached.row.organisationId, membershipId })),
        );
    await tx
      .update(casesFiles)
      .set({ restricted: input.restricted, updatedAt: new Date(), version: reached.row.version + 1 })
      .where(eq(casesFiles.id, caseId));
    await recordAudit(
      tx,
      {
        action: 'cases.restriction_changed',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { restricted: input.restricted, named: named.length },
      },
      ctx.audit,
    );
    return presentCase(ctx, tx, await reachCase(ctx, tx, caseId), false);
  });
}

/** Asks for a case to be closed; a supervisor other than the asker approves it. */
export async function requestClosure(
  ctx: Ctx,
  caseId: string,
  input: { status: 'Closed' | 'ClosedReferred'; reason: string },
): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'requestClosure');
    const reasonSealed = await sealJson(
      ctx.kernel,
      tx,
      {
        organisationId: reached.row.organisationId,
        table: 'cases_files',
        column: 'closure_reason_sealed',
        rowId: caseId,
      },
      input.reason,
    );
    await tx
      .update(casesFiles)
      .set({
        closureRequestedAt: new Date(),
        closureRequestedBy: reached.member.personId,
        closureStatus: input.status,
        closureReasonSealed: reasonSealed,
        updatedAt: new Date(),
        version: reached.row.version + 1,
      })
      .where(eq(casesFiles.id, caseId));
    await recordAudit(
      tx,
      {
        action: 'cases.closure_requested',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { status: input.status },
      },
      ctx.audit,
    );
    return presentCase(ctx, tx, await reachCase(ctx, tx, caseId), false);
  });
}

/** A supervisor approves (the case closes) or rejects (it stays open) a pending closure. */
export async function decideClosure(
  ctx: Ctx,
  caseId: string,
  decision: 'approve' | 'reject',
): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    if (!reached.row.closureRequestedAt) throw new AppError('conflict');
    requireAbility(reached, 'approveClosure');
    const status = reached.row.closureStatus as CaseStatus;
    await tx
      .update(casesFiles)
      .set({
        ...(decision === 'approve' ? { status, closedOn: today() } : {}),
        closureRequestedAt: null,
        closureRequestedBy: null,
        closureStatus: null,
        // The reason stays sealed with an approved closure (HTCDS cas_ReasonForCaseClosure).
        ...(decision === 'reject' ? { closureReasonSealed: null } : {}),
        updatedAt: new Date(),
        version: reached.row.version + 1,
      })
      .where(eq(casesFiles.id, caseId));
    if (decision === 'approve') publishCaseChanged(ctx.kernel, tx, caseId, reached.row.organisationId);
    await recordAudit(
      tx,
      {
        action: decision === 'approve' ? 'cases.closure_approved' : 'cases.closure_rejected',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { status },
      },
      ctx.audit,
    );
    return presentCase(ctx, tx, await reachCase(ctx, tx, caseId), false);
  });
}

/** A supervisor reopens a closed case (the reason is sealed into a case comment). */
export async function reopenCase(ctx: Ctx, caseId: string, input: { reason: string }): Promise<CaseFile> {
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId, { forUpdate: true });
    requireAbility(reached, 'reopen');
    await tx
      .update(casesFiles)
      .set({
        status: 'Active',
        closedOn: null,
        closureReasonSealed: null,
        updatedAt: new Date(),
        version: reached.row.version + 1,
      })
      .where(eq(casesFiles.id, caseId));
    const entryId = randomUUID();
    await tx.insert(casesEntries).values({
      id: entryId,
      caseId,
      organisationId: reached.row.organisationId,
      kind: 'comment',
      attributes: { reopening: true },
      sealed: await sealJson(
        ctx.kernel,
        tx,
        {
          organisationId: reached.row.organisationId,
          table: 'cases_entries',
          column: 'sealed',
          rowId: entryId,
        },
        { body: input.reason },
      ),
      createdBy: reached.member.personId,
    });
    publishCaseChanged(ctx.kernel, tx, caseId, reached.row.organisationId);
    await recordAudit(
      tx,
      {
        action: 'cases.reopened',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: {},
      },
      ctx.audit,
    );
    return presentCase(ctx, tx, await reachCase(ctx, tx, caseId), false);
  });
}

/**
 * Break-glass: a supervisor opens a case outside their scope (a restricted case they are not named on) for
 * at most an hour, read-only, after a step-up and with a written reason. SECURITY: the organisation's admins
 * are told at once (without anything about the survivor), and the opening is audited.
 */
export async function breakGlass(ctx: Ctx, caseId: string, input: { reason: string }) {
  requireRecentStepUp(ctx);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const member = requireCaseMember(ctx);
    const loaded = await loadCaseFacts(ctx, tx, caseId);
    if (!loaded) throw new AppError('not_found');
    if (!canBreakGlass(ctx.actor, loaded.facts)) throw new AppError('forbidden');
    const id = randomUUID();
    const until = new Date(Date.now() + breakGlassMinutes * 60_000);
    await tx.insert(casesBreakGlass).values({
      id,
      caseId,
      organisationId: loaded.row.organisationId,
      personId: member.personId,
      reasonSealed: (await sealJson(
        ctx.kernel,
        tx,
        {
          organisationId: loaded.row.organisationId,
          table: 'cases_break_glass',
          column: 'reason_sealed',
          rowId: id,
        },
        input.reason,
      ))!,
      expiresAt: until,
    });
    await recordAudit(
      tx,
      {
        action: 'cases.break_glass_opened',
        organisationId: loaded.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: { until: until.toISOString() },
      },
      ctx.audit,
    );
    await notifyBreakGlass(ctx, tx, {
      organisationId: loaded.row.organisationId,
      caseId,
      reference: loaded.row.reference,
      personId: member.personId,
      until,
    });
    return { caseId, until: until.toISOString() };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Duplicates, history, statistics
// ---------------------------------------------------------------------------------------------------------

/**
 * Is this person already a case of ours? Compares blind-index digests only. A match on a case the caller may
 * not open is reported without its id or reference ("ask a supervisor").
 */
export async function checkDuplicates(
  ctx: Ctx,
  input: {
    documentNumbers: string[];
    firstName?: string;
    secondName?: string;
    birthYear?: number;
    excludeCaseId?: string;
  },
) {
  const member = requireCaseMember(ctx);
  const organisationId = member.membership.organisationId;
  const wanted: { on: 'document' | 'name_birth_year'; digests: string[] }[] = [];
  for (const number of input.documentNumbers)
    wanted.push({
      on: 'document',
      digests: await lookupCandidates(ctx.kernel, ctx.kernel.database.db, organisationId, 'document', number),
    });
  if (input.secondName && input.birthYear !== undefined)
    wanted.push({
      on: 'name_birth_year',
      digests: await lookupCandidates(
        ctx.kernel,
        ctx.kernel.database.db,
        organisationId,
        'name_birth_year',
        nameBirthYear(input.firstName ?? '', input.secondName, input.birthYear),
      ),
    });
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const matches: { on: 'document' | 'name_birth_year'; caseId: string | null; reference: string | null }[] =
      [];
    for (const { on, digests } of wanted) {
      const rows = await tx
        .selectDistinct({
          caseId: casesLookup.caseId,
          reference: casesFiles.reference,
          visible: sql<boolean>`${visibleCases(member)}`,
        })
        .from(casesLookup)
        .innerJoin(casesFiles, eq(casesFiles.id, casesLookup.caseId))
        .where(
          and(
            eq(casesLookup.organisationId, organisationId),
            eq(casesLookup.kind, on),
            inArray(casesLookup.digest, digests),
            input.excludeCaseId ? ne(casesLookup.caseId, input.excludeCaseId) : undefined,
          ),
        );
      for (const row of rows)
        matches.push(
          row.visible
            ? { on, caseId: row.caseId, reference: row.reference }
            : { on, caseId: null, reference: null },
        );
    }
    await recordAudit(
      tx,
      {
        action: 'cases.duplicates_checked',
        organisationId,
        objectType: 'organisation',
        objectId: organisationId,
        details: { matches: matches.length },
      },
      ctx.audit,
    );
    return { matches };
  });
}

/** Audit actions that read a case (or parts of it) rather than change it. */
const readActions = [
  'cases.case_read',
  // A referral's recipient reading the shared sections (cases.shared.ts): the owner's supervisors see it.
  'cases.case_read_shared',
  'cases.access_history_viewed',
  'cases.attachments_listed',
  'cases.attachment_downloaded',
];

/** A case's timeline (changes) for anyone on it; with reads, its access history (supervisors). */
export async function caseHistory(
  ctx: Ctx,
  caseId: string,
  query: { kind: 'reads' | 'changes' | 'all'; cursor?: string },
) {
  const after = decodeCursor(query.cursor, ['number'] as const);
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    const reached = await reachCase(ctx, tx, caseId);
    // The timeline of changes is for everyone on the case; who read it is for supervisors.
    if (query.kind !== 'changes') requireAbility(reached, 'viewAccessHistory');
    const kind =
      query.kind === 'reads'
        ? sql`and a.action in ${sql`(${sql.join(
            readActions.map((action) => sql`${action}`),
            sql`, `,
          )})`}`
        : query.kind === 'changes'
          ? sql`and a.action not in ${sql`(${sql.join(
              readActions.map((action) => sql`${action}`),
              sql`, `,
            )})`}`
          : sql``;
    const rows = await queryRows<{
      id: string;
      occurred_at: Date;
      action: string;
      person_id: string | null;
      name: string | null;
      details: { sections?: string[] };
    }>(
      tx,
      sql`select a.id, a.occurred_at, a.action, a.actor_person_id as person_id, p.display_name as name, a.details
          from kernel_audit a left join ${identityPeople} p on p.id = a.actor_person_id
          where a.object_type = 'case_file' and a.object_id = ${caseId}
            and a.organisation_id = ${reached.row.organisationId} ${kind}
            ${after ? sql`and a.id < ${after[0]}` : sql``}
          order by a.id desc limit 51`,
    );
    await recordAudit(
      tx,
      {
        action: 'cases.access_history_viewed',
        organisationId: reached.row.organisationId,
        objectType: 'case_file',
        objectId: caseId,
        details: {},
      },
      ctx.audit,
    );
    const page = rows.slice(0, 50);
    return {
      items: page.map((row) => ({
        at: new Date(row.occurred_at).toISOString(),
        action: row.action,
        person: row.person_id ? { personId: row.person_id, name: row.name ?? '' } : null,
        sections: Array.isArray(row.details.sections) ? row.details.sections : [],
      })),
      nextCursor: rows.length > 50 ? encodeCursor([Number(page.at(-1)!.id)]) : null,
    };
  });
}

/**
 * The organisation's de-identified statistics (analysts and supervisors): counts per picklist value, with
 * small cells hidden (a count of 1 or 2 can point at a person).
 */
export async function caseStatistics(ctx: Ctx) {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || !actor.membership) throw new AppError('forbidden');
  const organisationId = actor.membership.organisationId;
  return inTransaction(ctx.kernel.database.db, async (tx) => {
    await setTenant(tx, organisationId);
    const scalar = (expression: SQL) =>
      queryRows<{ value: string | null; count: number }>(
        tx,
        sql`select ${expression} as value, count(*)::int as count from ${casesFiles}
            where organisation_id = ${organisationId} and not draft group by 1`,
      );
    const list = (key: string) =>
      queryRows<{ value: string | null; count: number }>(
        tx,
        sql`select v as value, count(*)::int as count from ${casesFiles},
              jsonb_array_elements_text(coalesce(victim -> ${key}, profile -> ${key}, '[]'::jsonb)) v
            where organisation_id = ${organisationId} and not draft group by 1`,
      );
    const [total] = await queryRows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from ${casesFiles} where organisation_id = ${organisationId} and not draft`,
    );
    const shape = (rows: { value: string | null; count: number }[], order: readonly string[]) =>
      rows
        .filter((row) => row.value !== null)
        .sort((a, b) => order.indexOf(a.value!) - order.indexOf(b.value!) || b.count - a.count)
        .map((row) => ({ value: row.value!, count: row.count >= statisticsThreshold ? row.count : null }));
    return {
      threshold: statisticsThreshold,
      total: total?.n ?? 0,
      dimensions: {
        status: shape(await scalar(sql`status`), caseStatuses),
        gender: shape(await scalar(sql`profile ->> 'gender'`), genders),
        traffickingStatus: shape(await scalar(sql`victim ->> 'traffickingStatus'`), traffickingStatuses),
        exploitationTypes: shape(await list('exploitationTypes'), exploitationTypes),
        citizenships: shape(await list('citizenships'), []),
      },
    };
  });
}

export { closedStatuses };
