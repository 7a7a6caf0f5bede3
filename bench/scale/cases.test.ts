import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../server/kernel/bus/bus.js';
import { decrypt, encrypt } from '../../server/kernel/crypto/crypto.js';
import { Keyring } from '../../server/kernel/crypto/keyring.js';
import { JobQueue } from '../../server/kernel/jobs/jobs.js';
import { createLogger } from '../../server/kernel/logging.js';
import { lookupValue } from '../../server/modules/cases/cases.crypto.js';
import {
  contactSectionSchema,
  documentsSectionSchema,
  identitySectionSchema,
  narrativeSectionSchema,
  profileSectionSchema,
  victimSectionSchema,
} from '../../server/modules/cases/cases.schemas.js';
import { sessionCookie } from '../../server/modules/identity/identity.sessions.js';
import { createTestApp, type TestApp } from '../../server/test/app.js';
import { createTestDatabase, type TestDatabase } from '../../server/test/db.js';
import {
  benchSessionToken,
  casesDataSeed,
  documentNumber,
  generateCases,
  organisationOfCase,
  planCaseOrganisations,
  refreshBenchSessions,
  syntheticCase,
  type CaseOrganisation,
  type CasePlan,
  type SyntheticCase,
} from './cases.js';
import { generateScaleData } from './generators.js';
import { presets } from './presets.js';
import { sqlFromPg, sqlFromPglite, type SqlClient } from './sql.js';

/** The generator as the benchmark runs it: the database owner, on one connection. */
async function asOwner<T>(database: TestDatabase, work: (db: SqlClient) => Promise<T>): Promise<T> {
  if (database.url) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return await work(sqlFromPg(client));
    } finally {
      await client.end();
    }
  }
  return database.asOwner(() => work(sqlFromPglite((database.db as unknown as { $client: PGlite }).$client)));
}

const masterKey = randomBytes(32);
const runSeed = 21;
const tiny = { ...presets.small, cases: 90, caseOrganisations: 3 };
const log = createLogger('silent');

/** Every case of a plan, recomputed from the seed alone. */
function allCases(plan: CasePlan): SyntheticCase[] {
  return plan.organisations.flatMap((o) =>
    Array.from({ length: o.caseCount }, (_, k) => syntheticCase(plan, o, k)),
  );
}

describe('cases generator: the plan', () => {
  it('is the same for the same seed and another for another seed', () => {
    const organisations = planCaseOrganisations(5, 2_000, 6);
    expect(planCaseOrganisations(5, 2_000, 6)).toEqual(organisations);
    expect(planCaseOrganisations(6, 2_000, 6).map((o) => o.id)).not.toEqual(organisations.map((o) => o.id));
    expect(organisations.reduce((n, o) => n + o.caseCount, 0)).toBe(2_000);
    organisations.forEach((o, i) => {
      expect(o.firstCase).toBe(
        i === 0 ? 0 : organisations[i - 1]!.firstCase + organisations[i - 1]!.caseCount,
      );
      expect(o.supervisors.length).toBeGreaterThanOrEqual(1);
    });
    const plan: CasePlan = { seed: 5, asOf: '2026-12-01', organisations };
    const c = syntheticCase(plan, organisations[2]!, 17);
    expect(syntheticCase(plan, organisations[2]!, 17)).toEqual(c);
    expect(syntheticCase({ ...plan, seed: 6 }, organisations[2]!, 17).identity).not.toEqual(c.identity);
    expect(organisationOfCase(organisations, c.number)).toBe(organisations[2]);
    expect(organisationOfCase(organisations, 0)).toBe(organisations[0]);
    expect(organisationOfCase(organisations, 1_999)).toBe(organisations[5]);
    expect(() => organisationOfCase(organisations, 2_000)).toThrow(RangeError);
    expect(documentNumber(5, 2, 17)).toBe(documentNumber(5, 2, 17));
  });

  it('writes what the cases module accepts, with caseloads of 30 to 60 open cases', () => {
    const organisations = planCaseOrganisations(3, 4_000, 4);
    const plan: CasePlan = { seed: 3, asOf: '2026-12-01', organisations };
    const cases = allCases(plan);
    const open = new Map<string, number>();
    for (const c of cases) {
      // Cairn validates every answer against these schemas: a generated value they refuse would be a 500.
      expect(identitySectionSchema.safeParse(c.identity).success, c.id).toBe(true);
      if (c.contact) expect(contactSectionSchema.safeParse(c.contact).success, c.id).toBe(true);
      if (c.documents) expect(documentsSectionSchema.safeParse(c.documents).success, c.id).toBe(true);
      if (c.narrative) expect(narrativeSectionSchema.safeParse(c.narrative).success, c.id).toBe(true);
      expect(profileSectionSchema.safeParse(c.profile).success, c.id).toBe(true);
      expect(victimSectionSchema.safeParse(c.victim).success, c.id).toBe(true);
      // Complete cases carry what completing an intake requires.
      if (!c.draft) expect(c.profile.gender && c.victim.traffickingStatus).toBeTruthy();
      expect(c.reference).toMatch(/^\d{4}-\d{4,}$/);
      if (c.status === 'Active' || c.status === 'FollowUp')
        for (const staff of c.assignees) open.set(staff.personId, (open.get(staff.personId) ?? 0) + 1);
    }
    const loads = [...open.values()].sort((a, b) => a - b);
    const median = loads[Math.floor(loads.length / 2)]!;
    expect(median).toBeGreaterThanOrEqual(30);
    expect(median).toBeLessThanOrEqual(60);
    const statuses = new Set(cases.map((c) => c.status));
    expect(statuses).toEqual(new Set(['Active', 'FollowUp', 'Closed', 'ClosedReferred']));
    expect(cases.some((c) => c.restricted)).toBe(true);
    expect(cases.some((c) => c.draft)).toBe(true);
    expect(cases.every((c) => c.entries.every((e) => e.createdAt >= c.createdAt))).toBe(true);
  });
});

