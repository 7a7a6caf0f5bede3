import { describe, expect, it } from 'vitest';
import {
  checkTables,
  columnsOf,
  dictionaryOf,
  extensionsColumn,
  headersOf,
  meaningOf,
  recordTypes,
  toHtcdsTables,
  type ExchangeCase,
  type SourceTable,
} from './cases.htcds.js';
import { csvFiles, readImportFile, safeCell } from './cases.htcds.files.js';

/**
 * The HTCDS mapping on its own (no database). Field and value names below are quoted from the Human
 * Trafficking Case Data Standard v2.0 and its official XLSForm (IOM, github.com/UNMigration/HTCDS,
 * CC BY 4.0; no endorsement by IOM implied).
 */

/** The `name` column of the official XLSForm's survey sheet (htcds_v2_xlsform_survey.csv). */
const xlsformNames = [
  'start',
  'end',
  'con_Consent',
  'prs_Salutation',
  'prs_First_Name',
  'prs_Second_Name',
  'prs_Birthdate',
  'prs_Gender',
  'prs_Citizenship',
  'prs_Title',
  'prs_Email',
  'prs_HomePhone',
  'prs_MobilePhone',
  'prs_MailingCity',
  'prs_MailingCountry',
  'prs_MailingState',
  'prs_MailingStreet',
  'prs_MailingPostalCode',
  'vic_MethodOfRecruitment',
  'vic_LocationOfRecruitment',
  'vic_TraffickingStatus',
  'vic_TraffickingStatusDecisionMakingOrg',
  'vic_Methods_of_Control',
  'vic_TypeOfExploitation',
  'vic_ForcedLabourIndustry',
  'vic_TypeOfSexExploitation',
  'vic_LocationOfExploitation',
  'cas_Status',
  'cas_ReferringOrganisation',
  'cas_IncomingReferralDate',
  'cas_ReferringPrimaryCaseWorker',
  'cas_ReasonForIncomingReferral',
  'cas_IncomingReferralDetails',
  '__version__',
];

const table = (headers: string[], ...rows: string[][]): SourceTable => ({
  type: 'cases',
  headers,
  rows: rows.map((cells, index) => ({ row: index + 2, cells })),
  text: true,
});

const check = (headers: string[], ...rows: string[][]) =>
  checkTables([table(headers, ...rows)], { incomplete: 'refuse', today: '2026-06-01' });

describe('HTCDS columns', () => {
  it('give every header one meaning per record type', () => {
    for (const type of recordTypes) expect(() => dictionaryOf(type)).not.toThrow();
  });

  it('use the official field names, and mark Cairn’s own columns', () => {
    for (const type of recordTypes)
      for (const header of headersOf(type))
        expect(header, `${type}: ${header}`).toMatch(/^(prs|vic|per|cas|cco|hte|spl|con)_[A-Z]|^cairn_|^_/);
    expect(headersOf('cases')).toEqual(
      expect.arrayContaining(['prs_FirstName', 'vic_MethodsOfControl', 'cas_Status']),
    );
  });

  it('read every column of the official XLSForm (its names differ from the standard’s in places)', () => {
    const meanings = Object.fromEntries(xlsformNames.map((name) => [name, meaningOf('cases', name)]));
    expect(meanings.prs_First_Name).toMatchObject({ column: { name: 'prs_FirstName' } });
    expect(meanings.prs_Second_Name).toMatchObject({ column: { name: 'prs_SecondName' } });
    expect(meanings.vic_Methods_of_Control).toMatchObject({ column: { name: 'vic_MethodsOfControl' } });
    // Form metadata is recognised and skipped; referral fields have no place in a case file yet.
    for (const name of ['start', 'end', '__version__'])
      expect(meanings[name], name).toEqual({ ignored: true });
    const read = xlsformNames.filter((name) => meanings[name] && 'column' in meanings[name]);
    expect(read).toHaveLength(26);
    expect(meanings.cas_ReferringOrganisation).toBeNull();
    // KoBoToolbox's group paths and separate choice columns.
    expect(meaningOf('cases', 'group_person/prs_Gender')).toMatchObject({ column: { name: 'prs_Gender' } });
    expect(meaningOf('cases', 'vic_Methods_of_Control/DebtBondage')).toMatchObject({
      option: { name: 'vic_MethodsOfControl' },
      value: 'DebtBondage',
    });
  });
});

