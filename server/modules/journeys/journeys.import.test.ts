import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import writeXlsxFile from 'write-excel-file/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../kernel/access/roles.js';
import { setTenant } from '../../kernel/db/tenant.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { maxCsvBytes, maxXlsxBytes } from './journeys.import.files.js';
import { checkRow, ctdcFields, proposeMapping, trackerFields } from './journeys.import.rows.js';
import { runCommit } from './journeys.import.service.js';
import type { JourneyImport } from './journeys.import.schemas.js';
import { routeInputSchema, type Route } from './journeys.schemas.js';

interface Session {
  cookie: string;
}

const csv = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');

const trackerHeader =
  'Origin,Intended destination,Transit points,Place of exploitation,Industry,Exploitation type,' +
  'Estimated number of cases,Period,Gender,Age,Nationality';
/** Three good tracker rows: a city route through two transit points, a country route, a region route. */
const goodTracker = csv([
  trackerHeader,
  '"Lao Cai, Vietnam","Hanoi, VN","Lang Son, VN; Nanning, China","Doha (QA)",Construction,Forced labour,12,2021-Q3,male,adult,VNM',
  'Nepal,Qatar,,"Doha, Qatar",Hospitality,"Forced labour; Sexual exploitation",4,2022,mixed,mixed,Nepal',
  'Philippines,,,"Kuala Lumpur, MY",Domestic work,Domestic servitude,1,2020,female,minor,PHL',
]);

/** CTDC synthetic layout (v2024/v2025): alpha-3 codes, yes = 1, no = empty. */
const ctdcHeader =
  'yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,traffickMonths,meansThreats,' +
  'isForcedLabour,isSexualExploit,isOtherExploit,typeOfLabourAgriculture,typeOfLabourConstruction,typeOfSexProstitution';
const goodCtdc = csv([
  ctdcHeader,
  '2021,Woman,18--20,PHL,USA,0--12 (0-1 yr),1,1,,,,1,',
  '2019,Man,30--38,UKR,POL,,,1,,,1,,',
  '2022,Woman,9--17,MDA,RUS,,1,,1,,,,1',
  '2020,Trans/Transgender/NonConforming,48+,IDN,MYS,,,,,1,,,',
]);