describe('cases generator: without Cairn', () => {
  it('refuses a database Cairn has not migrated', async () => {
    const bare = sqlFromPglite(await PGlite.create());
    try {
      await expect(generateCases(bare, { seed: 1, cases: 5, organisations: 1, masterKey })).rejects.toThrow(
        /start Cairn once/,
      );
    } finally {
      await bare.close();
    }
  });
});

describe('cases generator: in the database', () => {
  let database: TestDatabase;
  let app: TestApp;
  let plan: CasePlan;
  let cases: SyntheticCase[];
  const previousKey = process.env.CAIRN_MASTER_KEY;

  beforeAll(async () => {
    database = await createTestDatabase();
    process.env.CAIRN_MASTER_KEY = masterKey.toString('base64');
    // Through the registry, as `npm run bench` fills it; the plan is then recomputed from the run seed.
    await asOwner(database, (db) => generateScaleData(db, tiny, runSeed, { only: ['cases'] }));
    const asOf = new Date().toISOString().slice(0, 10);
    plan = {
      seed: casesDataSeed(runSeed),
      asOf,
      organisations: planCaseOrganisations(casesDataSeed(runSeed), 90, 3),
    };
    cases = allCases(plan);
    app = await createTestApp({ database, env: { CAIRN_MASTER_KEY: masterKey.toString('base64') } });
  }, 120_000);
  afterAll(async () => {
    if (previousKey === undefined) delete process.env.CAIRN_MASTER_KEY;
    else process.env.CAIRN_MASTER_KEY = previousKey;
    await app?.close();
    await database?.close();
  });

  const query = <T extends object>(text: string, params: unknown[] = []) =>
    asOwner(database, (db) => db.query<T>(text, params));

  it('writes every row the plan describes', async () => {
    const [counts] = await query<Record<string, number>>(
      `select (select count(*)::int from cases_files) as files,
              (select count(*)::int from cases_entries) as entries,
              (select count(*)::int from cases_consents) as consents,
              (select count(*)::int from cases_lookup) as lookups,
              (select count(*)::int from cases_assignments) as assignments,
              (select count(*)::int from identity_sessions where user_agent = 'cairn-bench') as sessions,
              (select count(*)::int from kernel_organisation_keys) as keys`,
    );
    const staff = plan.organisations.reduce((n, o) => n + o.caseworkers.length + o.supervisors.length, 0);
    expect(counts).toEqual({
      files: 90,
      entries: cases.reduce((n, c) => n + c.entries.length, 0),
      consents: cases.reduce((n, c) => n + c.consents.length, 0),
      lookups: cases.reduce((n, c) => n + c.lookups.length, 0),
      assignments: cases.reduce((n, c) => n + c.assignees.length, 0),
      sessions: staff,
      keys: 3,
    });
  });

  it('seals every identifying value so the real keyring opens it at its place', async () => {
    const keys = new Keyring({
      db: database.db,
      jobs: new JobQueue(database.db, log, new EventBus(log)),
      log,
      seal: (plaintext, aad) => encrypt(masterKey, plaintext, aad),
      unseal: (sealed, aad) => decrypt(masterKey, sealed, aad),
    });
    const open = (organisationId: string, table: string, column: string, rowId: string, sealed: string) =>
      keys.openField(database.db, { organisationId, table, column, rowId }, sealed);
    const byId = new Map(cases.map((c) => [c.id, c]));
    const files = await query<{
      id: string;
      organisation_id: string;
      identity_sealed: string;
      contact_sealed: string | null;
      documents_sealed: string | null;
      narrative_sealed: string | null;
      closure_reason_sealed: string | null;
    }>('select * from cases_files');
    for (const row of files) {
      const expected = byId.get(row.id)!;
      expect(row.identity_sealed).toMatch(/^k1\.v1\./);
      const section = async (column: string, sealed: string | null): Promise<unknown> =>
        sealed === null
          ? null
          : (JSON.parse(await open(row.organisation_id, 'cases_files', column, row.id, sealed)) as unknown);
      expect(await section('identity_sealed', row.identity_sealed)).toEqual(expected.identity);
      expect(await section('contact_sealed', row.contact_sealed)).toEqual(expected.contact);
      expect(await section('documents_sealed', row.documents_sealed)).toEqual(expected.documents);
      expect(await section('narrative_sealed', row.narrative_sealed)).toEqual(expected.narrative);
      expect(await section('closure_reason_sealed', row.closure_reason_sealed)).toEqual(
        expected.closureReason,
      );
      // Bound to its place: the same value does not open as another column.
      await expect(
        open(row.organisation_id, 'cases_files', 'contact_sealed', row.id, row.identity_sealed),
      ).rejects.toThrow();
    }
    const entries = await query<{
      id: string;
      case_id: string;
      organisation_id: string;
      sealed: string | null;
    }>('select id, case_id, organisation_id, sealed from cases_entries');
    for (const row of entries) {
      const expected = byId.get(row.case_id)!.entries.find((e) => e.id === row.id)!;
      const opened =
        row.sealed === null
          ? null
          : (JSON.parse(
              await open(row.organisation_id, 'cases_entries', 'sealed', row.id, row.sealed),
            ) as unknown);
      expect(opened).toEqual(expected.sealed);
    }
    const lookups = await query<{
      id: string;
      case_id: string;
      organisation_id: string;
      kind: string;
      value_sealed: string;
      digest: string;
    }>('select * from cases_lookup');
    expect(lookups.length).toBeGreaterThan(0);
    for (const row of lookups) {
      const indexed = await open(
        row.organisation_id,
        'cases_lookup',
        'value_sealed',
        row.id,
        row.value_sealed,
      );
      expect(byId.get(row.case_id)!.lookups.find((l) => l.id === row.id)!.indexed).toBe(indexed);
      // The digest the duplicate check looks for, under the keyring's own lookup key.
      const candidates = await keys.blindIndexCandidates(
        database.db,
        { purpose: 'lookup', organisationId: row.organisation_id },
        indexed,
      );
      expect(candidates).toContain(row.digest);
    }
  });

  /** A session cookie of a generated staff member. */
  const cookieOf = (personId: string) => `${sessionCookie}=${benchSessionToken(masterKey, personId)}`;
  const openCase = (c: SyntheticCase, personId: string) =>
    app.app.inject({
      method: 'GET',
      url: `/api/cases/${c.id}?reveal=true`,
      headers: { cookie: cookieOf(personId) },
    });

  it('serves generated cases revealed to their supervisor and their caseworker, after a step-up', async () => {
    expect(await asOwner(database, refreshBenchSessions)).toBeGreaterThan(0);
    const organisation = plan.organisations[1]!;
    const sample = cases.filter((c) => c.organisationId === organisation.id && !c.restricted).slice(0, 6);
    for (const c of sample) {
      for (const personId of [organisation.supervisors[0]!.personId, c.assignees[0]!.personId]) {
        const response = await openCase(c, personId);
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json<
          Record<string, unknown> & { entries: { kind: string; fields: Record<string, unknown> }[] }
        >();
        expect(body).toMatchObject({ id: c.id, reference: c.reference, revealed: true, status: c.status });
        expect(body.identity).toEqual(identitySectionSchema.parse(c.identity));
        expect(body.contact).toEqual(c.contact);
        expect(body.documents).toEqual(c.documents);
        expect(body.narrative).toEqual(c.narrative);
        expect(body.entries.filter((e) => e.kind === 'comment').map((e) => e.fields.body)).toEqual(
          c.entries.filter((e) => e.kind === 'comment').map((e) => e.sealed!.body),
        );
      }
    }
    // Another organisation's supervisor: the case does not exist for them.
    const stranger = plan.organisations[0]!.supervisors[0]!.personId;
    expect((await openCase(sample[0]!, stranger)).statusCode).toBe(404);
    // A restricted case is open to its named caseworker.
    const restricted = cases.find((c) => c.restricted);
    if (restricted)
      expect((await openCase(restricted, restricted.assignees[0]!.personId)).statusCode).toBe(200);
  });

  it('gives caseworkers a dashboard of their open cases, and finds generated duplicates', async () => {
    await asOwner(database, refreshBenchSessions);
    const organisation: CaseOrganisation = plan.organisations[0]!;
    const worker = organisation.caseworkers[0]!;
    const mine = cases.filter(
      (c) =>
        c.organisationId === organisation.id &&
        (c.status === 'Active' || c.status === 'FollowUp') &&
        c.assignees.includes(worker) &&
        (!c.restricted || c.restrictedTo.includes(worker)),
    );
    const response = await app.app.inject({
      method: 'GET',
      url: '/api/cases/dashboard',
      headers: { cookie: cookieOf(worker.personId) },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<{ myCases: { id: string }[] }>();
    expect(body.myCases.length).toBe(Math.min(20, mine.length));
    expect(new Set(body.myCases.map((c) => c.id)).size).toBe(body.myCases.length);
    for (const c of body.myCases) expect(mine.some((m) => m.id === c.id)).toBe(true);

    const withDocument = cases.find(
      (c) => c.organisationId === organisation.id && c.documents && !c.restricted,
    )!;
    const check = await app.app.inject({
      method: 'POST',
      url: '/api/cases/duplicate-checks',
      headers: {
        cookie: cookieOf(organisation.supervisors[0]!.personId),
        'content-type': 'application/json',
      },
      payload: { documentNumbers: [withDocument.documents![0]!.number] },
    });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json<{ matches: { caseId: string | null }[] }>().matches.map((m) => m.caseId)).toContain(
      withDocument.id,
    );
    expect(lookupValue('document', ` ${withDocument.documents![0]!.number.toLowerCase()} `)).toBe(
      lookupValue('document', withDocument.documents![0]!.number),
    );
  });

  it('drops and rebuilds the case indexes for a large load, and refuses to write the same seed twice', async () => {
    const indexes = () =>
      query<{ name: string }>(
        `select indexname as name from pg_indexes where tablename like 'cases\\_%' order by 1`,
      );
    const constraints = () =>
      query<{ definition: string }>(
        `select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as definition
           from pg_constraint where conrelid::regclass::text like 'cases\\_%' order by 1`,
      );
    const before = await indexes();
    const constraintsBefore = await constraints();
    expect(constraintsBefore.some((c) => c.definition.includes('FOREIGN KEY'))).toBe(true);
    const report = await asOwner(database, (db) =>
      generateCases(db, {
        seed: 77,
        cases: 40,
        organisations: 2,
        masterKey,
        asOf: '2026-06-30',
        rebuildIndexesFrom: 10,
      }),
    );
    expect(report).toMatchObject({ cases: 40, organisations: 2 });
    expect(await indexes()).toEqual(before);
    expect(await constraints()).toEqual(constraintsBefore);
    await expect(
      asOwner(database, (db) => generateCases(db, { seed: 77, cases: 40, organisations: 2, masterKey })),
    ).rejects.toThrow(/already holds/);
    // Another master key cannot use the lookup key this database already has.
    await expect(
      asOwner(database, (db) =>
        generateCases(db, { seed: 78, cases: 5, organisations: 1, masterKey: randomBytes(32) }),
      ),
    ).rejects.toThrow(/master key/);
  });
});