describe('HTCDS values on import', () => {
  it('copes with the known defects of the official material', () => {
    const result = check(
      [
        '_case_key',
        'prs_Gender',
        'vic_TraffickingStatus',
        'vic_MethodsOfControl',
        'vic_RelationshipToTrafficker',
      ],
      [
        'a',
        'Not Specified/Unknown',
        'Possible victim of trafficking',
        'DebtBondage ; Threats of law enforcement',
        'Unaquainted',
      ],
      [
        'b',
        'Feminine',
        'ActualVictimOfTrafficking',
        'MethodsOfControlRestrictsMovement|MethodsOfControlThreats',
        'Unacquainted',
      ],
      ['c', 'Masculine', 'NotAVictimOfTrafficking', 'DebtBondage  PhysicalThreats', 'Familial'],
    );
    expect(result.issues).toEqual([]);
    const [a, b, c] = result.cases;
    expect(a!.profile.gender).toBe('NonSpecifiedUnknown');
    expect(a!.victim.methodsOfControl).toEqual(['DebtBondage', 'ThreatsLawEnforcement']);
    expect(a!.victim.relationshipToTrafficker).toBe('Unaquainted');
    // "Restricts movement" is defined but missing from the picklist: Cairn's extension.
    expect(b!.victim.methodsOfControl).toEqual(['RestrictsMovement', 'PhysicalThreats']);
    expect(b!.victim.relationshipToTrafficker).toBe('Unaquainted');
    // XLSForm select_multiple answers are separated by spaces.
    expect(c!.victim.methodsOfControl).toEqual(['DebtBondage', 'PhysicalThreats']);
  });

  it('reads labels, ISIC letters, country names and ISO 639-2 codes', () => {
    const result = check(
      [
        'prs_Gender',
        'vic_TraffickingStatus',
        'vic_ForcedLabourIndustry',
        'prs_Citizenship',
        'prs_PrimaryLanguage',
        'prs_SecondaryLanguage',
        'vic_LocationOfExploitation',
      ],
      [
        'Transgender Feminine',
        'possible victim of trafficking',
        'Water supply; sewerage, waste management and remediation',
        'KE; Uganda',
        'swa',
        'French',
        'Oman',
      ],
      ['Female', 'ActualVictimOfTrafficking', 'T', 'kh', 'km', 'fre', 'Viet Nam'],
    );
    expect(result.issues).toEqual([]);
    expect(result.cases[0]!.victim.forcedLabourIndustry).toBe('E_WaterSupplySewerageWasteManagement');
    expect(result.cases[0]!.profile.citizenships).toEqual(['KE', 'UG']);
    expect(result.cases[0]!.profile.primaryLanguage).toBe('sw');
    expect(result.cases[0]!.profile.secondaryLanguage).toBe('fr');
    expect(result.cases[0]!.victim.exploitationCountry).toBe('OM');
    expect(result.cases[1]!.profile.gender).toBe('Feminine');
    expect(result.cases[1]!.victim.forcedLabourIndustry).toBe('T_ActivitiesOfHouseholdsAsEmployers');
    expect(result.cases[1]!.profile.citizenships).toEqual(['KH']);
    expect(result.cases[1]!.victim.exploitationCountry).toBe('VN');
  });

  it('reports each bad cell with its row, column and a stable code, and keeps no case with a problem', () => {
    const result = check(
      [
        '_case_key',
        'prs_Gender',
        'vic_TraffickingStatus',
        'prs_Citizenship',
        'prs_Birthdate',
        'prs_NumberOfChildren',
        'prs_Deceased',
      ],
      ['a', 'Femenine', 'PossibleVictimOfTrafficking', 'XX', '2023-02-30', 'two', 'maybe'],
      ['b', 'Feminine', 'PossibleVictimOfTrafficking', 'KE', '2099-01-01', '1', 'FALSE'],
      ['c', 'Feminine', '', 'KE', '', '', ''],
      ['a', 'Feminine', 'PossibleVictimOfTrafficking', 'KE', '', '', ''],
      ['d', '=HYPERLINK("http://x")', 'PossibleVictimOfTrafficking', 'KE', '', '', ''],
    );
    const codes = result.issues.map((issue) => [issue.row, issue.column, issue.code]);
    expect(codes).toEqual([
      [2, 'prs_Gender', 'cases.import_unknown_value'],
      [2, 'prs_Citizenship', 'cases.import_unknown_country'],
      [2, 'prs_Birthdate', 'cases.import_bad_date'],
      [2, 'prs_NumberOfChildren', 'cases.import_bad_number'],
      [2, 'prs_Deceased', 'cases.import_bad_boolean'],
      [3, 'prs_Birthdate', 'cases.date_in_future'],
      [4, 'vic_TraffickingStatus', 'cases.import_required_for_complete'],
      [5, '_case_key', 'cases.import_duplicate_key'],
      [6, 'prs_Gender', 'cases.import_formula'],
    ]);
    expect(result.issues[0]!.params).toEqual({ value: 'Femenine' });
    expect(result.cases).toEqual([]);
    expect(result.invalid).toBe(5);
    // Incomplete cases may come in as drafts instead.
    const drafts = checkTables([table(['prs_Gender'], ['Feminine'])], { incomplete: 'draft' });
    expect(drafts.issues).toEqual([]);
    expect(drafts.cases[0]!.case.draft).toBe(true);
  });

  it('needs a case key to link related records, and a known case for each', () => {
    const cases = table(
      ['_case_key', 'prs_Gender', 'vic_TraffickingStatus'],
      ['k1', 'Feminine', 'PossibleVictimOfTrafficking'],
    );
    const perpetrators: SourceTable = {
      type: 'perpetrators',
      headers: ['_case_key', 'per_RoleInProcess'],
      rows: [
        { row: 2, cells: ['k1', 'Recruiter Or Intermediary'] },
        { row: 3, cells: ['k9', 'Exploiter'] },
      ],
      text: true,
    };
    const result = checkTables([cases, perpetrators], { incomplete: 'refuse' });
    expect(result.issues.map((issue) => [issue.record, issue.row, issue.code])).toEqual([
      ['perpetrators', 3, 'cases.import_unknown_case_key'],
    ]);
    expect(result.cases[0]!.perpetrators).toEqual([{ roles: ['RecruiterOrIntermediary'], aliases: [] }]);
    // A table of records with no column Cairn knows is reported, not silently dropped.
    const unknown = checkTables(
      [
        cases,
        { ...perpetrators, headers: ['_case_key', 'Colour'], rows: [{ row: 2, cells: ['k1', 'red'] }] },
      ],
      { incomplete: 'refuse' },
    );
    expect(unknown.issues.map((issue) => [issue.record, issue.code])).toEqual([
      ['perpetrators', 'cases.import_no_known_columns'],
    ]);
  });
});