describe('journeys: spreadsheet imports of routes', () => {
  let t: TestApp;
  let orgA: string;
  let worker: Session;
  let colleague: Session;
  let communityMember: Session;
  let outsider: Session;

  const db = () => t.database.db;

  async function sessionIn(organisationId: string, role: Role): Promise<Session> {
    const person = await createPerson(db(), { passkey: role !== 'member' });
    const m = await createMember(db(), { role, organisationId, personId: person.id });
    return { cookie: (await signIn(db(), m.personId, { membershipId: m.membership.id })).cookie };
  }

  async function upload(
    session: Session | null,
    body: Buffer | Readable,
    query: string,
    contentType = 'text/csv',
    language = 'en',
  ) {
    return t.app.inject({
      method: 'POST',
      url: `/api/journeys/imports?${query}`,
      headers: {
        'content-type': contentType,
        'accept-language': language,
        ...(session ? { cookie: session.cookie } : {}),
      },
      payload: body,
    });
  }

  async function get(session: Session, id: string, language = 'en') {
    return t.app.inject({
      method: 'GET',
      url: `/api/journeys/imports/${id}`,
      headers: { cookie: session.cookie, 'accept-language': language },
    });
  }

  async function commit(session: Session, id: string) {
    return t.app.inject({
      method: 'POST',
      url: `/api/journeys/imports/${id}/commit`,
      headers: { cookie: session.cookie },
    });
  }

  /** Uploads, runs the dry run, and answers the checked import. */
  async function dryRun(body: Buffer, query: string, language = 'en'): Promise<JourneyImport> {
    const started = await upload(worker, body, query, 'text/csv', language);
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json<JourneyImport>().status).toBe('checking');
    await t.app.kernel.jobs.runDue();
    const checked = await get(worker, started.json<JourneyImport>().id, language);
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json<JourneyImport>().status).toBe('checked');
    return checked.json<JourneyImport>();
  }

  /** Organisation A's routes and import pieces, counted in its own tenant scope. */
  async function stateOfA(): Promise<{ routes: number; legs: number; pieces: number }> {
    const [row] = await inTransaction(db(), async (tx) => {
      await setTenant(tx, orgA);
      return queryRows<{ routes: number; legs: number; pieces: number }>(
        tx,
        sql`select (select count(*)::int from journeys_routes) as routes,
          (select count(*)::int from journeys_legs) as legs,
          (select count(*)::int from journeys_import_chunks) as pieces`,
      );
    });
    return row!;
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    orgA = (await createOrganisation(db())).id;
    const orgB = (await createOrganisation(db())).id;
    worker = await sessionIn(orgA, 'caseworker');
    colleague = await sessionIn(orgA, 'analyst');
    communityMember = await sessionIn(orgA, 'member');
    outsider = await sessionIn(orgB, 'org_admin');
  });
  afterAll(() => t.close());

  it('imports a good tracker file: exactly its rows, as pending contributions', async () => {
    const before = await stateOfA();
    const checked = await dryRun(goodTracker, 'layout=tracker&fileName=routes.csv');
    expect(checked.counts).toEqual({ rows: 3, valid: 3, invalid: 0, issues: 0, created: 0 });
    expect(checked.report).toEqual([]);
    expect(checked.canCommit).toBe(true);
    expect(checked.columns.map((c) => c.field)).toEqual([
      'origin',
      'destination',
      'transit',
      'exploitation',
      'industry',
      'exploitationType',
      'people',
      'period',
      'gender',
      'age',
      'nationality',
    ]);
    // The importer's page offers the layout's fields by this list; each has a label in every shipped language.
    expect(checked.fields).toEqual([...trackerFields]);
    expect(checked.requiredFields).toEqual(['origin', 'exploitation', 'exploitationType', 'people']);
    const locales = new URL('../../../web/src/i18n/locales/', import.meta.url);
    const files = (await readdir(locales)).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const name of files) {
      const locale = JSON.parse(await readFile(new URL(name, locales), 'utf8')) as {
        journeys: { import: { fields: Record<string, string> } };
      };
      expect(Object.keys(locale.journeys.import.fields).sort(), name).toEqual([...trackerFields].sort());
    }
    // The dry run changed nothing but the import itself.
    expect((await stateOfA()).routes).toBe(before.routes);

    const asked = await commit(worker, checked.id);
    expect(asked.statusCode, asked.body).toBe(202);
    expect(asked.json<JourneyImport>().status).toBe('committing');
    await t.app.kernel.jobs.runDue();
    const done = (await get(worker, checked.id)).json<JourneyImport>();
    expect(done.status).toBe('committed');
    expect(done.counts.created).toBe(3);
    const after = await stateOfA();
    expect(after.routes - before.routes).toBe(3);
    // 5 + 3 + 2 legs (origin, destination, transit points, place of exploitation).
    expect(after.legs - before.legs).toBe(10);
    expect(after.pieces).toBe(0);

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/journeys/routes?limit=3',
      headers: { cookie: worker.cookie },
    });
    const routes = list.json<{ items: Route[] }>().items;
    expect(routes.every((r) => r.source === 'import' && r.status === 'pending')).toBe(true);
    const laoCai = routes.find((r) => r.people === 12)!;
    expect(laoCai.origin.country).toBe('VN');
    expect(laoCai.origin.placeName).toMatch(/^L[aà]o Cai$/);
    expect(laoCai.transits.map((s) => [s.country, s.borderCrossing])).toEqual([
      ['VN', false],
      ['CN', true],
    ]);
    expect(laoCai.exploitation[0]).toMatchObject({ country: 'QA', placeName: 'Doha', borderCrossing: true });
    expect(laoCai).toMatchObject({
      year: 2021,
      quarter: 3,
      industry: 'F_Construction',
      nationalityBand: 'asia',
    });
    const nepal = routes.find((r) => r.people === 4)!;
    expect(nepal.exploitationTypes).toEqual(['ForcedLabour', 'SexualExploitation']);
    expect(nepal.origin).toMatchObject({ country: 'NP', placeId: null });

    // A second commit of the same import is a conflict.
    expect((await commit(worker, checked.id)).statusCode).toBe(409);
  });

  it('commits a file of several batches with every route and leg as the one-batch file writes them', async () => {
    // Organisation A's routes and legs, counted by everything they hold but their ids.
    async function legsOfA(): Promise<Map<string, number>> {
      const rows = await inTransaction(db(), async (tx) => {
        await setTenant(tx, orgA);
        return queryRows<{ key: string; n: number }>(
          tx,
          sql`select concat_ws('|', position, role, place_id, place_name, country, region, border_crossing) as key,
                     count(*)::int as n
              from journeys_legs group by 1
              union all
              select concat_ws('|', status, source, year, quarter, exploitation_types::text, industry,
                               recruitment_method, people, gender_band, age_band, nationality_band, contributed_by),
                     count(*)::int
              from journeys_routes group by 1`,
        );
      });
      return new Map(rows.map((row) => [row.key, row.n]));
    }
    const added = (before: Map<string, number>, after: Map<string, number>) =>
      new Map(
        [...after]
          .map(([key, n]): [string, number] => [key, n - (before.get(key) ?? 0)])
          .filter(([, n]) => n !== 0),
      );
    async function importAll(file: Buffer): Promise<number> {
      const checked = await dryRun(file, 'layout=tracker&fileName=batches.csv');
      expect(checked.canCommit).toBe(true);
      expect((await commit(worker, checked.id)).statusCode).toBe(202);
      await t.app.kernel.jobs.runDue();
      const done = (await get(worker, checked.id)).json<JourneyImport>();
      expect(done.status).toBe('committed');
      return done.counts.created;
    }

    const start = await legsOfA();
    expect(await importAll(goodTracker)).toBe(3);
    const once = added(start, await legsOfA());
    // 1,500 copies of the three rows: 4,500 routes, more than two batches of 2,000, the last one short.
    const goodRows = goodTracker.toString('utf8').trimEnd().split('\r\n').slice(1);
    const many = csv([trackerHeader, ...Array.from({ length: 1_500 }, () => goodRows).flat()]);
    const before = await stateOfA();
    const middle = await legsOfA();
    expect(await importAll(many)).toBe(4_500);
    const after = await stateOfA();
    expect(after.routes - before.routes).toBe(4_500);
    expect(after.legs - before.legs).toBe(15_000);
    expect(added(middle, await legsOfA())).toEqual(new Map([...once].map(([key, n]) => [key, n * 1_500])));
  });

  it('writes the routes once when two runs of the commit overlap (a job taken over by another worker)', async () => {
    const checked = await dryRun(goodTracker, 'layout=tracker&fileName=twice.csv');
    const before = await stateOfA();
    expect((await commit(worker, checked.id)).statusCode).toBe(202);
    const payload = { importId: checked.id, organisationId: orgA };
    await Promise.all([runCommit(t.app.kernel, payload), runCommit(t.app.kernel, payload)]);
    // The queued job itself is the third run.
    await t.app.kernel.jobs.runDue();
    const done = (await get(worker, checked.id)).json<JourneyImport>();
    expect(done).toMatchObject({ status: 'committed', counts: { created: 3 } });
    const after = await stateOfA();
    expect(after.routes - before.routes).toBe(3);
    expect(after.legs - before.legs).toBe(10);
  });

  it('imports a good CTDC synthetic file: one person per row, citizenship to country of exploitation', async () => {
    const before = await stateOfA();
    const checked = await dryRun(goodCtdc, 'layout=ctdc&fileName=ctdc.csv');
    expect(checked.counts).toMatchObject({ rows: 4, valid: 4, issues: 0 });
    expect(checked.fields).toEqual([...ctdcFields]);
    expect(checked.requiredFields).toEqual(['yearOfRegistration', 'citizenship', 'CountryOfExploitation']);
    // Columns the route does not use are shown unmapped.
    expect(checked.columns.find((c) => c.header === 'meansThreats')?.field).toBeNull();
    expect((await commit(worker, checked.id)).statusCode).toBe(202);
    await t.app.kernel.jobs.runDue();
    expect((await get(worker, checked.id)).json<JourneyImport>().counts.created).toBe(4);
    const after = await stateOfA();
    expect(after.routes - before.routes).toBe(4);
    expect(after.legs - before.legs).toBe(8);
  });

  it('reports a malformed tracker file row by row, in the reader’s language, and changes nothing', async () => {
    const before = await stateOfA();
    const checked = await dryRun(
      csv([
        trackerHeader,
        // Row 2: -99 as the origin, a made-up country code, several values in a one-value column.
        '-99,"Hanoi, XXZ",,"Doha, Qatar",Construction,Forced labour,3;4,2021,male,adult,asia',
        // Row 3: a place nobody knows, an ambiguous one, an unknown type, a bad period.
        'Atlantisville,Doha,,"Doha, Qatar",Construction,Sea monsters,2,sometime,male,adult,asia',
        // Row 4: good.
        'Nepal,,,"Doha, Qatar",Construction,Forced labour,2,2021,male,adult,asia',
        // Row 5: a formula, and a period in the future.
        '=SUM(A1),,,"Doha, Qatar",Construction,Forced labour,2,2999,male,adult,asia',
      ]),
      'layout=tracker&fileName=bad.csv',
      'fr',
    );
    expect(checked.counts).toMatchObject({ rows: 4, valid: 1, invalid: 3 });
    expect(checked.canCommit).toBe(false);
    const codes = checked.report.map((issue) => [issue.row, issue.column, issue.code]);
    expect(codes).toEqual(
      expect.arrayContaining([
        [2, 'origin', 'journeys.import_unknown_marker'],
        [2, 'destination', 'journeys.import_unknown_place'],
        [2, 'people', 'journeys.import_single_value'],
        [3, 'origin', 'journeys.import_unknown_place'],
        [3, 'destination', 'journeys.import_ambiguous_place'],
        [3, 'exploitationType', 'journeys.import_unknown_value'],
        [3, 'period', 'journeys.import_bad_period'],
        [5, 'origin', 'journeys.import_formula'],
      ]),
    );
    expect(checked.report.some((issue) => issue.row === 4)).toBe(false);
    // Localised, with the cell quoted.
    const marker = checked.report.find((issue) => issue.code === 'journeys.import_unknown_marker')!;
    expect(marker.message).toBe(
      '« -99 » signifie inconnu, mais un trajet a besoin de cette valeur. Renseignez-la ou retirez la ligne.',
    );
    const commitAnswer = await commit(worker, checked.id);
    expect(commitAnswer.statusCode).toBe(409);
    expect(commitAnswer.headers['content-type']).toContain('application/problem+json');
    await t.app.kernel.jobs.runDue();
    expect((await stateOfA()).routes).toBe(before.routes);
  });

  it('reports a malformed CTDC file (older layout: `;`, alpha-2, -99 and 00) and changes nothing', async () => {
    const before = await stateOfA();
    const checked = await dryRun(
      csv([
        'yearOfRegistration;gender;ageBroad;citizenship;CountryOfExploitation;isForcedLabour;isSexualExploit',
        '2016;Female;18--20;-99;US;1;0',
        '2017;Male;-99;00;RU;1;0',
        '2018;Female;9--17;UA;PL;2;0',
        '2018;Female;9--17;ZZ;PL;1;0',
        '2018;Female;9--17;UA;PL;0;-99',
        '-99;Female;9--17;UA;PL;1;0',
        '2018;Female;9--17;MD;"RU;UA";1;0',
        '2018;Female;9--17;MD;RU;1;0',
      ]),
      'layout=ctdc&fileName=old.csv',
    );
    expect(checked.counts).toMatchObject({ rows: 8, valid: 1, invalid: 7 });
    const codes = checked.report.map((issue) => [issue.row, issue.column, issue.code]);
    expect(codes).toEqual([
      [2, 'citizenship', 'journeys.import_unknown_marker'],
      [3, 'citizenship', 'journeys.import_unknown_marker'],
      [4, 'isForcedLabour', 'journeys.import_bad_flag'],
      [5, 'citizenship', 'journeys.import_bad_country'],
      [6, 'isForcedLabour', 'journeys.import_no_exploitation_type'],
      [7, 'yearOfRegistration', 'journeys.import_unknown_marker'],
      [8, 'CountryOfExploitation', 'journeys.import_single_value'],
    ]);
    expect(checked.report[0]!.message).toContain('-99');
    expect((await commit(worker, checked.id)).statusCode).toBe(409);
    expect((await stateOfA()).routes).toBe(before.routes);
  });

  it('refuses a gigabyte of binary junk before answering: 413 at the limit, keeping nothing', async () => {
    const before = await stateOfA();
    let sent = 0;
    const gigabyte = new Readable({
      read() {
        if (sent >= 1024 ** 3) return this.push(null);
        sent += 1024 * 1024;
        this.push(randomBytes(1024 * 1024));
      },
    });
    // The junk is refused from its first piece (nothing more is kept or parsed); the rest is only counted, so
    // the answer is the limit's, as on every upload route. The injected client may see its unsent rest
    // aborted first (as a browser would see the connection close), so either is the refusal.
    const response = await upload(worker, gigabyte, 'layout=tracker&fileName=junk.csv').catch(
      (error: Error) => error,
    );
    if (response instanceof Error) expect(response.name).toBe('AbortError');
    else {
      expect(response.statusCode, response.body).toBe(413);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    // It stopped reading at the limit, long before the end.
    expect(sent).toBeLessThan(maxCsvBytes + 32 * 1024 * 1024);
    // The refused upload's import is deleted (after an abort, a moment after the client saw it).
    const uploading = async () => {
      const [row] = await inTransaction(db(), async (tx) => {
        await setTenant(tx, orgA);
        return queryRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from journeys_imports where status = 'uploading'`,
        );
      });
      return row!.n;
    };
    for (let tries = 0; tries < 50 && (await uploading()) > 0; tries++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await uploading()).toBe(0);
    expect(await stateOfA()).toEqual(before);
  });

  it('checks the file before answering: junk, bad CSV and hostile workbooks are refused, keeping nothing', async () => {
    const before = await stateOfA();
    const imports = async () => {
      const [row] = await inTransaction(db(), async (tx) => {
        await setTenant(tx, orgA);
        return queryRows<{ n: number }>(tx, sql`select count(*)::int as n from journeys_imports`);
      });
      return row!.n;
    };
    const importsBefore = await imports();
    const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const workbook = await writeXlsxFile([[{ value: 'Origin' }], [{ value: 'Nepal' }]]).toBuffer();
    const refusals: Array<[string, Buffer, string, string]> = [
      ['binary junk', randomBytes(4096), 'text/csv', 'journeys.import_binary'],
      [
        'Latin-1 text',
        Buffer.from('Origin\nS\xe3o Paulo\n', 'latin1'),
        'text/csv',
        'journeys.import_not_utf8',
      ],
      ['a stray quote', csv([trackerHeader, 'Nepal,"Qatar,,']), 'text/csv', 'journeys.import_bad_csv'],
      ['a header alone', csv([trackerHeader]), 'text/csv', 'journeys.import_no_rows'],
      ['a web page', Buffer.from('<html><script>x()</script></html>'), 'text/csv', 'journeys.import_not_csv'],
      ['a CSV sent as a workbook', goodTracker, xlsxType, 'journeys.import_not_xlsx'],
      [
        'a workbook with its sheet torn off',
        workbook.subarray(0, workbook.length - 100),
        xlsxType,
        'journeys.import_not_xlsx',
      ],
    ];
    for (const [name, body, type, code] of refusals) {
      const res = await upload(worker, body, 'layout=tracker&fileName=bad.csv', type);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json<{ errors: { code: string }[] }>().errors[0]!.code, name).toBe(code);
    }
    // A body declared over the limit is refused before it is read.
    const declared = await t.app
      .inject({
        method: 'POST',
        url: '/api/journeys/imports?layout=tracker&fileName=big.xlsx',
        headers: {
          'content-type': xlsxType,
          'content-length': String(maxXlsxBytes + 1),
          cookie: worker.cookie,
        },
        payload: Readable.from([Buffer.from('PK')]),
      })
      .catch((error: Error) => error);
    if (!(declared instanceof Error)) expect(declared.statusCode).toBe(413);
    expect(await imports()).toBe(importsBefore);
    expect(await stateOfA()).toEqual(before);
  });

  it('answers an upload over a real connection (the request stream is never walked as an object)', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/api/journeys/imports?layout=tracker&fileName=routes.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: worker.cookie, origin: address },
      body: goodTracker,
      signal: AbortSignal.timeout(15_000),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect((await res.json()) as JourneyImport).toMatchObject({ status: 'checking', format: 'csv' });
  });

  it('reports a large file of text junk and changes nothing', async () => {
    const before = await stateOfA();
    const lines = ['Origin,Place of exploitation,Exploitation type,Estimated number of cases,Period'];
    for (let i = 0; i < 30_000; i++) lines.push(`${randomBytes(12).toString('hex')},zz${i},qq,-${i},x`);
    const checked = await dryRun(csv(lines), 'layout=tracker&fileName=junk.csv');
    expect(checked.counts).toMatchObject({ rows: 30_000, valid: 0, invalid: 30_000 });
    expect(checked.counts.issues).toBeGreaterThan(30_000);
    expect(checked.report).toHaveLength(1_000);
    expect(checked.reportTruncated).toBe(true);
    expect((await commit(worker, checked.id)).statusCode).toBe(409);
    expect((await stateOfA()).routes).toBe(before.routes);
  });

  it('reads an XLSX workbook and a header-less mapping', async () => {
    const xlsx = await writeXlsxFile([
      [{ value: 'From' }, { value: 'To' }, { value: 'Kind' }, { value: 'How many' }, { value: 'When' }],
      [
        { value: 'Myanmar' },
        { value: 'Thailand' },
        { value: 'ForcedLabour' },
        { value: 7 },
        { value: '2023' },
      ],
    ]).toBuffer();
    const started = await upload(
      worker,
      xlsx,
      'layout=tracker&fileName=routes.xlsx&mapping=origin,exploitation,exploitationType,people,period',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(started.statusCode, started.body).toBe(202);
    await t.app.kernel.jobs.runDue();
    const checked = (await get(worker, started.json<JourneyImport>().id)).json<JourneyImport>();
    expect(checked.counts, JSON.stringify(checked.report)).toMatchObject({ rows: 1, valid: 1, issues: 0 });
  });

  it('lets only contributors import, and only the importer see or commit an import', async () => {
    const checked = await dryRun(goodTracker, 'layout=tracker&fileName=mine.csv');
    expect((await upload(null, goodTracker, 'layout=tracker&fileName=x.csv')).statusCode).toBe(401);
    const member = await upload(communityMember, goodTracker, 'layout=tracker&fileName=x.csv');
    expect(member.statusCode).toBe(403);
    expect(member.headers['content-type']).toContain('application/problem+json');
    for (const other of [outsider, colleague]) {
      expect((await get(other, checked.id)).statusCode).toBe(404);
      expect((await commit(other, checked.id)).statusCode).toBe(404);
    }
    expect((await get(communityMember, checked.id)).statusCode).toBe(403);
    // The import is still waiting, uncommitted.
    expect((await get(worker, checked.id)).json<JourneyImport>().status).toBe('checked');
  });

  it('refuses bad requests with localised problems', async () => {
    const media = await upload(worker, goodTracker, 'layout=tracker&fileName=x.pdf', 'application/pdf');
    expect(media.statusCode).toBe(415);
    const mapping = await upload(
      worker,
      goodTracker,
      'layout=tracker&fileName=x.csv&mapping=origin,origin',
      'text/csv',
      'es',
    );
    expect(mapping.statusCode).toBe(400);
    const problem = mapping.json<{ errors: { code: string; message: string }[] }>();
    expect(problem.errors[0]!.code).toBe('journeys.import_bad_mapping');
    expect(problem.errors[0]!.message).toContain('asignación');
    const layout = await upload(worker, goodTracker, 'layout=nope&fileName=x.csv');
    expect(layout.statusCode).toBe(400);
    const name = await upload(worker, goodTracker, 'layout=tracker&fileName=..%2Fx.csv');
    expect(name.statusCode).toBe(400);
    const zip = await upload(worker, Buffer.from('PK\u0003\u0004 junk'), 'layout=tracker&fileName=x.csv');
    expect(zip.json<{ errors: { code: string }[] }>().errors[0]!.code).toBe('journeys.import_not_csv');
  });

  it('accepts only routes the form would accept', () => {
    const mapping = proposeMapping('tracker', trackerHeader.split(','));
    const rows = goodTracker.toString('utf8').trim().split('\r\n').slice(1);
    for (const [index, line] of rows.entries()) {
      const cells = line
        .match(/("[^"]*"|[^,]*)(,|$)/g)!
        .map((cell) => cell.replace(/,$/, '').replace(/^"|"$/g, ''));
      const { route } = checkRow('tracker', index + 2, cells, mapping);
      expect(route, line).not.toBeNull();
      expect(routeInputSchema.safeParse(route).success).toBe(true);
    }
  });
});
