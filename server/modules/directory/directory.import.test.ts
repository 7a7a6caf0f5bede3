import { randomBytes } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import writeExcelFile from 'write-excel-file/node';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { testDatabaseKind } from '../../test/db.js';
import { createMember, createOrganisation, createPerson, signIn } from '../../test/factories.js';
import { xlsxMediaType } from './directory.import.files.js';
import type { DirectoryImport } from './directory.import.schemas.js';
import { proposeMapping } from './directory.import.service.js';
import type { Profile } from './directory.profiles.schemas.js';
import type { SearchResult } from './directory.search.schemas.js';

const unique = () => randomBytes(3).toString('hex');

/** A zip archive built by hand, so tests can make ones no honest tool would (bombs, lying sizes). */
function zipOf(entries: Array<{ name: string; data: Buffer; declaredSize?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const packed = deflateRawSync(entry.data, { level: 9 });
    const size = entry.declaredSize ?? entry.data.length;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('directory import: dry run, report, all-or-nothing commit', () => {
  let t: TestApp;
  let staff: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
    const admin = await createPerson(t.database.db, { platformRole: 'platform_admin', passkey: true });
    staff = (await signIn(t.database.db, admin.id)).cookie;
  });
  afterAll(() => t.close());

  /** How many organisations and profiles exist: every failed case must leave both unchanged. */
  async function counts() {
    const [row] = await queryRows<{ organisations: number; profiles: number }>(
      t.database.db,
      sql`select (select count(*)::int from identity_organisations) as organisations,
                 (select count(*)::int from directory_profiles) as profiles`,
    );
    return row!;
  }

  function upload(
    body: string | Buffer,
    options: {
      type?: string;
      fileName?: string;
      mapping?: string;
      cookie?: string;
      language?: string;
      /** A client address of its own, so many uploads in one test stay under the per-address rate limit. */
      address?: string;
    } = {},
  ) {
    const query = new URLSearchParams({ fileName: options.fileName ?? 'organisations.csv' });
    if (options.mapping !== undefined) query.set('mapping', options.mapping);
    return t.app.inject({
      method: 'POST',
      url: `/api/directory/imports?${query.toString()}`,
      headers: {
        cookie: options.cookie ?? staff,
        'content-type': options.type ?? 'text/csv; charset=utf-8',
        ...(options.language ? { 'accept-language': options.language } : {}),
      },
      payload: body,
      ...(options.address ? { remoteAddress: options.address } : {}),
    });
  }

  const commit = (id: string, cookie = staff) =>
    t.app.inject({ method: 'POST', url: `/api/directory/imports/${id}/commit`, headers: { cookie } });

  /** A file with a header row and these rows, as CSV. */
  const csv = (rows: string[][]) =>
    rows
      .map((row) =>
        row.map((cell) => (/[",\n;]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(','),
      )
      .join('\n');

  it('checks a good CSV, proposes the mapping from its headers, and commits every row in one go', async () => {
    const tag = unique();
    const body = csv([
      [
        'org_Name',
        'Organisation type',
        'Country',
        'Services',
        'City',
        'Street',
        'Languages',
        'Email',
        'Website',
        'Notes',
      ],
      [
        `Pwani Haven ${tag}`,
        'NGO',
        'Kenya',
        'Shelter; Legal aid',
        'Mombasa',
        '12 Moi Avenue',
        'sw; English',
        `intake-${tag}@example.org`,
        'pwani.example.org',
        'ignored',
      ],
      [`Mekong Legal ${tag}`, 'LegalService', 'TH; LA', 'legal_aid', '', '', 'th', '', '', ''],
      [`Fundación Norte ${tag}`, 'faith_based', 'CO', '', 'Bogotá', '', 'es', '', '', ''],
    ]);
    const before = await counts();
    const res = await upload(`\ufeff${body}`);
    expect(res.statusCode, res.body).toBe(201);
    const check = res.json<DirectoryImport>();
    expect(check.columns.map((c) => c.field)).toEqual([
      'name',
      'type',
      'countries',
      'services',
      'city',
      'street',
      'languages',
      'email',
      'website',
      null,
    ]);
    expect(check.report).toEqual([]);
    expect(check.counts).toMatchObject({ rows: 3, valid: 3, invalid: 0, issues: 0, created: 0 });
    expect(check.canCommit).toBe(true);
    expect(check.status).toBe('checked');
    // The dry run writes nothing but its own record.
    expect(await counts()).toEqual(before);

    const done = await commit(check.id);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json<DirectoryImport>()).toMatchObject({
      status: 'committed',
      counts: { created: 3 },
      canCommit: false,
    });
    expect(await counts()).toEqual({
      organisations: before.organisations + 3,
      profiles: before.profiles + 3,
    });

    // Imported organisations are listed: a member (of an organisation made here) finds them in search.
    const member = await createMember(t.database.db, { role: 'member' });
    const afterCommit = await counts();
    const cookie = (await signIn(t.database.db, member.personId, { membershipId: member.membership.id }))
      .cookie;
    const found = await t.app.inject({
      url: `/api/directory/search?q=${encodeURIComponent(`Pwani Haven ${tag}`)}`,
      headers: { cookie },
    });
    const hit = found.json<SearchResult>().items.find((item) => item.name === `Pwani Haven ${tag}`);
    expect(hit, found.body).toBeDefined();
    const profile = (
      await t.app.inject({ url: `/api/directory/organisations/${hit!.organisationId}`, headers: { cookie } })
    ).json<Profile>();
    expect(profile).toMatchObject({
      type: 'ngo',
      tier: null,
      countries: ['KE'],
      services: ['shelter', 'legal_aid'],
      languages: ['sw', 'en'],
      website: 'https://pwani.example.org',
    });
    expect(profile.offices?.[0]).toMatchObject({
      placeName: 'Mombasa',
      country: 'KE',
      street: '12 Moi Avenue',
    });
    expect(profile.contacts?.[0]?.email).toBe(`intake-${tag}@example.org`);

    const [origin] = await queryRows<{ referee: string; status: string }>(
      t.database.db,
      sql`select referee, status from identity_organisations where id = ${hit!.organisationId}`,
    );
    expect(origin).toEqual({ referee: 'import:organisations.csv', status: 'active' });
    const audit = await queryRows<{ details: { created: number } }>(
      t.database.db,
      sql`select details from kernel_audit where action = 'directory.organisations_imported' and object_id = ${check.id}`,
    );
    expect(audit.map((a) => a.details.created)).toEqual([3]);

    // Committing again is a conflict and creates nothing more.
    expect((await commit(check.id)).statusCode).toBe(409);
    expect(await counts()).toEqual(afterCommit);
  });

  it('reads an XLSX workbook (first sheet) and a semicolon-separated CSV the same way', async () => {
    const tag = unique();
    const xlsx = await writeExcelFile([
      ['Name', 'Type', 'Countries', 'Populations', 'Phone'],
      [`Delta Outreach ${tag}`, 'ngo', 'NG', 'women; girls', '+234 800 000 0000'],
      [`Sahel Clinic ${tag}`, 'Health Service Organisation', 'Niger', 'children_12_17', ''],
    ] as never).toBuffer();
    const before = await counts();
    const res = await upload(xlsx, { type: xlsxMediaType, fileName: 'network.xlsx' });
    expect(res.statusCode, res.body).toBe(201);
    const check = res.json<DirectoryImport>();
    expect(check.format).toBe('xlsx');
    expect(check.report).toEqual([]);
    expect(check.counts.valid).toBe(2);
    expect((await commit(check.id)).statusCode).toBe(200);
    expect((await counts()).organisations).toBe(before.organisations + 2);

    const semicolons = await upload(`name;type;countries\nLagos Link ${tag};ngo;NG\n`);
    expect(semicolons.json<DirectoryImport>().counts).toMatchObject({ valid: 1, issues: 0 });
  });

  it('reports wrong columns on the header row, and accepts an explicit mapping instead', async () => {
    const tag = unique();
    const body = csv([
      ['Org', 'Kind of org', 'Where'],
      [`Harbour Watch ${tag}`, 'ngo', 'KE'],
    ]);
    const before = await counts();
    const res = await upload(body);
    const check = res.json<DirectoryImport>();
    expect(check.columns.map((c) => c.field)).toEqual([null, null, null]);
    expect(check.report.map((r) => [r.row, r.field, r.code])).toEqual([
      [1, 'name', 'directory.import_missing_column'],
      [1, 'type', 'directory.import_missing_column'],
      [1, 'countries', 'directory.import_missing_column'],
    ]);
    expect(check.report[0]!.message).toBe('No column is mapped to this required field.');
    expect(check.canCommit).toBe(false);
    expect((await commit(check.id)).statusCode).toBe(409);
    expect(await counts()).toEqual(before);

    const mapped = (await upload(body, { mapping: 'name,type,countries' })).json<DirectoryImport>();
    expect(mapped.columns.map((c) => c.field)).toEqual(['name', 'type', 'countries']);
    expect(mapped.canCommit).toBe(true);

    const bad = await upload(body, { mapping: 'name,name,countries' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: Array<{ path: string; code: string }> }>().errors[0]).toMatchObject({
      path: 'query.mapping',
      code: 'directory.import_bad_mapping',
    });
    expect(await counts()).toEqual(before);
  });

  it('reports bad country codes, types, vocabulary and places row by row, in the reader’s language', async () => {
    const tag = unique();
    const body = csv([
      ['name', 'type', 'countries', 'services', 'city', 'languages'],
      [`Good Row ${tag}`, 'ngo', 'KE', 'shelter', '', ''],
      [`Bad Country ${tag}`, 'ngo', 'XX', '', '', ''],
      [`Narnia Aid ${tag}`, 'ngo', 'Narnia; KE', '', '', ''],
      [`Odd Type ${tag}`, 'spaceship', 'KE', 'teleportation', '', 'klingon'],
      [`Lost Office ${tag}`, 'ngo', 'KE', '', 'Atlantis', ''],
      ['', 'ngo', 'KE', '', '', ''],
    ]);
    const before = await counts();
    const check = (await upload(body, { language: 'fr' })).json<DirectoryImport>();
    expect(check.report.map((r) => [r.row, r.field, r.code])).toEqual([
      [3, 'countries', 'directory.import_unknown_country'],
      [4, 'countries', 'directory.import_unknown_country'],
      [5, 'type', 'directory.import_unknown_type'],
      [5, 'services', 'directory.import_unknown_value'],
      [5, 'languages', 'directory.import_unknown_language'],
      [6, 'city', 'directory.import_unknown_place'],
      [7, 'name', 'directory.import_required'],
    ]);
    expect(check.report[0]).toMatchObject({ column: 'countries' });
    expect(check.report[0]!.message).toContain('« XX » n’est pas un pays connu');
    expect(check.report[5]!.message).toContain('Atlantis');
    expect(check.counts).toMatchObject({ rows: 6, valid: 1, invalid: 5, issues: 7 });
    expect(check.canCommit).toBe(false);
    expect((await commit(check.id)).statusCode).toBe(409);
    expect(await counts()).toEqual(before);
  });

  it('reports duplicates in the file and against existing organisations', async () => {
    const tag = unique();
    await createOrganisation(t.database.db, { name: `Existing Shelter ${tag}`, countries: ['UG'] });
    const body = csv([
      ['name', 'type', 'countries'],
      [`Twin Org ${tag}`, 'ngo', 'KE'],
      [`TWIN ÖRG ${tag}`, 'ngo', 'KE; TZ'],
      [`Twin Org ${tag}`, 'ngo', 'UG'],
      [`existing shelter ${tag}`, 'ngo', 'UG'],
    ]);
    const before = await counts();
    const check = (await upload(body)).json<DirectoryImport>();
    expect(check.report.map((r) => [r.row, r.code])).toEqual([
      [3, 'directory.import_duplicate_in_file'],
      [5, 'directory.import_duplicate_existing'],
    ]);
    expect(check.report[0]!.message).toBe('The same organisation (name and country) is already in row 2.');
    expect((await commit(check.id)).statusCode).toBe(409);
    expect(await counts()).toEqual(before);
  });

  it('refuses formula cells as row errors', async () => {
    const tag = unique();
    const body = csv([
      ['name', 'type', 'countries', 'website'],
      ['=HYPERLINK("http://evil.example","Click")', 'ngo', 'KE', ''],
      [`Plus Sign ${tag}`, 'ngo', 'KE', '+cmd|" /C calc"!A0'],
      [`@SUM(A1) ${tag}`, 'ngo', 'KE', ''],
      [`Minus Hope ${tag}`, '-2+3', 'KE', ''],
    ]);
    const before = await counts();
    const check = (await upload(body)).json<DirectoryImport>();
    expect(
      check.report.filter((r) => r.code === 'directory.import_formula').map((r) => [r.row, r.field]),
    ).toEqual([
      [2, 'name'],
      [3, 'website'],
      [4, 'name'],
    ]);
    expect(check.canCommit).toBe(false);
    expect(await counts()).toEqual(before);
  });

  it('refuses garbage, binary and oversized files with a localised problem, writing nothing', async () => {
    const before = await counts();
    const importsBefore = (
      await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from directory_imports`)
    )[0]!.n;
    const garbage = randomBytes(10 * 1024 * 1024 - 1024);
    const asCsv = await upload(garbage);
    expect(asCsv.statusCode).toBe(400);
    expect(asCsv.json<{ errors: Array<{ code: string; message: string }> }>().errors[0]).toMatchObject({
      code: 'directory.import_binary',
    });
    const asXlsx = await upload(garbage, { type: xlsxMediaType, fileName: 'x.xlsx' });
    expect(asXlsx.statusCode).toBe(400);
    expect(asXlsx.json<{ errors: Array<{ code: string }> }>().errors[0]!.code).toBe(
      'directory.import_not_xlsx',
    );

    const latin1 = await upload(Buffer.from('name,type,countries\nAsociaci\xf3n,ngo,CO\n', 'latin1'), {
      language: 'es',
    });
    expect(latin1.json<{ errors: Array<{ code: string; message: string }> }>().errors[0]).toMatchObject({
      code: 'directory.import_not_utf8',
      message: expect.stringContaining('UTF-8') as string,
    });
    const quotes = await upload('name,type,countries\n"Broken "quote, ngo, KE\n');
    expect(quotes.json<{ errors: Array<{ code: string }> }>().errors[0]!.code).toBe(
      'directory.import_bad_csv',
    );
    expect((await upload('')).statusCode).toBe(400);
    expect(
      (await upload('name,type,countries\n')).json<{ errors: Array<{ code: string }> }>().errors[0]!.code,
    ).toBe('directory.import_no_rows');

    const tooLarge = await upload(Buffer.alloc(10 * 1024 * 1024 + 1, 0x41));
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json<{ code: string }>().code).toBe('payload_too_large');
    const wrongType = await upload('name\nx', { type: 'application/pdf' });
    expect(wrongType.statusCode).toBe(415);

    const tooMany = await upload(`name,type,countries\n${'x,ngo,KE\n'.repeat(20_001)}`);
    expect(tooMany.json<{ errors: Array<{ code: string }> }>().errors[0]!.code).toBe(
      'directory.import_too_many_rows',
    );

    expect(await counts()).toEqual(before);
    const importsAfter = (
      await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from directory_imports`)
    )[0]!.n;
    expect(importsAfter).toBe(importsBefore);
  });

  it('refuses zip bombs and zips that lie about their sizes before the spreadsheet reader sees them', async () => {
    const before = await counts();
    const xlsxNames = (big: Buffer, declaredSize?: number) => [
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: big, declaredSize },
    ];
    // 60 MB of zeros packs into about 60 kB: over both the size and the ratio limit.
    const bomb = zipOf(xlsxNames(Buffer.alloc(60 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(200_000);
    const res = await upload(bomb, { type: xlsxMediaType, fileName: 'bomb.xlsx' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: Array<{ code: string }> }>().errors[0]!.code).toBe('directory.import_zip_bomb');

    // 5 MB of zeros (under 50 MB) is still a ratio far over 100.
    const dense = zipOf(xlsxNames(Buffer.alloc(5 * 1024 * 1024)));
    expect(
      (await upload(dense, { type: xlsxMediaType })).json<{ errors: Array<{ code: string }> }>().errors[0]!
        .code,
    ).toBe('directory.import_zip_bomb');

    // Declares 1 kB, inflates to 20 MB: the declared size is not believed.
    const liar = zipOf(xlsxNames(Buffer.alloc(20 * 1024 * 1024), 1024));
    const lied = await upload(liar, { type: xlsxMediaType });
    expect(lied.statusCode).toBe(400);
    expect(['directory.import_zip_bomb', 'directory.import_not_xlsx']).toContain(
      lied.json<{ errors: Array<{ code: string }> }>().errors[0]!.code,
    );

    // A zip that is not a workbook.
    const notXlsx = zipOf([{ name: 'readme.txt', data: Buffer.from('hello') }]);
    expect(
      (await upload(notXlsx, { type: xlsxMediaType })).json<{ errors: Array<{ code: string }> }>().errors[0]!
        .code,
    ).toBe('directory.import_not_xlsx');
    // A workbook sent as CSV.
    const xlsx = await writeExcelFile([['name']] as never).toBuffer();
    expect((await upload(xlsx)).json<{ errors: Array<{ code: string }> }>().errors[0]!.code).toBe(
      'directory.import_not_csv',
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses cell references that would make the reader fill millions of rows or columns', async () => {
    // Found by the upload attack suite: read-excel-file fills every gap before a cell with empty rows and
    // cells, so one cell at row 30,000,000 in a 600-byte workbook exhausted the server's memory.
    const before = await counts();
    const rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
    const workbookOf = (rows: string, extra: Array<{ name: string; data: Buffer }> = [], links = '') =>
      zipOf([
        {
          name: '[Content_Types].xml',
          data: Buffer.from(
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
              '<Default Extension="xml" ContentType="application/xml"/>' +
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
              '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/></Types>',
          ),
        },
        {
          name: 'xl/workbook.xml',
          data: Buffer.from(
            `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
          ),
        },
        {
          name: 'xl/_rels/workbook.xml.rels',
          data: Buffer.from(
            `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
          ),
        },
        {
          name: 'xl/worksheets/sheet1.xml',
          data: Buffer.from(
            `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
          ),
        },
        {
          name: 'xl/worksheets/_rels/sheet1.xml.rels',
          data: Buffer.from(
            `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${links}</Relationships>`,
          ),
        },
        ...extra,
      ]);
    const text = (ref: string, value: string) => `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
    const header = `<row r="1">${text('A1', 'name')}${text('B1', 'type')}${text('C1', 'countries')}</row>`;
    const code = async (body: Buffer) => {
      const res = await upload(body, { type: xlsxMediaType, fileName: 'crafted.xlsx', address: '10.0.9.1' });
      expect(res.statusCode).toBe(400);
      return res.json<{ errors: Array<{ code: string }> }>().errors[0]!.code;
    };
    expect(await code(workbookOf(`${header}<row r="30000000">${text('A30000000', 'x')}</row>`))).toBe(
      'directory.import_not_xlsx',
    );
    expect(await code(workbookOf(`${header}<row r="2">${text('ZZZZ2', 'x')}</row>`))).toBe(
      'directory.import_not_xlsx',
    );
    expect(await code(workbookOf(`${header}<row r="2">${text('CW2', 'x')}</row>`))).toBe(
      'directory.import_too_many_columns',
    );
    expect(await code(workbookOf(`${header}<row r="20002">${text('A20002', 'x')}</row>`))).toBe(
      'directory.import_too_many_rows',
    );
    expect(await code(workbookOf(header, [{ name: 'xl/vbaProject.bin', data: randomBytes(64) }]))).toBe(
      'directory.import_active_content',
    );

    // What real spreadsheets carry is still read: formatting far away, a formatted empty last row,
    // printer settings and a hyperlink to a website.
    const tag = unique();
    const honest = workbookOf(
      `${header}<row r="2">${text('A2', `Harbour Light ${tag}`)}${text('B2', 'ngo')}${text('C2', 'KE')}<c r="XFD2" s="1"/></row>` +
        '<row r="1048576" ht="20" customHeight="1"/>',
      [{ name: 'xl/printerSettings/printerSettings1.bin', data: randomBytes(64) }],
      `<Relationship Id="rId1" Type="${rel}/hyperlink" Target="https://example.org/" TargetMode="External"/>`,
    );
    const accepted = await upload(honest, {
      type: xlsxMediaType,
      fileName: 'honest.xlsx',
      address: '10.0.9.1',
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json<DirectoryImport>().counts).toMatchObject({ rows: 1, valid: 1 });
    expect(await counts()).toEqual(before);
  });

  it('refuses web pages and PDFs sent as CSV, charsets other than UTF-8, and file names with paths', async () => {
    const refusal = async (res: Awaited<ReturnType<typeof upload>>) => {
      expect(res.statusCode).toBe(400);
      return res.json<{ errors: Array<{ code: string }> }>().errors[0]!.code;
    };
    const address = '10.0.9.2';
    const page = '<!doctype html><script>alert(1)</script>\nname,type\n';
    expect(await refusal(await upload(page, { address }))).toBe('directory.import_not_csv');
    const pdf = '%PDF-1.4\n1 0 obj << >> endobj\n';
    expect(await refusal(await upload(pdf, { address }))).toBe('directory.import_not_csv');
    const good = 'name,type,countries\nX,ngo,KE\n';
    expect((await upload(good, { type: 'text/csv; charset=iso-8859-1', address })).statusCode).toBe(415);
    expect((await upload(good, { type: 'text/csv; charset="UTF-8"', address })).statusCode).toBe(201);
    for (const fileName of [
      '../../etc/passwd',
      'C:\\data\\orgs.csv',
      'orgs\u202Evsc.exe',
      'a\nb.csv',
      '..',
    ]) {
      expect(await refusal(await upload(good, { fileName, language: 'fr', address }))).toBe(
        'directory.import_bad_file_name',
      );
    }
    const plain = await upload(good, { fileName: 'Organisations – Kenya (2026).csv', address });
    expect(plain.statusCode).toBe(201);
  });

  it('rolls the whole commit back when one row has become a duplicate since the dry run', async () => {
    const tag = unique();
    const body = csv([
      ['name', 'type', 'countries'],
      [`First Light ${tag}`, 'ngo', 'PH'],
      [`Second Light ${tag}`, 'ngo', 'PH'],
      [`Third Light ${tag}`, 'ngo', 'PH'],
    ]);
    const check = (await upload(body)).json<DirectoryImport>();
    expect(check.canCommit).toBe(true);
    // Someone lists the third organisation between the dry run and the commit.
    await createOrganisation(t.database.db, { name: `Third Light ${tag}`, countries: ['PH'] });
    const before = await counts();
    const res = await commit(check.id);
    expect(res.statusCode).toBe(409);
    expect(await counts()).toEqual(before);
    const after = (
      await t.app.inject({ url: `/api/directory/imports/${check.id}`, headers: { cookie: staff } })
    ).json<DirectoryImport>();
    expect(after.status).toBe('failed');
    expect(after.report.map((r) => [r.row, r.code])).toEqual([[4, 'directory.import_duplicate_existing']]);
    expect(after.canCommit).toBe(false);
  });

  it('shows progress while committing, and keeps each import to its uploader', async () => {
    const tag = unique();
    const rows = Array.from({ length: 40 }, (_, i) => [`Progress Org ${i} ${tag}`, 'ngo', 'KE']);
    const check = (await upload(csv([['name', 'type', 'countries'], ...rows]))).json<DirectoryImport>();
    expect(check.progress).toEqual({ processed: 0, total: 40 });

    const other = await createPerson(t.database.db, { platformRole: 'moderator', passkey: true });
    const otherCookie = (await signIn(t.database.db, other.id)).cookie;
    const peek = await t.app.inject({
      url: `/api/directory/imports/${check.id}`,
      headers: { cookie: otherCookie },
    });
    expect(peek.statusCode).toBe(404);
    expect((await commit(check.id, otherCookie)).statusCode).toBe(404);

    const running = commit(check.id);
    const seen: Array<{ status: string; processed: number }> = [];
    for (let i = 0; i < 500; i++) {
      const now = (
        await t.app.inject({ url: `/api/directory/imports/${check.id}`, headers: { cookie: staff } })
      ).json<DirectoryImport>();
      seen.push({ status: now.status, processed: now.progress.processed });
      if (now.status === 'committed') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await running).statusCode).toBe(200);
    expect(seen.at(-1)).toEqual({ status: 'committed', processed: 40 });
    const during = seen.filter((s) => s.status === 'committing');
    // PGlite has one connection: the commit's transaction holds it, so polls wait until it ends (the
    // session check needs the database). PostgreSQL answers polls meanwhile, from the progress map.
    if (testDatabaseKind() === 'postgresql') expect(during.length).toBeGreaterThan(0);
    const processed = during.map((s) => s.processed);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(Math.max(...processed)).toBeLessThanOrEqual(40);
  });

  it('maps HTCDS org_ headers and common variants, each field once', () => {
    expect(
      proposeMapping([
        'org_Name',
        'org_Type',
        'org_ShippingStreet',
        'org_ShippingCity',
        'org_ShippingState',
        'org_ShippingPostalCode',
        'org_ShippingCountry',
        'org_ShippingLatitude',
        'org_Phone',
      ]),
    ).toEqual(['name', 'type', 'street', 'city', null, 'postalCode', 'countries', null, 'phone']);
    expect(proposeMapping(['Nom', 'País', 'E-mail', 'Country', 'Sitio web', 'Idiomas'])).toEqual([
      'name',
      'countries',
      'email',
      null,
      'website',
      'languages',
    ]);
  });

  it('lets only platform staff upload, and checks them before reading the file', async () => {
    const member = await createMember(t.database.db, { role: 'org_admin' });
    const cookie = (await signIn(t.database.db, member.personId, { membershipId: member.membership.id }))
      .cookie;
    expect((await upload('name,type,countries\nX,ngo,KE', { cookie })).statusCode).toBe(403);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/directory/imports?fileName=a.csv',
      headers: { 'content-type': 'text/csv' },
      payload: randomBytes(1024),
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
