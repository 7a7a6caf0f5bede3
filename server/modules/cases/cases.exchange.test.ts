import { randomBytes, randomUUID } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import { configure, Uint8ArrayReader, Uint8ArrayWriter, ZipReader, ZipWriter } from '@zip.js/zip.js';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { stepUp } from '../../test/cases.js';
import { testDatabaseKind } from '../../test/db.js';
import { createMember, createOrganisation, signIn } from '../../test/factories.js';
import { regionsOf, searchPlaces } from '../directory/index.js';
import type { CaseImport, ExportRequest } from './cases.exchange.schemas.js';
import { htcdsAttribution } from './cases.htcds.js';
import type { CaseFile } from './cases.schemas.js';

configure({ useWebWorkers: false });

interface Session {
  cookie: string;
  sessionId: string;
  personId: string;
  membershipId: string;
  organisationId: string;
}

/** A unique marker in every identifying field: outside an authorised, decrypted export it must never appear. */
const marker = `Canary${randomUUID().replaceAll('-', '').slice(0, 12)}`;
/** The archives' password: it must never reach a table, a log line or an audit row. */
const password = `pw ${randomUUID()}`;
const csvType = 'text/csv';
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A zip built by hand (for a bomb no honest tool would make). */
function zipOf(entries: { name: string; data: Buffer; size?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const packed = deflateRawSync(entry.data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc32(entry.data), 14);
    header.writeUInt32LE(packed.length, 18);
    header.writeUInt32LE(entry.size ?? entry.data.length, 22);
    header.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(entry.data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(entry.size ?? entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(header, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The files of a zip archive (decrypted with the password, when given). */
async function unzip(archive: Buffer, withPassword?: string): Promise<Map<string, Buffer>> {
  const reader = new ZipReader(new Uint8ArrayReader(new Uint8Array(archive)), {
    ...(withPassword ? { password: withPassword } : {}),
  });
  const files = new Map<string, Buffer>();
  for (const entry of await reader.getEntries())
    if (!entry.directory) files.set(entry.filename, Buffer.from(await entry.getData(new Uint8ArrayWriter())));
  await reader.close();
  return files;
}

/** A plain (unencrypted) zip of some files, as a person re-zipping an export's CSV files would make. */
async function plainZip(files: Map<string, Buffer>): Promise<Buffer> {
  const writer = new ZipWriter(new Uint8ArrayWriter());
  for (const [name, data] of files)
    if (name.endsWith('.csv')) await writer.add(name, new Uint8ArrayReader(new Uint8Array(data)));
  return Buffer.from(await writer.close());
}

/**
 * The WinZip-AES marks of every local entry of an archive, read from its bytes (not through the library
 * that wrote it): encrypted flag, compression method 99, and an AES extra field (0x9901, vendor "AE").
 */
function aesEntries(
  archive: Buffer,
): { name: string; encrypted: boolean; method: number; strength: number }[] {
  const out: { name: string; encrypted: boolean; method: number; strength: number }[] = [];
  let at = archive.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  while (at >= 0) {
    const flags = archive.readUInt16LE(at + 6);
    const method = archive.readUInt16LE(at + 8);
    const nameLength = archive.readUInt16LE(at + 26);
    const extraLength = archive.readUInt16LE(at + 28);
    const name = archive.toString('utf8', at + 30, at + 30 + nameLength);
    let strength = 0;
    for (let p = at + 30 + nameLength; p < at + 30 + nameLength + extraLength;) {
      const id = archive.readUInt16LE(p);
      const size = archive.readUInt16LE(p + 2);
      if (id === 0x9901 && archive.toString('latin1', p + 6, p + 8) === 'AE') strength = archive[p + 8]!;
      p += 4 + size;
    }
    out.push({ name, encrypted: (flags & 1) === 1, method, strength });
    at = archive.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), at + 30);
  }
  return out;
}

describe('cases: HTCDS export and import', () => {
  let t: TestApp;
  let orgA: string;
  let recipientOrg: string;
  let worker: Session;
  let otherWorker: Session;
  let supervisor: Session;
  let secondSupervisor: Session;
  let originals: CaseFile[];
  const targets: Record<
    'json' | 'csv' | 'xlsx' | 'broken' | 'forms',
    { supervisor: Session; worker: Session }
  > = {} as never;

  const db = () => t.database.db;

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const m = await createMember(db(), { role, organisationId });
    const { cookie, sessionId } = await signIn(db(), m.personId, { membershipId: m.membership.id });
    return { cookie, sessionId, personId: m.personId, membershipId: m.membership.id, organisationId };
  }

  function call(
    session: Session | null,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    payload?: unknown,
  ) {
    return t.app.inject({
      method,
      url,
      headers: session ? { cookie: session.cookie } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  async function ok<T>(
    response: Promise<LightMyRequestResponse> | LightMyRequestResponse,
    status = 200,
  ): Promise<T> {
    const res = await response;
    expect(res.statusCode, res.body.slice(0, 500)).toBe(status);
    return res.json<T>();
  }

  function upload(
    session: Session,
    body: Buffer | string,
    contentType: string,
    query: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const search = new URLSearchParams({ fileName: 'import-file', ...query });
    return t.app.inject({
      method: 'POST',
      url: `/api/cases/imports?${search.toString()}`,
      headers: { cookie: session.cookie, 'content-type': contentType },
      payload: body,
      // Uploads are limited per address; each test upload comes from its own.
      remoteAddress: `10.${randomBytes(3).join('.')}`,
    });
  }

  async function caseIdsOf(session: Session): Promise<string[]> {
    const page = await ok<{ items: { id: string; reference: string }[] }>(
      call(session, 'GET', '/api/cases?scope=organisation&limit=100'),
    );
    return page.items.sort((a, b) => a.reference.localeCompare(b.reference)).map((item) => item.id);
  }

  const revealed = (session: Session, caseId: string) =>
    ok<CaseFile>(call(session, 'GET', `/api/cases/${caseId}?reveal=true`));

  /** Everything a case says, in a form two organisations' copies can be compared in. */
  function sectionsOf(file: CaseFile) {
    const entries = (kind: string) =>
      file.entries
        .filter((entry) => entry.kind === kind)
        .map((entry) => {
          const { assigneeMembershipId: _assignee, ...fields } = entry.fields;
          return { fields, done: entry.doneAt !== null, dueOn: entry.dueOn };
        });
    return {
      status: file.status,
      draft: file.draft,
      openedOn: file.openedOn,
      closedOn: file.closedOn,
      identity: file.identity,
      contact: file.contact,
      documents: file.documents,
      narrative: file.narrative,
      profile: file.profile,
      victim: file.victim,
      perpetrators: entries('perpetrator'),
      events: entries('event'),
      supportPlan: entries('supportPlan'),
      followUps: entries('followUp'),
      comments: file.entries
        .filter((entry) => entry.kind === 'comment')
        .map((entry) => ({ body: entry.fields.body, at: entry.createdAt })),
      consents: file.consents.map((consent) => ({
        purpose: consent.purpose,
        recipient: consent.recipientOrganisation?.id ?? null,
        sections: consent.sections,
        givenOn: consent.givenOn,
        expiresOn: consent.expiresOn,
        note: consent.note,
        revoked: consent.revokedAt !== null,
        active: consent.active,
      })),
    };
  }

  async function countCases(organisationId: string): Promise<number> {
    return t.database.asOwner(async (owner) => {
      const [row] = await queryRows<{ n: number }>(
        owner,
        sql`select count(*)::int as n from cases_files where organisation_id = ${organisationId}`,
      );
      return row!.n;
    });
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(db())).id;
    recipientOrg = (await createOrganisation(db())).id;
    worker = await sessionIn(orgA, 'caseworker');
    otherWorker = await sessionIn(orgA, 'caseworker');
    supervisor = await sessionIn(orgA, 'case_supervisor');
    secondSupervisor = await sessionIn(orgA, 'case_supervisor');
    for (const name of ['json', 'csv', 'xlsx', 'broken', 'forms'] as const) {
      const organisationId = (await createOrganisation(db())).id;
      targets[name] = {
        supervisor: await sessionIn(organisationId, 'case_supervisor'),
        worker: await sessionIn(organisationId, 'caseworker'),
      };
    }

    // Case 1: every section, every kind of entry, three consents (one to another organisation, one revoked).
    const dar = searchPlaces('Dar es Salaam', { country: 'TZ', limit: 5 }).find(
      (p) => p.name === 'Dar es Salaam',
    )!;
    const omanRegion = regionsOf('OM')[0]!.code;
    const first = await ok<CaseFile>(
      call(worker, 'POST', '/api/cases', {
        identity: {
          salutation: 'Ms',
          firstName: `${marker}First`,
          middleName: `${marker}Middle`,
          secondName: `${marker}Family`,
          title: `${marker}Title`,
          aliases: [`${marker}Alias`, `${marker}Other`],
          birthDate: '1999-04-12',
        },
        contact: {
          email: `${marker.toLowerCase()}@example.org`,
          homePhone: `+255 22 ${marker}`,
          mobilePhone: `+255 ${marker}`,
          street: `${marker} street 4`,
          city: `${marker}City`,
          state: `${marker}State`,
          postalCode: '11101',
          country: 'TZ',
        },
        documents: [
          { type: 'Passport', number: `P${marker}`, issuingCountry: 'TZ' },
          { type: 'NationalId', number: `N${marker}` },
        ],
        narrative: {
          account: `${marker} account: "recruited", then; moved =SUM(A1) across\nthe border`,
          detailsOfVulnerabilities: `${marker} details`,
        },
        profile: {
          gender: 'Feminine',
          deceased: false,
          maritalStatus: 'Single',
          numberOfChildren: 1,
          education: 'PrimaryEducation',
          citizenships: ['TZ', 'KE'],
          primaryLanguage: 'sw',
          secondaryLanguage: 'en',
        },
        victim: {
          agreementToManagePersonalData: true,
          traffickingStatus: 'ActualVictimOfTrafficking',
          statusDecidedBy: 'NGO',
          relationshipToTrafficker: 'Unaquainted',
          ageWhenTrafficked: 19,
          recruitmentMethods: ['ThroughOnlineSocialNetworks'],
          recruitmentWebsitesAndApps: ['Facebook', 'WhatsApp'],
          recruitmentCountry: 'TZ',
          methodsOfControl: ['WithholdsDocuments', 'RestrictsMovement', 'DebtBondage'],
          exploitationTypes: ['ForcedLabour', 'ForcedCriminality'],
          forcedLabourIndustry: 'T_ActivitiesOfHouseholdsAsEmployers',
          sexExploitationTypes: [],
          exploitationWebsitesAndApps: ['Telegram'],
          exploitationCountry: 'OM',
          vulnerabilities: ['Poverty', 'Migration'],
        },
      }),
      201,
    );
    const entry = (body: Record<string, unknown>) =>
      ok(call(worker, 'POST', `/api/cases/${first.id}/entries`, body), 201);
    await entry({
      kind: 'perpetrator',
      roles: ['RecruiterOrIntermediary', 'Exploiter'],
      nationality: 'OM',
      name: `${marker}Recruiter`,
      aliases: [`${marker}Boss`],
      phone: `+968 ${marker}`,
      roleDetails: `${marker} ran the agency`,
    });
    await entry({ kind: 'perpetrator', roles: ['Transporter'] });
    await entry({
      kind: 'event',
      type: 'Recruitment',
      country: 'TZ',
      placeId: dar.id,
      date: '2023-05-01',
      street: `${marker} market`,
      description: `${marker} met the recruiter`,
    });
    await entry({
      kind: 'event',
      type: 'Exploitation',
      country: 'OM',
      region: omanRegion,
      date: '2023-06-10',
    });
    await entry({
      kind: 'supportPlan',
      type: 'Legal',
      status: 'InProgress',
      plannedEndDate: '2031-06-30',
      objectives: `${marker} residence permit`,
      actionPlan: `${marker} lawyer`,
    });
    await entry({ kind: 'supportPlan', type: 'Health', status: 'Achieved', actualEndDate: '2024-01-01' });
    await entry({ kind: 'followUp', dueOn: '2031-01-01', note: `${marker} call` });
    await entry({ kind: 'followUp', dueOn: '2024-02-01', done: true });
    await entry({ kind: 'comment', body: `${marker} first contact` });
    await entry({ kind: 'comment', body: 'second comment' });
    const consent = (body: Record<string, unknown>) =>
      ok<{ id: string }>(call(worker, 'POST', `/api/cases/${first.id}/consents`, body), 201);
    await consent({
      purpose: 'Care',
      sections: ['identity', 'profile', 'victim'],
      givenOn: '2026-01-05',
      note: `${marker} consent note`,
    });
    await consent({
      purpose: 'Referral',
      recipientOrganisationId: recipientOrg,
      sections: ['profile', 'victim', 'supportPlan'],
      givenOn: '2026-01-06',
      expiresOn: '2030-01-01',
    });
    const research = await consent({ purpose: 'Research', sections: ['victim'], givenOn: '2026-01-07' });
    await ok(call(worker, 'POST', `/api/cases/${first.id}/consents/${research.id}/revoke`));

    // Case 2: closed with a supervisor's approval (its closure reason is sealed).
    const second = await ok<CaseFile>(
      call(worker, 'POST', '/api/cases', {
        identity: { firstName: `${marker}Two`, secondName: `${marker}Second`, aliases: [], birthYear: 2001 },
        profile: { gender: 'Masculine', citizenships: ['UG'] },
        victim: { traffickingStatus: 'PossibleVictimOfTrafficking', exploitationTypes: ['ForcedBegging'] },
      }),
      201,
    );
    await ok(
      call(worker, 'POST', `/api/cases/${second.id}/closure-request`, {
        status: 'ClosedReferred',
        reason: `${marker} referred on`,
      }),
    );
    await ok(call(supervisor, 'POST', `/api/cases/${second.id}/closure-decision`, { decision: 'approve' }));

    // Case 3: a draft without identifying sections.
    const third = await ok<CaseFile>(
      call(worker, 'POST', '/api/cases', {
        draft: true,
        profile: { gender: 'NonConforming', citizenships: [] },
      }),
      201,
    );

    await stepUp(db(), worker.sessionId);
    originals = [
      await revealed(worker, first.id),
      await revealed(worker, second.id),
      await revealed(worker, third.id),
    ];
  });
  afterAll(() => t.close());

  it('exports one case only after a step-up, as a WinZip AES-256 archive that opens with its password only', async () => {
    const url = `/api/cases/${originals[0]!.id}/export`;
    await stepUp(db(), worker.sessionId, new Date(Date.now() - 10 * 60_000));
    const refused = await call(worker, 'POST', url, { format: 'json', password });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ code: string }>().code).toBe('step_up_required');
    await stepUp(db(), worker.sessionId);
    const short = await call(worker, 'POST', url, { format: 'json', password: 'too short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).not.toContain('too short');
    const blank = await call(worker, 'POST', url, { format: 'json', password: ' '.repeat(14) });
    expect(blank.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('cases.export_password_blank');
    // Not assigned: the case does not exist for the other caseworker.
    await stepUp(db(), otherWorker.sessionId);
    expect((await call(otherWorker, 'POST', url, { format: 'json', password })).statusCode).toBe(404);

    const res = await call(worker, 'POST', url, { format: 'json', password });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="cairn-htcds-\d{4}-\d{4}-/);
    const archive = res.rawPayload;
    expect(archive.includes(Buffer.from(marker))).toBe(false);
    const entries = aesEntries(archive);
    expect(entries.map((e) => e.name).sort()).toEqual(['README.txt', 'cases.json']);
    for (const entry of entries) expect(entry).toMatchObject({ encrypted: true, method: 99, strength: 3 });
    await expect(unzip(archive, 'not the password at all')).rejects.toThrow();
    const files = await unzip(archive, password);
    expect(files.get('README.txt')!.toString('utf8')).toContain(htcdsAttribution);
    const document = JSON.parse(files.get('cases.json')!.toString('utf8')) as {
      attribution: string;
      includesIdentifying: boolean;
      cases: Record<string, unknown>[];
    };
    expect(document.attribution).toBe(htcdsAttribution);
    expect(document.includesIdentifying).toBe(false);
    const [record] = document.cases;
    // Without the identifying sections: picklists, codes and dates only.
    expect(JSON.stringify(document)).not.toContain(marker);
    expect(record).toMatchObject({
      _case_key: originals[0]!.reference,
      prs_Gender: 'Feminine',
      prs_Citizenship: ['TZ', 'KE'],
      vic_MethodsOfControl: ['WithholdsDocuments', 'RestrictsMovement', 'DebtBondage'],
      _extensions: ['vic_MethodsOfControl=RestrictsMovement', 'vic_TypeOfExploitation=ForcedCriminality'],
    });
    expect(record!.perpetrators).toEqual([
      { per_RoleInProcess: ['RecruiterOrIntermediary', 'Exploiter'], prs_Citizenship: 'OM' },
      { per_RoleInProcess: ['Transporter'] },
    ]);
    expect(record!.case_comments).toBeUndefined();
  });

  it('refuses a bulk export without a second supervisor, and lets its requester download it once', async () => {
    const ids = originals.map((file) => file.id);
    const body = { scope: 'selected', caseIds: ids, format: 'csv', includeIdentifying: true };
    expect((await call(worker, 'POST', '/api/cases/exports', body)).statusCode).toBe(403);
    const one = await call(supervisor, 'POST', '/api/cases/exports', { ...body, caseIds: [ids[0]] });
    expect(one.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('cases.export_needs_cases');
    const foreign = await call(supervisor, 'POST', '/api/cases/exports', {
      ...body,
      caseIds: [ids[0], randomUUID()],
    });
    expect(foreign.json<{ errors: { path: string; code: string }[] }>().errors[0]).toMatchObject({
      path: 'body.caseIds.1',
      code: 'cases.export_case_unknown',
    });
    const request = await ok<ExportRequest>(call(supervisor, 'POST', '/api/cases/exports', body), 201);
    expect(request).toMatchObject({
      status: 'pending',
      caseCount: 3,
      abilities: { decide: false, download: false },
    });
    const url = `/api/cases/exports/${request.id}`;
    await stepUp(db(), supervisor.sessionId);
    // Not approved yet: nothing to download.
    expect((await call(supervisor, 'POST', `${url}/download`, { password })).statusCode).toBe(409);
    // Four eyes: the requester cannot approve their own request.
    expect((await call(supervisor, 'POST', `${url}/decision`, { decision: 'approve' })).statusCode).toBe(403);
    // Approving needs a step-up too.
    await stepUp(db(), secondSupervisor.sessionId, new Date(Date.now() - 10 * 60_000));
    const unstepped = await call(secondSupervisor, 'POST', `${url}/decision`, { decision: 'approve' });
    expect(unstepped.json<{ code: string }>().code).toBe('step_up_required');
    await stepUp(db(), secondSupervisor.sessionId);
    const listed = await ok<{ items: ExportRequest[] }>(call(secondSupervisor, 'GET', '/api/cases/exports'));
    expect(listed.items.find((item) => item.id === request.id)?.abilities.decide).toBe(true);
    const approved = await ok<ExportRequest>(
      call(secondSupervisor, 'POST', `${url}/decision`, { decision: 'approve' }),
    );
    expect(approved.status).toBe('approved');
    expect(new Date(approved.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);
    // Only the requester downloads.
    expect((await call(secondSupervisor, 'POST', `${url}/download`, { password })).statusCode).toBe(403);
    const archive = await call(supervisor, 'POST', `${url}/download`, { password });
    expect(archive.statusCode, archive.body.slice(0, 300)).toBe(200);
    const files = await unzip(archive.rawPayload, password);
    expect([...files.keys()].sort()).toEqual(
      [
        'README.txt',
        'cases.csv',
        'perpetrators.csv',
        'trafficking_events.csv',
        'support_plan.csv',
        'case_comments.csv',
        'follow_ups.csv',
        'consents.csv',
        'identity_documents.csv',
      ].sort(),
    );
    const casesCsv = files.get('cases.csv')!.toString('utf8');
    expect(casesCsv.split('\r\n')[0]).toMatch(/^\ufeff_case_key,prs_Salutation,prs_FirstName,/);
    expect(casesCsv).toContain(`${marker}First`);
    // Once.
    expect((await call(supervisor, 'POST', `${url}/download`, { password })).statusCode).toBe(409);
    const after = await ok<{ items: ExportRequest[] }>(call(supervisor, 'GET', '/api/cases/exports'));
    expect(after.items.find((item) => item.id === request.id)?.status).toBe('downloaded');
  });

  it('does not let a break-glass opening take a case away', async () => {
    const file = await ok<CaseFile>(
      call(worker, 'POST', '/api/cases', {
        profile: { gender: 'Feminine', citizenships: [] },
        victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
      }),
      201,
    );
    await ok(
      call(supervisor, 'PUT', `/api/cases/${file.id}/restriction`, {
        restricted: true,
        membershipIds: [worker.membershipId],
      }),
    );
    await stepUp(db(), secondSupervisor.sessionId);
    await ok(
      call(secondSupervisor, 'POST', `/api/cases/${file.id}/break-glass`, {
        reason: 'Emergency at night, the named caseworker cannot be reached.',
      }),
    );
    expect((await call(secondSupervisor, 'GET', `/api/cases/${file.id}`)).statusCode).toBe(200);
    const exported = await call(secondSupervisor, 'POST', `/api/cases/${file.id}/export`, {
      format: 'json',
      password,
    });
    expect(exported.statusCode).toBe(403);
  });

  /** Bulk-exports the three cases in a format (approved by the second supervisor) and returns the files. */
  async function exportAll(format: 'json' | 'csv' | 'xlsx'): Promise<Map<string, Buffer>> {
    await stepUp(db(), supervisor.sessionId);
    await stepUp(db(), secondSupervisor.sessionId);
    const request = await ok<ExportRequest>(
      call(supervisor, 'POST', '/api/cases/exports', {
        scope: 'selected',
        caseIds: originals.map((file) => file.id),
        format,
        includeIdentifying: true,
      }),
      201,
    );
    await ok(
      call(secondSupervisor, 'POST', `/api/cases/exports/${request.id}/decision`, { decision: 'approve' }),
    );
    const res = await call(supervisor, 'POST', `/api/cases/exports/${request.id}/download`, { password });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    for (const entry of aesEntries(res.rawPayload)) expect(entry).toMatchObject({ method: 99, strength: 3 });
    // Identifying sections included: readable only once decrypted.
    expect(res.rawPayload.includes(Buffer.from(marker))).toBe(false);
    return unzip(res.rawPayload, password);
  }

  it.each([
    ['json', 'cases.json', 'application/json'],
    ['xlsx', 'cases.xlsx', xlsxType],
    ['csv', null, 'application/zip'],
  ] as const)(
    'round-trips HTCDS %s: export → decrypt → import into another organisation → identical sections',
    async (format, fileName, contentType) => {
      const files = await exportAll(format);
      const body = fileName ? files.get(fileName)! : await plainZip(files);
      const target = targets[format];
      await stepUp(db(), target.supervisor.sessionId);
      const checked = await ok<CaseImport>(upload(target.supervisor, body, contentType), 201);
      expect(checked.report).toEqual([]);
      expect(checked.counts).toMatchObject({ cases: 3, valid: 3, invalid: 0, issues: 0 });
      expect(checked.canCommit).toBe(true);
      const committed = await ok<CaseImport>(
        call(target.supervisor, 'POST', `/api/cases/imports/${checked.id}/commit`),
      );
      expect(committed).toMatchObject({
        status: 'committed',
        counts: { created: 3 },
        progress: { processed: 3, total: 3 },
      });
      const ids = await caseIdsOf(target.supervisor);
      expect(ids).toHaveLength(3);
      for (const [index, id] of ids.entries()) {
        const copy = await revealed(target.supervisor, id);
        expect(sectionsOf(copy), `case ${index + 1}`).toEqual(sectionsOf(originals[index]!));
        // The importer is the case's primary assignee, and duplicates are found by blind index as usual.
        expect(copy.assignees.map((a) => a.personId)).toEqual([target.supervisor.personId]);
      }
      // Committing again is a conflict; the same file again finds every person already there.
      expect(
        (await call(target.supervisor, 'POST', `/api/cases/imports/${checked.id}/commit`)).statusCode,
      ).toBe(409);
      const again = await ok<CaseImport>(upload(target.supervisor, body, contentType), 201);
      expect(again.canCommit).toBe(false);
      expect(again.report.map((issue) => [issue.row, issue.code])).toContainEqual([
        format === 'json' ? 1 : 2,
        'cases.import_duplicate_existing',
      ]);
      expect(await countCases(target.supervisor.organisationId)).toBe(3);
    },
  );

  it('reads a file made from the official XLSForm, with its names, its defects and KoBoToolbox’s columns', async () => {
    const target = targets.forms;
    await stepUp(db(), target.worker.sessionId);
    const csv = [
      'start,end,group_a/con_Consent,group_a/prs_First_Name,group_a/prs_Second_Name,prs_Birthdate,prs_Gender,prs_Citizenship,' +
        'vic_TraffickingStatus,vic_Methods_of_Control,vic_Methods_of_Control/PhysicalThreats,vic_TypeOfExploitation,' +
        'vic_ForcedLabourIndustry,vic_RelationshipToTrafficker,cas_Status,cas_ReferringOrganisation,__version__,_uuid',
      `2026-01-01T10:00:00Z,2026-01-01T10:20:00Z,TRUE,${marker}Amina,${marker}Juma,2001-03-04,Feminine,KE,` +
        `PossibleVictimOfTrafficking,DebtBondage  MethodsOfControlRestrictsMovement,1,ForcedLabour,` +
        `Activities of households as employers; undifferentiated goods- and services- producing activities of households for own use,` +
        `Unacquainted,FollowUp,Some NGO,vSmt4GQA3C9uBMLPEVfgND,${randomUUID()}`,
      `2026-01-02T10:00:00Z,2026-01-02T10:20:00Z,FALSE,${marker}Baraka,${marker}Otieno,,Masculine,UG,` +
        `ActualVictimOfTrafficking,DebtBondage ,0,SexualExploitation,,Familial,Active,,vSmt4GQA3C9uBMLPEVfgND,${randomUUID()}`,
    ].join('\n');
    const checked = await ok<CaseImport>(upload(target.worker, csv, csvType), 201);
    expect(checked.report).toEqual([]);
    expect(checked.columns.filter((c) => c.column === null).map((c) => c.header)).toEqual([
      'start',
      'end',
      'cas_ReferringOrganisation',
      '__version__',
      '_uuid',
    ]);
    await ok(call(target.worker, 'POST', `/api/cases/imports/${checked.id}/commit`));
    const importedIds = await caseIdsOf(target.worker);
    // The modules that follow cases hear of the import once, with every new case (matching queues its screening).
    const queued = await queryRows<{ payload: { caseFileIds: string[] } }>(
      db(),
      sql`select payload from kernel_jobs where name = 'matching.follow_imported_cases'`,
    );
    expect(queued.some((job) => importedIds.every((id) => job.payload.caseFileIds.includes(id)))).toBe(true);
    const [amina, baraka] = await Promise.all(importedIds.map((id) => revealed(target.worker, id)));
    expect(amina!.identity).toMatchObject({ firstName: `${marker}Amina`, birthDate: '2001-03-04' });
    expect(amina!.victim).toMatchObject({
      methodsOfControl: ['DebtBondage', 'RestrictsMovement', 'PhysicalThreats'],
      relationshipToTrafficker: 'Unaquainted',
      forcedLabourIndustry: 'T_ActivitiesOfHouseholdsAsEmployers',
    });
    expect(amina!.status).toBe('FollowUp');
    // The XLSForm's one consent question: consent to care.
    expect(amina!.consents.map((c) => [c.purpose, c.active])).toEqual([['Care', true]]);
    expect(baraka!.victim.methodsOfControl).toEqual(['DebtBondage']);
    expect(baraka!.consents).toEqual([]);
    // Columns named by the importer when the headers say nothing Cairn knows.
    const french = 'Nom;Genre;Statut\nZawadi;Féminin;Victime présumée\n';
    const unmapped = await ok<CaseImport>(upload(target.worker, french, csvType), 201);
    expect(unmapped.report.map((issue) => issue.code)).toEqual(['cases.import_no_known_columns']);
    const mapped = await ok<CaseImport>(
      upload(target.worker, 'Nom;Genre;Statut\nZawadi;Feminine;PossibleVictimOfTrafficking\n', csvType, {
        mapping: 'prs_FirstName,prs_Gender,vic_TraffickingStatus',
      }),
      201,
    );
    expect(mapped.report).toEqual([]);
    expect(mapped.columns.map((c) => c.column)).toEqual([
      'prs_FirstName',
      'prs_Gender',
      'vic_TraffickingStatus',
    ]);
    expect(
      (await upload(target.worker, 'a\nb\n', csvType, { mapping: 'prs_Nonsense' })).json<{
        errors: { code: string }[];
      }>().errors[0]!.code,
    ).toBe('cases.import_bad_mapping');
  });

  it('changes nothing for broken files, and reports every problem row by row', async () => {
    const target = targets.broken;
    const session = target.supervisor;
    const before = await countCases(session.organisationId);
    await stepUp(db(), session.sessionId);
    const tryCommit = async (id: string) => {
      expect((await call(session, 'POST', `/api/cases/imports/${id}/commit`)).statusCode).toBe(409);
    };

    const wrongColumns = await ok<CaseImport>(upload(session, 'colour,size\nred,4\n', csvType), 201);
    expect(wrongColumns.report).toMatchObject([{ row: 1, code: 'cases.import_no_known_columns' }]);
    expect(wrongColumns.canCommit).toBe(false);
    await tryCommit(wrongColumns.id);

    const csv = [
      '_case_key,prs_FirstName,prs_Gender,vic_TraffickingStatus,prs_Citizenship,prs_Birthdate,hte_Date,prs_IdentityNumber',
      `k1,${marker}A,Femenine,PossibleVictimOfTrafficking,XX,2023-02-30,,D-1`,
      `k2,${marker}B,Feminine,PossibleVictimOfTrafficking,KE,2001-01-01,,D-2`,
      `k3,${marker}C,Feminine,PossibleVictimOfTrafficking,KE,2001-01-01,,D-2`,
      `k2,${marker}D,Masculine,PossibleVictimOfTrafficking,KE,,,D-4`,
    ].join('\n');
    const bad = await ok<CaseImport>(upload(session, csv, csvType), 201);
    expect(bad.report.map((issue) => [issue.row, issue.column, issue.code])).toEqual([
      [2, 'prs_Gender', 'cases.import_unknown_value'],
      [2, 'prs_Citizenship', 'cases.import_unknown_country'],
      [2, 'prs_Birthdate', 'cases.import_bad_date'],
      [4, 'prs_IdentityNumber', 'cases.import_duplicate_in_file'],
      [5, '_case_key', 'cases.import_duplicate_key'],
    ]);
    expect(bad.report[0]!.message).toBe('“Femenine” is not one of the values of this HTCDS field.');
    expect(bad.counts).toMatchObject({ cases: 4, valid: 1, invalid: 3, issues: 5 });
    await tryCommit(bad.id);
    // The report is localised.
    const spanish = await t.app.inject({
      method: 'GET',
      url: `/api/cases/imports/${bad.id}`,
      headers: { cookie: session.cookie, 'accept-language': 'es' },
    });
    expect(spanish.json<CaseImport>().report[2]!.message).toBe(
      '«2023-02-30» no es una fecha real (use AAAA-MM-DD, p. ej. 2024-03-01).',
    );

    // Related records pointing at no case; an unknown place.
    const json = JSON.stringify({
      cases: [
        {
          _case_key: 'j1',
          prs_Gender: 'Feminine',
          vic_TraffickingStatus: 'PossibleVictimOfTrafficking',
          trafficking_events: [
            { hte_Type: 'Transit', hte_Country: 'KE', hte_City: 'Nowhereville Zzz', hte_Date: '2024-13-01' },
          ],
        },
      ],
    });
    const jsonReport = await ok<CaseImport>(upload(session, json, 'application/json'), 201);
    expect(
      jsonReport.report.map((issue) => [issue.record, issue.row, issue.item, issue.column, issue.code]),
    ).toEqual([
      ['trafficking_events', 1, 1, 'hte_Date', 'cases.import_bad_date'],
      ['trafficking_events', 1, 1, 'hte_City', 'cases.import_unknown_place'],
    ]);

    // Unreadable files are refused outright.
    const refusals: [Buffer | string, string, string][] = [
      [randomBytes(10 * 1024 * 1024), csvType, 'cases.import_binary'],
      [randomBytes(10 * 1024 * 1024), 'application/json', 'cases.import_binary'],
      [randomBytes(64 * 1024), xlsxType, 'cases.import_not_xlsx'],
      [
        zipOf([
          { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
          { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
          { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(60 * 1024 * 1024) },
        ]),
        xlsxType,
        'cases.import_zip_bomb',
      ],
      [
        zipOf([{ name: 'cases.csv', data: Buffer.alloc(60 * 1024 * 1024) }]),
        'application/zip',
        'cases.import_zip_bomb',
      ],
      // Sizes that lie are a damaged archive.
      [
        zipOf([{ name: 'cases.csv', data: Buffer.alloc(40 * 1024 * 1024), size: 1024 }]),
        'application/zip',
        'cases.import_not_zip',
      ],
      ['{"cases": {"not": "a list"}}', 'application/json', 'cases.import_bad_json'],
      ['not json at all', 'application/json', 'cases.import_not_json'],
      ['', csvType, 'cases.import_empty'],
      ['prs_Gender\n', csvType, 'cases.import_no_rows'],
    ];
    for (const [body, type, code] of refusals) {
      const res = await upload(session, body, type);
      expect(res.statusCode, `${type} ${code}: ${res.body.slice(0, 200)}`).toBe(400);
      expect(res.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe(code);
    }
    expect((await upload(session, 'a,b', 'text/plain')).statusCode).toBe(415);
    expect((await upload(session, Buffer.alloc(11 * 1024 * 1024, 0x41), csvType)).statusCode).toBe(413);
    expect(await countCases(session.organisationId)).toBe(before);
  });

  it('commits all or nothing: a case that became a duplicate since the dry run fails the whole import', async () => {
    const session = targets.broken.worker;
    await stepUp(db(), session.sessionId);
    const rows = Array.from(
      { length: 150 },
      (_, i) =>
        `k${i},Person ${i},Fam${i}-${marker.slice(-4)},2000,Feminine,PossibleVictimOfTrafficking,DOC-${i}-${marker}`,
    );
    const csv = `_case_key,prs_FirstName,prs_SecondName,cairn_BirthYear,prs_Gender,vic_TraffickingStatus,prs_IdentityNumber\n${rows.join('\n')}\n`;
    const checked = await ok<CaseImport>(upload(session, csv, csvType), 201);
    expect(checked.canCommit).toBe(true);
    // Meanwhile someone opens a case for person 120.
    await ok(
      call(session, 'POST', '/api/cases', {
        documents: [{ type: 'NationalId', number: `DOC-120-${marker}` }],
        profile: { gender: 'Feminine', citizenships: [] },
        victim: { traffickingStatus: 'PossibleVictimOfTrafficking' },
      }),
      201,
    );
    const before = await countCases(session.organisationId);
    const failed = await call(session, 'POST', `/api/cases/imports/${checked.id}/commit`);
    expect(failed.statusCode).toBe(409);
    expect(await countCases(session.organisationId)).toBe(before);
    const report = await ok<CaseImport>(call(session, 'GET', `/api/cases/imports/${checked.id}`));
    expect(report.status).toBe('failed');
    expect(report.report.map((issue) => [issue.row, issue.code])).toEqual([
      [122, 'cases.import_duplicate_existing'],
    ]);

    // Without that person, the same import goes through whole, with progress to follow while it runs.
    const clean = await ok<CaseImport>(
      upload(
        session,
        `${csv
          .split('\n')
          .filter((line) => !line.startsWith('k120,'))
          .join('\n')}`,
        csvType,
      ),
      201,
    );
    const polls: CaseImport[] = [];
    const committing = call(session, 'POST', `/api/cases/imports/${clean.id}/commit`);
    let done = false;
    void committing.then(() => (done = true));
    while (!done) {
      const poll = await call(session, 'GET', `/api/cases/imports/${clean.id}`);
      if (poll.statusCode === 200) polls.push(poll.json<CaseImport>());
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const committed = await ok<CaseImport>(committing);
    expect(committed.progress).toEqual({ processed: 149, total: 149 });
    let seen = 0;
    for (const poll of polls) {
      expect(['checked', 'committing', 'committed']).toContain(poll.status);
      expect(poll.progress.processed).toBeGreaterThanOrEqual(seen);
      expect(poll.progress.processed).toBeLessThanOrEqual(149);
      seen = poll.progress.processed;
    }
    // PostgreSQL answers the polls while the commit's transaction runs (PGlite has one connection: they wait).
    if (testDatabaseKind() === 'postgresql')
      expect(polls.some((poll) => poll.status === 'committing' && poll.progress.total === 149)).toBe(true);
    expect(await countCases(session.organisationId)).toBe(before + 149);
    // Someone else's import does not exist for this caller; reading one's own needs a step-up.
    expect((await call(targets.broken.supervisor, 'GET', `/api/cases/imports/${clean.id}`)).statusCode).toBe(
      404,
    );
    await stepUp(db(), session.sessionId, new Date(Date.now() - 10 * 60_000));
    expect((await call(session, 'GET', `/api/cases/imports/${clean.id}`)).statusCode).toBe(403);
  });

  it('audits every export and import, and keeps the password and every marker out of tables, audit rows and logs', async () => {
    const dump = await t.database.asOwner(async (owner) => {
      const rows = await queryRows<{ row: string }>(
        owner,
        sql`select a::text as row from kernel_audit a
            union all select r::text from cases_export_requests r
            union all select i::text from cases_imports i
            union all select f::text from cases_files f
            union all select e::text from cases_entries e
            union all select c::text from cases_consents c`,
      );
      return rows.map((r) => r.row).join('\n');
    });
    expect(dump.length).toBeGreaterThan(10_000);
    expect(dump).not.toContain(marker);
    expect(dump.toLowerCase()).not.toContain(marker.toLowerCase());
    expect(dump).not.toContain(password);
    const exported = await t.database.asOwner((owner) =>
      queryRows<{ details: Record<string, unknown>; actor: string; object: string }>(
        owner,
        sql`select details, actor_person_id as actor, object_type as object from kernel_audit
            where action = 'cases.cases_exported' and organisation_id = ${orgA} order by id`,
      ),
    );
    expect(
      exported.map((row) => [row.object, row.details.cases, row.details.format, row.details.identifying]),
    ).toEqual([
      ['case_file', 1, 'json', false],
      ['case_export', 3, 'csv', true],
      ['case_export', 3, 'json', true],
      ['case_export', 3, 'xlsx', true],
      ['case_export', 3, 'csv', true],
    ]);
    expect(exported[0]!.actor).toBe(worker.personId);
    expect(exported[1]!.actor).toBe(supervisor.personId);
    const imported = await t.database.asOwner((owner) =>
      queryRows<{ n: number }>(
        owner,
        sql`select count(*)::int as n from kernel_audit where action = 'cases.cases_imported'`,
      ),
    );
    expect(imported[0]!.n).toBeGreaterThanOrEqual(5);
    expect(t.rawLogs()).not.toContain(marker);
    expect(t.rawLogs()).not.toContain(password);
  });
});
