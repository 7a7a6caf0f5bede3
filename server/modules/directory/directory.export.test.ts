import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../kernel/db/types.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { createProfile } from '../../test/directory.js';
import { createMember, createPerson, signIn } from '../../test/factories.js';
import { safeCell } from './directory.export.js';
import { searchPlaces } from './directory.gazetteer.js';

const unique = () => randomBytes(3).toString('hex');

describe('directory export: search results as CSV and HTCDS org_ records', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CAIRN_RATE_LIMIT_MAX: '100000' } });
  });
  afterAll(() => t.close());
  const db = () => t.database.db;
  const mombasa = () => searchPlaces('Mombasa', { country: 'KE' })[0]!;

  async function memberOf(organisationId: string) {
    const m = await createMember(db(), { role: 'member', organisationId });
    return (await signIn(db(), m.personId, { membershipId: m.membership.id })).cookie;
  }

  async function exportAs(cookie: string | undefined, query: string) {
    const res = await t.app.inject({
      url: `/api/directory/export?${query}`,
      headers: cookie ? { cookie } : {},
    });
    return res;
  }

  const rowsOf = (body: string) =>
    parse<Record<string, string>>(body, { bom: true, columns: true, skip_empty_lines: true });

  /** Three organisations sharing a word nobody else uses, so a search finds exactly them. */
  async function scene() {
    const word = `Zephyr${unique()}`;
    const hidden = await createProfile(db(), {
      organisation: { name: `${word} Hidden Haven`, countries: ['KE'], type: 'ngo' },
      profile: {
        services: ['shelter'],
        offices: [
          { label: 'Office', placeId: mombasa().id, street: '12 Moi Avenue', phone: '+254700000001' },
        ],
        contacts: [{ label: 'Intake', email: 'intake@hidden.example' }],
        website: 'https://hidden.example',
        visibility: { contacts: 'partners', website: 'members' },
        hideExactLocation: true,
      },
    });
    const open = await createProfile(db(), {
      organisation: { name: `${word} Open Legal`, countries: ['KE'], type: 'legal' },
      profile: {
        offices: [{ label: 'Office', placeId: mombasa().id, street: '1 Open Road' }],
        contacts: [{ label: 'Desk', email: 'desk@open.example', phone: '+254700000002' }],
        visibility: { contacts: 'partners' },
      },
    });
    const formula = await createProfile(db(), {
      organisation: { name: `=HYPERLINK("http://evil.example","${word}")`, countries: ['KE'], type: 'igo' },
    });
    return {
      word,
      hidden: hidden.organisationId,
      open: open.organisationId,
      formula: formula.organisationId,
    };
  }

  it('refuses the public and people who are not members', async () => {
    const { word } = await scene();
    expect((await exportAs(undefined, `q=${word}`)).statusCode).toBe(401);
    const loner = await createPerson(db());
    const cookie = (await signIn(db(), loner.id)).cookie;
    expect((await exportAs(cookie, `q=${word}`)).statusCode).toBe(403);
  });

  it('exports what a member sees: members fields yes, partners-only fields and hidden locations no', async () => {
    const s = await scene();
    const reader = await createProfile(db());
    const cookie = await memberOf(reader.organisationId);
    const res = await exportAs(cookie, `q=${s.word}&format=csv`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="cairn-directory-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = rowsOf(res.body);
    const byId = new Map(rows.map((r) => [r.organisationId, r]));
    const hidden = byId.get(s.hidden)!;
    expect(hidden).toMatchObject({
      services: 'shelter',
      website: 'https://hidden.example',
      officeCountry: 'KE',
    });
    // SECURITY: hidden location — no place, street, phone of the office, or point.
    expect(hidden).toMatchObject({ city: '', street: '', latitude: '', longitude: '', phone: '' });
    // SECURITY: contacts are partners-only.
    expect(hidden.email).toBe('');
    expect(res.body).not.toContain('Moi Avenue');
    expect(res.body).not.toContain('intake@hidden.example');
    expect(res.body).not.toContain('+254700000001');
    expect(Object.values(hidden).join(',')).not.toContain(String(mombasa().latitude));

    const open = byId.get(s.open)!;
    expect(open).toMatchObject({ city: 'Mombasa', street: '1 Open Road', email: '' });
    expect(Number(open.latitude)).toBeCloseTo(mombasa().latitude, 3);

    const audit = await queryRows<{ details: { format: string; count: number } }>(
      db(),
      sql`select details from kernel_audit where action = 'directory.results_exported' order by id desc limit 1`,
    );
    expect(audit[0]!.details).toEqual({ format: 'csv', count: rows.length });
  });

  it('gives partners their partners-only fields, but never a hidden location', async () => {
    const s = await scene();
    const partner = await createProfile(db());
    // Both organisations list the reader's organisation as a partner.
    for (const organisationId of [s.hidden, s.open]) {
      await db().execute(
        sql`insert into directory_partners (organisation_id, partner_organisation_id) values (${organisationId}, ${partner.organisationId})`,
      );
    }
    const rows = rowsOf((await exportAs(await memberOf(partner.organisationId), `q=${s.word}`)).body);
    const byId = new Map(rows.map((r) => [r.organisationId, r]));
    expect(byId.get(s.hidden)).toMatchObject({ email: 'intake@hidden.example', city: '', latitude: '' });
    expect(byId.get(s.open)).toMatchObject({ email: 'desk@open.example', phone: '+254700000002' });
  });

  it('writes HTCDS org_ records with HTCDS type codes', async () => {
    const s = await scene();
    const staff = await createPerson(db(), { platformRole: 'moderator', passkey: true });
    const res = await exportAs((await signIn(db(), staff.id)).cookie, `q=${s.word}&format=htcds`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toContain('cairn-directory-htcds-');
    const header = res.body.replace(/^\ufeff/, '').split('\r\n')[0];
    expect(header).toBe(
      'org_Name,org_Type,org_ShippingStreet,org_ShippingCity,org_ShippingState,org_ShippingPostalCode,' +
        'org_ShippingCountry,org_ShippingLatitude,org_ShippingLongitude,org_Phone',
    );
    const rows = rowsOf(res.body);
    const open = rows.find((r) => r.org_Name === `${s.word} Open Legal`)!;
    expect(open).toMatchObject({
      org_Type: 'LegalService',
      org_ShippingCity: 'Mombasa',
      org_ShippingStreet: '1 Open Road',
      org_ShippingCountry: 'KE',
    });
    expect(open.org_ShippingState).not.toBe('');
    const hidden = rows.find((r) => r.org_Name === `${s.word} Hidden Haven`)!;
    expect(hidden).toMatchObject({
      org_Type: 'NGO',
      org_ShippingCity: '',
      org_ShippingStreet: '',
      org_ShippingLatitude: '',
      org_ShippingLongitude: '',
      org_Phone: '',
      org_ShippingCountry: 'KE',
    });
  });

  it('keeps formulas inert (CSV injection) but leaves numbers alone', async () => {
    const s = await scene();
    const reader = await createProfile(db());
    const rows = rowsOf((await exportAs(await memberOf(reader.organisationId), `q=${s.word}`)).body);
    const formula = rows.find((r) => r.organisationId === s.formula)!;
    expect(formula.name).toBe(`'=HYPERLINK("http://evil.example","${s.word}")`);
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('+cmd|"/C calc"!A0')).toBe('\'+cmd|"/C calc"!A0');
    expect(safeCell('-2+3')).toBe("'-2+3");
    expect(safeCell('\tx')).toBe("'\tx");
    expect(safeCell('-1.2921')).toBe('-1.2921');
    expect(safeCell('+254700000000')).toBe('+254700000000');
    expect(safeCell('Plain text')).toBe('Plain text');
  });

  it('exports only what matches the filters, and can be imported again', async () => {
    const s = await scene();
    const reader = await createProfile(db());
    const cookie = await memberOf(reader.organisationId);
    const exported = await exportAs(cookie, `q=${s.word}&service=shelter`);
    const rows = rowsOf(exported.body);
    expect(rows.map((r) => r.organisationId)).toEqual([s.hidden]);
    const wrong = await exportAs(cookie, `format=pdf`);
    expect(wrong.statusCode).toBe(400);

    // The export's headers are the import's fields: the importer maps them by itself, and finds the
    // organisation already on Cairn.
    const staff = await createPerson(db(), { platformRole: 'platform_admin', passkey: true });
    const check = await t.app.inject({
      method: 'POST',
      url: '/api/directory/imports?fileName=export.csv',
      headers: { cookie: (await signIn(db(), staff.id)).cookie, 'content-type': 'text/csv' },
      payload: exported.rawPayload,
    });
    expect(check.statusCode, check.body).toBe(201);
    const result = check.json<{
      columns: Array<{ header: string; field: string | null }>;
      report: Array<{ code: string }>;
    }>();
    for (const column of result.columns) {
      expect(column.field, column.header).toBe(
        ['latitude', 'longitude', 'tier', 'organisationId', 'updatedAt'].includes(column.header)
          ? null
          : column.header,
      );
    }
    expect(result.report.map((r) => r.code)).toEqual(['directory.import_duplicate_existing']);
  });
});