describe('HTCDS export', () => {
  const file: ExchangeCase = {
    key: '2026-0001',
    case: { status: 'Active', draft: false, openedOn: '2026-01-02' },
    identity: { firstName: '=cmd|calc', aliases: ['A', 'B'] },
    profile: { gender: 'Feminine', citizenships: ['KE', 'UG'] },
    victim: {
      traffickingStatus: 'PossibleVictimOfTrafficking',
      methodsOfControl: ['DebtBondage', 'RestrictsMovement'],
      exploitationTypes: ['ForcedCriminality'],
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
    consents: [],
  };

  it('marks Cairn’s picklist extensions, and quotes formula-looking CSV cells', async () => {
    const tables = toHtcdsTables([file]);
    expect(tables.cases[0]![extensionsColumn]).toEqual([
      'vic_MethodsOfControl=RestrictsMovement',
      'vic_TypeOfExploitation=ForcedCriminality',
    ]);
    const csv = csvFiles(tables)
      .find((f) => f.name === 'cases.csv')!
      .data.toString('utf8');
    expect(csv).toContain("'=cmd|calc");
    expect(safeCell('+255 700')).toBe("'+255 700");
    expect(safeCell('-12.5')).toBe('-12.5');
    // And the import reads its own CSV back to the same values.
    const [read] = await readImportFile(csvFiles(tables).find((f) => f.name === 'cases.csv')!.data, 'csv');
    const back = checkTables([read!], { incomplete: 'refuse' });
    expect(back.issues).toEqual([]);
    expect(back.cases[0]!.identity).toEqual(file.identity);
    expect(back.cases[0]!.victim).toEqual(file.victim);
    expect(back.cases[0]!.profile.citizenships).toEqual(['KE', 'UG']);
  });

  it('lists every column of every record type once', () => {
    for (const type of recordTypes) {
      const headers = headersOf(type);
      expect(new Set(headers).size, type).toBe(headers.length);
      expect(headers.length).toBe(columnsOf[type].filter((c) => !c.importOnly).length + 2);
    }
  });
});
