import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../kernel/context.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { fileStoreFor, StoredFileMissing } from '../../kernel/storage/storage.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { stepUp } from '../../test/cases.js';
import { createOrganisation } from '../../test/factories.js';
import {
  buildFullCase,
  call,
  carriedContent,
  sessionIn,
  type FullCase,
  type Session,
} from '../../test/transfers.js';
import { casesAttachments } from './cases.attachments.tables.js';
import { checkTables, headersOf, toHtcdsTables, cellTextOf, type ExchangeCase } from './cases.htcds.js';
import type { CaseFile } from './cases.schemas.js';
import { caseFileRecord, moveCaseFile, transferConsentGiven } from './cases.transfer.js';

/** The sealed columns of every case table, as the keyring places them. */
const sealedColumns: Record<string, string[]> = {
  cases_files: [
    'identity_sealed',
    'contact_sealed',
    'documents_sealed',
    'narrative_sealed',
    'closure_reason_sealed',
  ],
  cases_entries: ['sealed'],
  cases_consents: ['note_sealed'],
  cases_break_glass: ['reason_sealed'],
  cases_lookup: ['value_sealed'],
  cases_attachments: ['key_sealed', 'name_sealed'],
};

describe('cases: moving a case file to another organisation', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let workerA: Session;
  let supervisorA: Session;
  let secondSupervisorA: Session;
  let supervisorB: Session;
  let workerB: Session;

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(t.database.db)).id;
    orgB = (await createOrganisation(t.database.db)).id;
    workerA = await sessionIn(t, orgA, 'caseworker');
    supervisorA = await sessionIn(t, orgA, 'case_supervisor');
    secondSupervisorA = await sessionIn(t, orgA, 'case_supervisor');
    supervisorB = await sessionIn(t, orgB, 'case_supervisor');
    workerB = await sessionIn(t, orgB, 'caseworker');
  });
  afterAll(() => t.close());

  /** A use-case context without a request: what the referrals module's transaction hands the cases module. */
  const ctx = (): Ctx => ({
    kernel: t.app.kernel,
    actor: { kind: 'anonymous' },
    audit: { requestId: `test-${randomUUID()}` },
    language: 'en',
    ip: '127.0.0.1',
    userAgent: null,
  });

  const move = (caseId: string, from = orgA, to = orgB) =>
    inTransaction(t.database.db, (tx) =>
      moveCaseFile(ctx(), tx, {
        caseId,
        fromOrganisationId: from,
        toOrganisationId: to,
        transferId: randomUUID(),
      }),
    );

  /** Every row of a case in every case table, read past row-level security. */
  const rawRows = (caseId: string) =>
    t.database.asOwner(async (owner) => {
      const rows: { table: string; row: Record<string, unknown> }[] = [];
      for (const table of Object.keys(sealedColumns)) {
        const key = table === 'cases_files' ? 'id' : 'case_id';
        for (const row of await queryRows<Record<string, unknown>>(
          owner,
          sql`select * from ${sql.identifier(table)} where ${sql.identifier(key)} = ${caseId}`,
        ))
          rows.push({ table, row });
      }
      for (const table of ['cases_assignments', 'cases_restricted_staff'])
        for (const row of await queryRows<Record<string, unknown>>(
          owner,
          sql`select * from ${sql.identifier(table)} where case_id = ${caseId}`,
        ))
          rows.push({ table, row });
      return rows;
    });

  it('carries everything to the new owner, re-sealed under its key: the old owner no longer finds the case', async () => {
    // B numbers its own cases: the moved case takes B's next reference.
    await stepUp(t.database.db, supervisorB.sessionId);
    const ofB = await call(t, supervisorB, 'POST', '/api/cases', { draft: true });
    expect(ofB.statusCode, ofB.body).toBe(201);
    const full: FullCase = await buildFullCase(t, workerA, { transferTo: orgB });
    const caseId = full.file.id;
    // A restricted case (named: the worker and the supervisor who restricted it) opened by another supervisor
    // through break-glass: its restriction and opening rows move too.
    const restricted = await call(t, supervisorA, 'PUT', `/api/cases/${caseId}/restriction`, {
      restricted: true,
      membershipIds: [workerA.membershipId],
    });
    expect(restricted.statusCode, restricted.body).toBe(200);
    await stepUp(t.database.db, secondSupervisorA.sessionId);
    const glass = await call(t, secondSupervisorA, 'POST', `/api/cases/${caseId}/break-glass`, {
      reason: `${full.marker} night emergency`,
    });
    expect(glass.statusCode, glass.body).toBe(200);
    const before = (await call(t, workerA, 'GET', `/api/cases/${caseId}?reveal=true`)).json<CaseFile>();
    const [oldAttachment] = await t.database.asOwner((owner) =>
      owner.select().from(casesAttachments).where(eq(casesAttachments.caseId, caseId)),
    );

    const moved = await move(caseId);
    expect(moved.previousReference).toBe(full.file.reference);
    expect(moved.reference).toBe(
      `${ofB.json<CaseFile>().reference.slice(0, 5)}${String(Number(ofB.json<CaseFile>().reference.slice(5)) + 1).padStart(4, '0')}`,
    );
    expect([moved.entries, moved.consents, moved.attachments]).toEqual([4, 2, 1]);

    // B's supervisor opens it through the normal cases API: the same survivor, word for word.
    await stepUp(t.database.db, supervisorB.sessionId);
    const opened = await call(t, supervisorB, 'GET', `/api/cases/${caseId}?reveal=true`);
    expect(opened.statusCode, opened.body).toBe(200);
    const after = opened.json<CaseFile>();
    expect(carriedContent(after)).toEqual(carriedContent(before));
    expect(after.reference).toBe(moved.reference);
    expect(after.version).toBe(before.version + 1);
    expect(after.restricted).toBe(false);
    expect(after.assignees).toEqual([]);
    expect(after.restrictedTo).toEqual([]);
    expect(after.entries.every((entry) => entry.assignee === null)).toBe(true);
    // Its attachment downloads to the same bytes, under the same name.
    const list = await call(t, supervisorB, 'GET', `/api/cases/${caseId}/attachments?reveal=true`);
    expect(list.json<{ items: { id: string; name: string }[] }>().items).toEqual([
      expect.objectContaining({ id: full.attachmentId, name: full.attachmentName }),
    ]);
    const download = await call(
      t,
      supervisorB,
      'GET',
      `/api/cases/${caseId}/attachments/${full.attachmentId}/content`,
    );
    expect(download.statusCode, download.body).toBe(200);
    expect(download.rawPayload.equals(full.attachmentBytes)).toBe(true);
    // B's caseworker is not on it until B's supervisor assigns them.
    expect((await call(t, workerB, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(404);
    const assigned = await call(t, supervisorB, 'PUT', `/api/cases/${caseId}/assignments`, {
      membershipIds: [workerB.membershipId],
      primaryMembershipId: workerB.membershipId,
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect((await call(t, workerB, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(200);

    // A no longer finds it, by any road.
    for (const session of [workerA, supervisorA, secondSupervisorA]) {
      expect((await call(t, session, 'GET', `/api/cases/${caseId}`)).statusCode).toBe(404);
      expect((await call(t, session, 'GET', `/api/cases/${caseId}/attachments`)).statusCode).toBe(404);
    }
    expect(
      (await call(t, supervisorA, 'GET', '/api/cases?scope=organisation'))
        .json<{ items: { id: string }[] }>()
        .items.map((item) => item.id),
    ).not.toContain(caseId);
    // Duplicate checks: A's lookup no longer finds the document number, B's does.
    const check = { documentNumbers: [full.documentNumber] };
    expect((await call(t, supervisorA, 'POST', '/api/cases/duplicate-checks', check)).json()).toEqual({
      matches: [],
    });
    expect((await call(t, supervisorB, 'POST', '/api/cases/duplicate-checks', check)).json()).toEqual({
      matches: [{ on: 'document', caseId, reference: moved.reference }],
    });
    const byName = {
      secondName: `${full.marker}Family`,
      firstName: `${full.marker}First`,
      birthYear: 1998,
      documentNumbers: [],
    };
    expect(
      (await call(t, supervisorA, 'POST', '/api/cases/duplicate-checks', byName)).json<{
        matches: unknown[];
      }>().matches,
    ).toEqual([]);
    expect(
      (await call(t, supervisorB, 'POST', '/api/cases/duplicate-checks', byName)).json<{
        matches: unknown[];
      }>().matches,
    ).toHaveLength(1);

    // The raw rows: every row is B's, assignments and restricted staff are gone, and every sealed value opens
    // at B's location only — nothing sealed under A's key (or for A's location) is left.
    const rows = await rawRows(caseId);
    expect(
      rows.filter(({ table }) => table === 'cases_assignments').map(({ row }) => row.membership_id),
    ).toEqual([workerB.membershipId]);
    expect(rows.filter(({ table }) => table === 'cases_restricted_staff')).toEqual([]);
    const counted = new Map<string, number>();
    for (const { table, row } of rows) {
      expect(row.organisation_id, table).toBe(orgB);
      for (const column of sealedColumns[table] ?? []) {
        const value = row[column];
        if (typeof value !== 'string') continue;
        counted.set(table, (counted.get(table) ?? 0) + 1);
        const at = (organisationId: string) => ({ organisationId, table, column, rowId: String(row.id) });
        await expect(t.app.kernel.keys.openField(t.database.db, at(orgB), value)).resolves.toBeTypeOf(
          'string',
        );
        await expect(t.app.kernel.keys.openField(t.database.db, at(orgA), value)).rejects.toThrow();
      }
    }
    expect(Object.fromEntries(counted)).toEqual({
      cases_files: 4,
      cases_entries: 4,
      cases_consents: 2,
      cases_break_glass: 1,
      cases_lookup: 2,
      cases_attachments: 2,
    });
    // The attachment was written again (new storage key); the old file is gone, the new one does not open
    // with the old file's place.
    const [newAttachment] = await t.database.asOwner((owner) =>
      owner.select().from(casesAttachments).where(eq(casesAttachments.caseId, caseId)),
    );
    expect(newAttachment!.storageKey).not.toBe(oldAttachment!.storageKey);
    await expect(fileStoreFor(t.config).get(oldAttachment!.storageKey)).rejects.toBeInstanceOf(
      StoredFileMissing,
    );

    // Both trails say it, with nothing from the case; B's case history starts with the arrival.
    const audit = await t.database.asOwner((owner) =>
      queryRows<{ action: string; organisation_id: string; details: Record<string, unknown> }>(
        owner,
        sql`select action, organisation_id, details from kernel_audit
            where object_id = ${caseId} and action like 'cases.case_transferred_%' order by id`,
      ),
    );
    expect(audit.map((row) => [row.action, row.organisation_id])).toEqual([
      ['cases.case_transferred_out', orgA],
      ['cases.case_transferred_in', orgB],
    ]);
    expect(audit[0]!.details).toMatchObject({
      toOrganisationId: orgB,
      previousReference: full.file.reference,
    });
    expect(audit[1]!.details).toMatchObject({ fromOrganisationId: orgA, reference: moved.reference });
    expect(JSON.stringify(audit)).not.toContain(full.marker);
    const history = await call(t, supervisorB, 'GET', `/api/cases/${caseId}/history?kind=changes`);
    const actions = history.json<{ items: { action: string }[] }>().items.map((item) => item.action);
    expect(actions).toContain('cases.case_transferred_in');
    expect(actions).not.toContain('cases.case_created');
    expect(t.rawLogs()).not.toContain(full.marker);
  });

  it('refuses a case with a closure waiting for a supervisor, and moves nothing', async () => {
    const full = await buildFullCase(t, workerA, { transferTo: orgB });
    const asked = await call(t, workerA, 'POST', `/api/cases/${full.file.id}/closure-request`, {
      status: 'Closed',
      reason: 'Services delivered.',
    });
    expect(asked.statusCode, asked.body).toBe(200);
    const refused = await move(full.file.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('conflict');
    expect((await call(t, workerA, 'GET', `/api/cases/${full.file.id}`)).statusCode).toBe(200);
    expect((await call(t, supervisorB, 'GET', `/api/cases/${full.file.id}`)).statusCode).toBe(404);
  });

  it('leaves the case whole with its owner when the transaction it moved in rolls back', async () => {
    const full = await buildFullCase(t, workerA, { transferTo: orgB });
    const before = await rawRows(full.file.id);
    let written: Awaited<ReturnType<typeof move>> | undefined;
    const failed = await inTransaction(t.database.db, async (tx) => {
      written = await moveCaseFile(ctx(), tx, {
        caseId: full.file.id,
        fromOrganisationId: orgA,
        toOrganisationId: orgB,
        transferId: randomUUID(),
      });
      throw new Error('a later step of the transfer failed');
    }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    await written!.discard();
    expect(await rawRows(full.file.id)).toEqual(before);
    await stepUp(t.database.db, workerA.sessionId);
    const download = await call(
      t,
      workerA,
      'GET',
      `/api/cases/${full.file.id}/attachments/${full.attachmentId}/content`,
    );
    expect(download.statusCode, download.body).toBe(200);
    expect(download.rawPayload.equals(full.attachmentBytes)).toBe(true);
  });

  it('keeps the owner’s record of the case as it held it, and checks a Transfer consent by its recipient', async () => {
    const full = await buildFullCase(t, workerA, { transferTo: orgB });
    const record = await inTransaction(t.database.db, (tx) =>
      caseFileRecord(ctx(), tx, { caseId: full.file.id, organisationId: orgA }),
    );
    expect(record.identity).toEqual(full.file.identity);
    expect(record.narrative).toEqual(full.file.narrative);
    expect(record.entries.map((entry) => entry.fields)).toEqual(
      full.file.entries.map((entry) => entry.fields),
    );
    expect(record.consents.map((consent) => consent.note)).toEqual(
      full.file.consents.map((consent) => consent.note),
    );
    expect(record.attachments).toEqual([
      expect.objectContaining({ id: full.attachmentId, name: full.attachmentName }),
    ]);
    expect(record.assignees.map((assignee) => assignee.personId)).toEqual([workerA.personId]);
    const given = (recipient: string) =>
      inTransaction(t.database.db, (tx) =>
        transferConsentGiven(tx, {
          caseId: full.file.id,
          ownerOrganisationId: orgA,
          recipientOrganisationId: recipient,
        }),
      );
    expect(await given(orgB)).toBe(true);
    expect(await given((await createOrganisation(t.database.db)).id)).toBe(false);
    // A Care consent never counts, and a revoked Transfer consent no longer does.
    const transfer = full.file.consents.find((consent) => consent.purpose === 'Transfer')!;
    const revoked = await call(
      t,
      workerA,
      'POST',
      `/api/cases/${full.file.id}/consents/${transfer.id}/revoke`,
    );
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await given(orgB)).toBe(false);
  });

  it('records a Transfer consent only with the organisation it names', async () => {
    const full = await buildFullCase(t, workerA);
    const url = `/api/cases/${full.file.id}/consents`;
    const without = await call(t, workerA, 'POST', url, {
      purpose: 'Transfer',
      sections: ['profile'],
      givenOn: '2026-01-02',
    });
    expect(without.statusCode).toBe(400);
    expect(without.json<{ errors: { path: string; code: string }[] }>().errors).toEqual([
      expect.objectContaining({
        path: 'body.recipientOrganisationId',
        code: 'cases.consent_recipient_required',
      }),
    ]);
    const care = await call(t, workerA, 'POST', url, {
      purpose: 'Care',
      recipientOrganisationId: orgB,
      sections: ['profile'],
      givenOn: '2026-01-02',
    });
    expect(care.statusCode).toBe(400);
    const named = await call(t, workerA, 'POST', url, {
      purpose: 'Transfer',
      recipientOrganisationId: orgB,
      sections: ['profile'],
      givenOn: '2026-01-02',
    });
    expect(named.statusCode, named.body).toBe(201);
    expect(named.json()).toMatchObject({
      purpose: 'Transfer',
      recipientOrganisation: { id: orgB },
      active: true,
    });
  });
});

describe('cases: a Transfer consent in HTCDS exchange', () => {
  const recipient = randomUUID();
  const file: ExchangeCase = {
    key: '2026-0007',
    case: { status: 'Active', draft: false, openedOn: '2026-01-02' },
    profile: { gender: 'Feminine', citizenships: ['KE'] },
    victim: {
      traffickingStatus: 'PossibleVictimOfTrafficking',
      methodsOfControl: [],
      exploitationTypes: [],
      recruitmentMethods: [],
      recruitmentWebsitesAndApps: [],
      sexExploitationTypes: [],
      exploitationWebsitesAndApps: [],
      vulnerabilities: [],
    },
    perpetrators: [],
    events: [],
    supportPlan: [],
    followUps: [],
    comments: [],
    consents: [
      {
        purpose: 'Transfer',
        recipientOrganisationId: recipient,
        sections: ['profile', 'victim'],
        givenOn: '2026-01-03',
      },
    ],
  };

  /** The exported tables read back as an import would see them. */
  const readBack = (tables: ReturnType<typeof toHtcdsTables>) =>
    (['cases', 'consents'] as const).map((type) => {
      const headers = headersOf(type);
      return {
        type,
        headers,
        rows: tables[type].map((record, index) => ({
          row: index + 2,
          cells: headers.map((header) => cellTextOf(record[header])),
        })),
        text: true,
      };
    });

  it('exports the purpose and its recipient, and imports them back', () => {
    const tables = toHtcdsTables([file]);
    expect(tables.consents[0]).toMatchObject({
      cairn_Purpose: 'Transfer',
      cairn_RecipientOrganisationId: recipient,
    });
    const back = checkTables(readBack(tables), { incomplete: 'refuse' });
    expect(back.issues).toEqual([]);
    expect(back.cases[0]!.consents).toEqual([
      {
        purpose: 'Transfer',
        recipientOrganisationId: recipient,
        sections: ['profile', 'victim'],
        givenOn: '2026-01-03',
      },
    ]);
  });

  it('refuses an imported Transfer consent that names no recipient', () => {
    const tables = toHtcdsTables([
      { ...file, consents: [{ purpose: 'Transfer', sections: ['profile'], givenOn: '2026-01-03' }] },
    ]);
    const back = checkTables(readBack(tables), { incomplete: 'refuse' });
    expect(back.issues.map((issue) => [issue.record, issue.code])).toEqual([
      ['consents', 'cases.consent_recipient_required'],
    ]);
  });
});
