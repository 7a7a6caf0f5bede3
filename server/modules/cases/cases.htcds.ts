/**
 * Case files ↔ records of the Human Trafficking Case Data Standard v2.0 (HTCDS, IOM,
 * github.com/UNMigration/HTCDS; licensed CC BY 4.0 — creativecommons.org/licenses/by/4.0/; use of the
 * standard implies no endorsement by IOM, and IOM's logo is not used). The field names, value names and
 * value labels below are the standard's (shared/data/htcds/); `htcdsAttribution` travels with every export.
 *
 * Layout (the same for CSV, XLSX and JSON):
 * - one record type per HTCDS object: `cases` (one row per case: `prs_`, `vic_`, `cas_`, `con_Consent`),
 *   `perpetrators` (`per_` with the perpetrator's `prs_` facts), `trafficking_events` (`hte_`),
 *   `support_plan` (`spl_`), `case_comments` (`cco_`), `consents` (`con_`), and two of Cairn's own:
 *   `follow_ups` and `identity_documents` (HTCDS has one free-text `prs_IdentityNumber`);
 * - every record carries `_case_key` (the case's reference), which links the related records to their case;
 * - columns Cairn adds to the standard start with `cairn_`; values Cairn adds to HTCDS picklists
 *   (`htcdsExtensions`, e.g. RestrictsMovement, ForcedCriminality) are listed in each record's
 *   `_extensions` as `field=value`;
 * - CSV and XLSX cells hold text: lists joined with `; `, checkboxes as TRUE/FALSE, dates as YYYY-MM-DD;
 *   JSON keeps lists, numbers and booleans typed and nests the related records inside each case.
 *
 * Import reads the same layout, the official XLSForm's names (`prs_First_Name`, `vic_Methods_of_Control`),
 * the standard's labels and common variants, and copes with the official material's known defects
 * (shared/data/README.md): value names that differ between the spreadsheet, the definitions and the XLSForm,
 * `DebtBondage ` with a trailing space, the misspelt `Unaquainted` (kept, as the standard spells it), and
 * "Restricts movement", defined but missing from the picklist (a Cairn extension).
 */
import ISO6391 from 'iso-639-1';
import type { z } from 'zod';
import {
  fold,
  languageCodeSchema,
  placeById,
  regionCodeSchema,
  regionName,
  regionsOf,
  searchPlaces,
} from '../directory/index.js';
import { isCountryCode, isoCountryCodes } from '../identity/index.js';
import {
  commentInputSchema,
  consentInputSchema,
  contactSectionSchema,
  documentsSectionSchema,
  eventInputSchema,
  identitySectionSchema,
  narrativeSectionSchema,
  perpetratorInputSchema,
  profileSectionSchema,
  supportPlanInputSchema,
  victimSectionSchema,
  type ContactSection,
  type DocumentsSection,
  type IdentitySection,
  type NarrativeSection,
  type ProfileSection,
  type VictimSection,
} from './cases.schemas.js';
import {
  caseSections,
  caseStatuses,
  closedStatuses,
  consentPurposes,
  decisionMakingOrganisations,
  documentTypes,
  educationLevels,
  exploitationTypes,
  genders,
  htcdsExtensions,
  industries,
  maritalStatuses,
  methodsOfControl,
  perpetratorRoles,
  recruitmentMethods,
  relationshipsToTrafficker,
  sexExploitationTypes,
  supportPlanStatuses,
  supportPlanTypes,
  traffickingEventTypes,
  traffickingStatuses,
  vulnerabilities,
  websitesAndApps,
  type CaseSection,
  type CaseStatus,
  type ConsentPurpose,
} from './cases.vocabulary.js';

/** The attribution every export carries (CC BY 4.0 asks for it wherever the standard's content goes). */
export const htcdsAttribution =
  'Field names, value names and labels: Human Trafficking Case Data Standard (HTCDS) v2.0 by IOM ' +
  '(https://github.com/UNMigration/HTCDS), licensed under CC BY 4.0 ' +
  '(https://creativecommons.org/licenses/by/4.0/). Cairn is not endorsed by IOM. Columns starting with ' +
  '"cairn_" or "_" are Cairn additions; values Cairn added to HTCDS picklists are listed in "_extensions".';

// ---------------------------------------------------------------------------------------------------------
// The exchange model: a case file as exported or imported (Cairn's own field names and values)
// ---------------------------------------------------------------------------------------------------------

type EntryFields<T extends z.ZodType> = Omit<z.output<T>, 'kind'>;
export type PerpetratorRecord = EntryFields<typeof perpetratorInputSchema>;
export type EventRecord = EntryFields<typeof eventInputSchema>;
export type SupportPlanRecord = EntryFields<typeof supportPlanInputSchema>;
export interface FollowUpRecord {
  dueOn: string;
  note?: string;
  done: boolean;
}
export interface CommentRecord {
  body: string;
  createdAt?: string;
}
export interface ConsentRecord {
  purpose: ConsentPurpose;
  recipientOrganisationId?: string;
  recipientName?: string;
  sections: CaseSection[];
  givenOn: string;
  expiresOn?: string;
  note?: string;
  revokedAt?: string;
}

/** One case file in exchange form. Identifying parts are absent when the export leaves them out. */
export interface ExchangeCase {
  key: string;
  case: {
    status: CaseStatus;
    draft: boolean;
    openedOn: string;
    closedOn?: string;
    closureReason?: string;
    owner?: string;
    /** Case-level `con_Consent`: used on import only when the file has no consent records for the case. */
    consent?: boolean;
  };
  identity?: IdentitySection;
  contact?: ContactSection;
  documents?: DocumentsSection;
  narrative?: NarrativeSection;
  profile: ProfileSection;
  victim: VictimSection;
  perpetrators: PerpetratorRecord[];
  events: EventRecord[];
  supportPlan: SupportPlanRecord[];
  followUps: FollowUpRecord[];
  comments: CommentRecord[];
  consents: ConsentRecord[];
}

// ---------------------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------------------

export const recordTypes = [
  'cases',
  'perpetrators',
  'trafficking_events',
  'support_plan',
  'case_comments',
  'follow_ups',
  'consents',
  'identity_documents',
] as const;
export type RecordType = (typeof recordTypes)[number];

type Kind =
  | 'text'
  | 'textList'
  | 'date'
  | 'datetime'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'pick'
  | 'multi'
  | 'country'
  | 'countries'
  | 'language'
  | 'uuid';

/** One column of a record type. */
export interface Column {
  name: string;
  kind: Kind;
  /** Where the value lives: `section.field` in a case record, `field` in a related record. */
  path?: string;
  values?: readonly string[];
  /** Left empty unless the export includes identifying sections. */
  identifying?: boolean;
  /** Written for readers, not read back (derived from other columns). */
  exportOnly?: boolean;
  /** Read on import only (another way of giving a value). */
  importOnly?: boolean;
  /** HTCDS's label (the official spreadsheet), when it differs from the name. */
  label?: string;
  /** Other headers meaning this column (compared folded: case, accents and punctuation ignored). */
  variants?: string[];
}

const c = (name: string, kind: Kind, path: string | undefined, extra: Partial<Column> = {}): Column => ({
  name,
  kind,
  ...(path ? { path } : {}),
  ...extra,
});
const id = { identifying: true } as const;

/** The columns of each record type, in the order exports write them (`_case_key` first, `_extensions` last). */
export const columnsOf: Record<RecordType, readonly Column[]> = {
  cases: [
    c('prs_Salutation', 'text', 'identity.salutation', id),
    c('prs_FirstName', 'text', 'identity.firstName', {
      ...id,
      label: 'First Name',
      variants: ['givenname', 'forename', 'name'],
    }),
    c('prs_MiddleName', 'text', 'identity.middleName', id),
    c('prs_SecondName', 'text', 'identity.secondName', {
      ...id,
      variants: ['surname', 'lastname', 'familyname'],
    }),
    c('prs_Birthdate', 'date', 'identity.birthDate', {
      ...id,
      variants: ['dateofbirth', 'dob', 'birthday'],
    }),
    c('prs_Gender', 'pick', 'profile.gender', { values: genders, variants: ['sex'] }),
    c('prs_Deceased', 'boolean', 'profile.deceased'),
    c('prs_MaritalStatus', 'pick', 'profile.maritalStatus', { values: maritalStatuses }),
    c('prs_NumberOfChildren', 'integer', 'profile.numberOfChildren', { variants: ['children'] }),
    c('prs_PrimaryLanguage', 'language', 'profile.primaryLanguage', { variants: ['language'] }),
    c('prs_SecondaryLanguage', 'language', 'profile.secondaryLanguage'),
    c('prs_HighestLevelOfEducation', 'pick', 'profile.education', {
      values: educationLevels,
      variants: ['education', 'educationlevel'],
    }),
    c('prs_Citizenship', 'countries', 'profile.citizenships', {
      variants: ['citizenships', 'nationality', 'nationalities'],
    }),
    // The first identity document's number; identity_documents records carry them all.
    c('prs_IdentityNumber', 'text', undefined, {
      ...id,
      variants: ['idnumber', 'nationalid', 'documentnumber', 'passportnumber'],
    }),
    c('prs_Title', 'text', 'identity.title', id),
    c('prs_Email', 'text', 'contact.email', { ...id, variants: ['email', 'emailaddress'] }),
    c('prs_HomePhone', 'text', 'contact.homePhone', id),
    c('prs_MobilePhone', 'text', 'contact.mobilePhone', {
      ...id,
      variants: ['phone', 'mobile', 'telephone', 'phonenumber'],
    }),
    c('prs_MailingStreet', 'text', 'contact.street', { ...id, variants: ['street', 'address'] }),
    c('prs_MailingCity', 'text', 'contact.city', { ...id, variants: ['city', 'town'] }),
    c('prs_MailingState', 'text', 'contact.state', {
      ...id,
      label: 'Mailing State/Province',
      variants: ['state', 'province'],
    }),
    c('prs_MailingPostalCode', 'text', 'contact.postalCode', {
      ...id,
      label: 'Mailing Zip/Postal Code',
      variants: ['postalcode', 'postcode', 'zip'],
    }),
    c('prs_MailingCountry', 'country', 'contact.country', { ...id, variants: ['countryofresidence'] }),
    c('vic_AgreementToManagePersonalData', 'boolean', 'victim.agreementToManagePersonalData'),
    c('vic_TraffickingStatus', 'pick', 'victim.traffickingStatus', { values: traffickingStatuses }),
    c('vic_TraffickingStatusDecisionMakingOrg', 'pick', 'victim.statusDecidedBy', {
      values: decisionMakingOrganisations,
      label: 'Trafficking Status Decision Making Organization',
    }),
    c('vic_RelationshipToTrafficker', 'pick', 'victim.relationshipToTrafficker', {
      values: relationshipsToTrafficker,
    }),
    c('vic_AgeWhenTrafficked', 'integer', 'victim.ageWhenTrafficked'),
    c('vic_RecruitmentWebsitesAndApps', 'multi', 'victim.recruitmentWebsitesAndApps', {
      values: websitesAndApps,
    }),
    c('vic_MethodOfRecruitment', 'multi', 'victim.recruitmentMethods', {
      values: recruitmentMethods,
      variants: ['methodsofrecruitment', 'recruitmentmethod', 'recruitmentmethods'],
    }),
    c('vic_LocationOfRecruitment', 'country', 'victim.recruitmentCountry', {
      variants: ['recruitmentcountry', 'countryofrecruitment'],
    }),
    c('vic_MethodsOfControl', 'multi', 'victim.methodsOfControl', {
      values: methodsOfControl,
      variants: ['methodofcontrol'],
    }),
    c('vic_TypeOfExploitation', 'multi', 'victim.exploitationTypes', {
      values: exploitationTypes,
      variants: ['typesofexploitation', 'exploitationtype', 'exploitationtypes'],
    }),
    c('vic_ForcedLabourIndustry', 'pick', 'victim.forcedLabourIndustry', {
      values: industries,
      variants: ['forcedlaborindustry', 'industry'],
    }),
    c('vic_TypeOfSexExploitation', 'multi', 'victim.sexExploitationTypes', {
      values: sexExploitationTypes,
      variants: ['typeofsexualexploitation', 'typesofsexexploitation'],
    }),
    c('vic_LocationOfExploitation', 'country', 'victim.exploitationCountry', {
      variants: ['exploitationcountry', 'countryofexploitation'],
    }),
    c('vic_ExploitationWebsitesAndApps', 'multi', 'victim.exploitationWebsitesAndApps', {
      values: websitesAndApps,
    }),
    c('vic_Vulnerabilities', 'multi', 'victim.vulnerabilities', { values: vulnerabilities }),
    c('vic_DetailsOfVulnerabilities', 'text', 'narrative.detailsOfVulnerabilities', id),
    c('cas_Status', 'pick', 'case.status', { values: caseStatuses, variants: ['status', 'casestatus'] }),
    c('cas_ReasonForCaseClosure', 'text', 'case.closureReason', id),
    c('cas_CaseOwner', 'text', 'case.owner', { exportOnly: true }),
    c('con_Consent', 'boolean', 'case.consent', { variants: ['consent'] }),
    c('cairn_Aliases', 'textList', 'identity.aliases', {
      ...id,
      variants: ['aliases', 'alias', 'aka', 'othernames'],
    }),
    c('cairn_BirthYear', 'integer', 'identity.birthYear', { ...id, variants: ['birthyear', 'yearofbirth'] }),
    c('cairn_Account', 'text', 'narrative.account', { ...id, variants: ['account', 'narrative'] }),
    c('cairn_OpenedOn', 'date', 'case.openedOn', { variants: ['openedon', 'dateopened', 'intakedate'] }),
    c('cairn_ClosedOn', 'date', 'case.closedOn', { variants: ['closedon', 'dateclosed'] }),
    c('cairn_Draft', 'boolean', 'case.draft', { variants: ['draft'] }),
  ],
  perpetrators: [
    c('per_RoleInProcess', 'multi', 'roles', { values: perpetratorRoles, variants: ['role', 'roles'] }),
    c('per_RoleDetails', 'text', 'roleDetails', id),
    c('prs_Citizenship', 'country', 'nationality', { variants: ['nationality'] }),
    c('prs_MobilePhone', 'text', 'phone', { ...id, variants: ['phone'] }),
    c('prs_FirstName', 'text', undefined, { ...id, importOnly: true }),
    c('prs_SecondName', 'text', undefined, { ...id, importOnly: true, variants: ['surname', 'lastname'] }),
    c('cairn_Name', 'text', 'name', { ...id, variants: ['name', 'fullname'] }),
    c('cairn_Aliases', 'textList', 'aliases', { ...id, variants: ['aliases', 'alias', 'aka'] }),
  ],
  trafficking_events: [
    c('hte_Type', 'pick', 'type', { values: traffickingEventTypes, variants: ['type', 'eventtype'] }),
    c('hte_Date', 'date', 'date', { variants: ['date'] }),
    c('hte_Country', 'country', 'country', { variants: ['country'] }),
    c('hte_State', 'text', undefined, { variants: ['state', 'region', 'province'] }),
    c('hte_City', 'text', undefined, { variants: ['city', 'place', 'town'] }),
    c('hte_Street', 'text', 'street', { ...id, variants: ['street'] }),
    c('hte_Latitude', 'number', undefined, { exportOnly: true }),
    c('hte_Longitude', 'number', undefined, { exportOnly: true }),
    c('hte_Description', 'text', 'description', { ...id, variants: ['description'] }),
    c('cairn_Region', 'text', 'region', { variants: ['regioncode'] }),
    c('cairn_PlaceId', 'integer', 'placeId', { variants: ['placeid'] }),
  ],
  support_plan: [
    c('spl_Type', 'pick', 'type', { values: supportPlanTypes, variants: ['type', 'plantype'] }),
    c('spl_Objectives', 'text', 'objectives', { ...id, variants: ['objectives'] }),
    c('spl_ActionPlan', 'text', 'actionPlan', { ...id, variants: ['actionplan'] }),
    c('spl_PlannedEndDate', 'date', 'plannedEndDate', { variants: ['plannedenddate', 'duedate'] }),
    c('spl_ActualEndDate', 'date', 'actualEndDate', { variants: ['actualenddate'] }),
    c('cairn_Status', 'pick', 'status', { values: supportPlanStatuses, variants: ['status'] }),
    c('cairn_Outcome', 'text', 'outcome', { ...id, variants: ['outcome'] }),
  ],
  case_comments: [
    c('cco_CaseComment', 'text', 'body', { ...id, variants: ['comment', 'body', 'note'] }),
    c('cairn_CreatedAt', 'datetime', 'createdAt', { variants: ['createdat', 'date', 'writtenon'] }),
  ],
  follow_ups: [
    c('cairn_DueOn', 'date', 'dueOn', { variants: ['dueon', 'duedate', 'due'] }),
    c('cairn_Note', 'text', 'note', { ...id, variants: ['note'] }),
    c('cairn_Done', 'boolean', 'done', { variants: ['done'] }),
  ],
  consents: [
    c('con_Consent', 'boolean', undefined, { variants: ['consent'] }),
    c('cairn_Purpose', 'pick', 'purpose', { values: consentPurposes, variants: ['purpose'] }),
    c('cairn_Sections', 'multi', 'sections', { values: caseSections, variants: ['sections', 'scope'] }),
    c('cairn_GivenOn', 'date', 'givenOn', { variants: ['givenon', 'date'] }),
    c('cairn_ExpiresOn', 'date', 'expiresOn', { variants: ['expireson', 'expires'] }),
    c('cairn_RecipientOrganisationId', 'uuid', 'recipientOrganisationId'),
    c('cairn_RecipientOrganisation', 'text', 'recipientName', { exportOnly: true }),
    c('cairn_RevokedAt', 'datetime', 'revokedAt', { variants: ['revokedat', 'revoked'] }),
    c('cairn_Note', 'text', 'note', { ...id, variants: ['note'] }),
  ],
  identity_documents: [
    c('prs_IdentityNumber', 'text', 'number', { ...id, variants: ['number', 'documentnumber'] }),
    c('cairn_DocumentType', 'pick', 'type', {
      ...id,
      values: documentTypes,
      variants: ['type', 'documenttype'],
    }),
    c('cairn_IssuingCountry', 'country', 'issuingCountry', {
      ...id,
      variants: ['issuingcountry', 'country'],
    }),
  ],
};

/** The column linking related records to their case, and the one listing picklist extensions. */
export const caseKeyColumn = '_case_key';
export const extensionsColumn = '_extensions';

/** The headers an export writes for a record type. */
export function headersOf(type: RecordType): string[] {
  return [
    caseKeyColumn,
    ...columnsOf[type].filter((column) => !column.importOnly).map((column) => column.name),
    extensionsColumn,
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Export: case files → records
// ---------------------------------------------------------------------------------------------------------

/** A value of a record: typed in JSON, written as text in CSV and XLSX. */
export type RecordValue = string | number | boolean | string[];
export type HtcdsRecord = Record<string, RecordValue>;
export type HtcdsTables = Record<RecordType, HtcdsRecord[]>;

function at(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

/** One record: the case key, every column with a value, and the Cairn extension values it holds. */
function recordOf(type: RecordType, key: string, source: unknown, extra: Record<string, unknown> = {}) {
  const record: HtcdsRecord = { [caseKeyColumn]: key };
  const extensions: string[] = [];
  for (const column of columnsOf[type]) {
    if (column.importOnly) continue;
    const value =
      column.name in extra ? extra[column.name] : column.path ? at(source, column.path) : undefined;
    if (isEmpty(value)) continue;
    record[column.name] = value as RecordValue;
    const extended = htcdsExtensions[column.name] ?? [];
    for (const item of Array.isArray(value) ? value : [value])
      if (extended.includes(String(item))) extensions.push(`${column.name}=${String(item)}`);
  }
  if (extensions.length > 0) record[extensionsColumn] = extensions;
  return record;
}

/** The HTCDS records of some case files, one list per record type. */
export function toHtcdsTables(cases: readonly ExchangeCase[]): HtcdsTables {
  const tables = Object.fromEntries(recordTypes.map((type) => [type, [] as HtcdsRecord[]])) as HtcdsTables;
  for (const file of cases) {
    const consent = file.consents.length > 0 ? file.consents.some((item) => !item.revokedAt) : undefined;
    tables.cases.push(
      recordOf('cases', file.key, file, {
        prs_IdentityNumber: file.documents?.[0]?.number,
        con_Consent: consent,
      }),
    );
    for (const item of file.perpetrators) tables.perpetrators.push(recordOf('perpetrators', file.key, item));
    for (const item of file.events) {
      const place = item.placeId === undefined ? null : placeById(item.placeId);
      tables.trafficking_events.push(
        recordOf('trafficking_events', file.key, item, {
          hte_State: item.region ? (regionName(item.region) ?? undefined) : undefined,
          hte_City: place?.name,
          hte_Latitude: place?.latitude,
          hte_Longitude: place?.longitude,
        }),
      );
    }
    for (const item of file.supportPlan) tables.support_plan.push(recordOf('support_plan', file.key, item));
    for (const item of file.comments) tables.case_comments.push(recordOf('case_comments', file.key, item));
    for (const item of file.followUps) tables.follow_ups.push(recordOf('follow_ups', file.key, item));
    for (const item of file.consents)
      tables.consents.push(recordOf('consents', file.key, item, { con_Consent: true }));
    for (const item of file.documents ?? [])
      tables.identity_documents.push(recordOf('identity_documents', file.key, item));
  }
  return tables;
}

/** A record value as the text of a CSV or XLSX cell. */
export function cellTextOf(value: RecordValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join('; ');
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

// ---------------------------------------------------------------------------------------------------------
// Import: reading cells
// ---------------------------------------------------------------------------------------------------------

/** Lower case, no accents, letters and digits only: how headers and values are compared. */
export function squash(text: string): string {
  return fold(text.trim()).replace(/[^\p{L}\p{N}]+/gu, '');
}

const stripPrefix = (name: string) => name.replace(/^(prs|vic|per|cas|cco|hte|spl|con|org|cairn)_/i, '');

/**
 * Picklist value variants Cairn accepts besides the value names and labels: the standard's definitions file
 * names (MethodsOfControl…), the spreadsheet labels that do not fold to their value, and common words.
 */
const valueVariants: Record<string, Record<string, string>> = {
  prs_Gender: {
    notspecifiedunknown: 'NonSpecifiedUnknown',
    unknown: 'NonSpecifiedUnknown',
    notspecified: 'NonSpecifiedUnknown',
    female: 'Feminine',
    woman: 'Feminine',
    girl: 'Feminine',
    male: 'Masculine',
    man: 'Masculine',
    boy: 'Masculine',
    transgenderfemale: 'TransgenderFeminine',
    transwoman: 'TransgenderFeminine',
    transgendermale: 'TransgenderMasculine',
    transman: 'TransgenderMasculine',
    nonbinary: 'NonConforming',
  },
  vic_MethodsOfControl: {
    threatsoflawenforcement: 'ThreatsLawEnforcement',
    // The definitions file's terms (without their MethodsOfControl prefix), where they differ.
    threats: 'PhysicalThreats',
    threatoflawenforcement: 'ThreatsLawEnforcement',
    psychoactivesubstances: 'PsychoactiveSubstance',
    // "limited the individual's access to their children as a means of control": the picklist's nearest.
    useschildren: 'ThreatensChildrenFamily',
  },
  vic_RelationshipToTrafficker: { unacquainted: 'Unaquainted', stranger: 'Unaquainted' },
  vic_ForcedLabourIndustry: {
    watersupplyseweragewastemanagementandremediation: 'E_WaterSupplySewerageWasteManagement',
    wholesaleandretailtraderepairofmotorvehiclesandmotorcycles:
      'G_WholesaleAndRetailTradeRepairOfMotorVehicles',
    publicadministrationanddefencecompulsorysocialsecurity: 'O_PublicAdministrationAndDefence',
    activitiesofhouseholdsasemployersundifferentiatedgoodsandservicesproducingactivitiesofhouseholdsforownuse:
      'T_ActivitiesOfHouseholdsAsEmployers',
    activitiesofextraterritorialorganizationsandbodies: 'U_ActivitiesOfExtraterritorialOrganizations',
  },
};

/** Prefixes of the definitions file's terms (`MethodsOfControlDebtBondage`). */
const termPrefixes: Record<string, string> = { vic_MethodsOfControl: 'methodsofcontrol' };

const resolvers = new Map<string, (text: string) => string | null>();

/** Finds the Cairn value a picklist cell means, or null. */
function pickValue(column: Column, text: string): string | null {
  let resolve = resolvers.get(column.name + '|' + (column.values ?? []).join(','));
  if (!resolve) {
    const byKey = new Map<string, string>();
    for (const value of column.values ?? []) {
      byKey.set(squash(value), value);
      // ISIC sections: `A_AgricultureForestryAndFishing` also as its words, and as its letter.
      const section = /^([A-U])_(.+)$/.exec(value);
      if (section) {
        byKey.set(squash(section[2]!), value);
        byKey.set(section[1]!.toLowerCase(), value);
      }
    }
    for (const [variant, value] of Object.entries(valueVariants[column.name] ?? {}))
      if ((column.values ?? []).includes(value)) byKey.set(variant, value);
    const prefix = termPrefixes[column.name];
    resolve = (raw) => {
      const key = squash(raw);
      const found = byKey.get(key);
      if (found) return found;
      if (prefix && key.startsWith(prefix)) return byKey.get(key.slice(prefix.length)) ?? null;
      // "C - Manufacturing", "C. Manufacturing": an ISIC section letter first.
      const letter = /^([A-Ua-u])\s*[-.:–)]\s*\S/.exec(raw.trim());
      return letter ? (byKey.get(letter[1]!.toLowerCase()) ?? null) : null;
    };
    resolvers.set(column.name + '|' + (column.values ?? []).join(','), resolve);
  }
  return resolve(text);
}

/** Country names in the four languages Cairn speaks, folded, to their ISO codes. */
let countryNames: Map<string, string> | null = null;
function countryCode(text: string): string | null {
  const upper = text.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) return isCountryCode(upper) ? upper : null;
  if (!countryNames) {
    countryNames = new Map();
    for (const language of ['en', 'fr', 'es', 'ar']) {
      const names = new Intl.DisplayNames([language], { type: 'region' });
      for (const code of isoCountryCodes) {
        const name = names.of(code);
        if (name && name !== code) countryNames.set(squash(name), code);
      }
    }
  }
  return countryNames.get(squash(text)) ?? null;
}

/** An ISO 639-1 code from a 639-1 code, a 639-2 code (which HTCDS names) or a language's English name. */
function languageCode(text: string): string | null {
  const raw = text.trim();
  const candidates: string[] = [raw.toLowerCase()];
  if (/^[A-Za-z]{3}$/.test(raw)) {
    try {
      // ICU canonicalises ISO 639-2 codes (B and T) to 639-1 where one exists: swa → sw, fre → fr.
      candidates.push(Intl.getCanonicalLocales(raw.toLowerCase())[0] ?? '');
    } catch {
      // not a language tag
    }
  }
  const byName = ISO6391.getCode(raw);
  if (byName) candidates.push(byName);
  return candidates.find((code) => languageCodeSchema.safeParse(code).success) ?? null;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A real calendar date (YYYY-MM-DD, optionally followed by a time), or null. */
function calendarDate(text: string): string | null {
  const match = datePattern.exec(text.trim());
  if (!match) return null;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(iso) ? iso : null;
}

const trueWords = new Set(['true', 'yes', 'y', '1', 'si', 'oui', 'checked', 'x']);
const falseWords = new Set(['false', 'no', 'n', '0', 'non', 'unchecked']);

/**
 * SECURITY: a CSV cell a spreadsheet would run as a formula is a row problem, not data. An export quotes
 * such cells with a leading apostrophe (directory.export's safeCell rule), which import removes again.
 */
function looksLikeFormula(text: string): boolean {
  return /^[=@]/.test(text) || /^[+-]\s*[A-Za-z_][\w.]*\s*\(/.test(text) || /^[+-][^!]*!/.test(text);
}

/** A cell as read from a file: text, or (JSON) a list. */
export type RawCell = string | string[];

/** A problem found on import, before it is put into the reader's language. */
export interface ImportIssue {
  record: RecordType;
  /** The row in the file (the header is row 1); for JSON, the case's position (1 = the first). */
  row: number;
  /** JSON: the position of a related record inside its case (1 = the first). */
  item?: number;
  column: string | null;
  code: string;
  params?: Record<string, string | number>;
}

const shortValue = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);

/** Reads one cell for a column: the value, or an issue code with its parameters. */
function readCell(
  column: Column,
  raw: RawCell,
  text: boolean,
): { value: unknown } | { code: string; params?: Record<string, string> } | null {
  const items = Array.isArray(raw) ? raw.map((item) => item.trim()).filter(Boolean) : null;
  let cell = Array.isArray(raw) ? raw.join('; ') : raw.trim();
  if (cell === '' && (!items || items.length === 0)) return null;
  if (text) {
    if (/^'[=+\-@\t\r]/.test(cell)) cell = cell.slice(1);
    else if (looksLikeFormula(cell)) return { code: 'cases.import_formula' };
  }
  const bad = (code: string) => ({ code, params: { value: shortValue(cell) } });
  const list = (separators: RegExp) =>
    items ??
    cell
      .split(separators)
      .map((item) => item.trim())
      .filter(Boolean);
  switch (column.kind) {
    case 'text':
      return { value: cell };
    case 'textList':
      return { value: [...new Set(list(/[;|\n]/))] };
    case 'date': {
      const date = calendarDate(cell);
      return date ? { value: date } : bad('cases.import_bad_date');
    }
    case 'datetime': {
      const parsed = /^\d{4}-\d{2}-\d{2}/.test(cell) ? new Date(cell) : new Date(Number.NaN);
      if (Number.isNaN(parsed.getTime()) || !calendarDate(cell.slice(0, 10)))
        return bad('cases.import_bad_date');
      return { value: parsed.toISOString() };
    }
    case 'integer':
    case 'number': {
      const pattern = column.kind === 'integer' ? /^-?\d+(\.0+)?$/ : /^-?\d+(\.\d+)?$/;
      return pattern.test(cell) ? { value: Number(cell) } : bad('cases.import_bad_number');
    }
    case 'boolean': {
      const word = squash(cell);
      if (trueWords.has(word)) return { value: true };
      if (falseWords.has(word)) return { value: false };
      return bad('cases.import_bad_boolean');
    }
    case 'uuid':
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cell)
        ? { value: cell.toLowerCase() }
        : bad('cases.import_bad_value');
    case 'pick': {
      const value = pickValue(column, cell);
      return value ? { value } : bad('cases.import_unknown_value');
    }
    case 'multi': {
      const values: string[] = [];
      for (const item of list(/[;|,\n]/)) {
        const value = pickValue(column, item);
        if (value) {
          if (!values.includes(value)) values.push(value);
          continue;
        }
        // XLSForm's select_multiple separates its choices with spaces.
        const words = item.split(/\s+/);
        const each = words.map((word) => pickValue(column, word));
        if (words.length > 1 && each.every((value) => value !== null)) {
          for (const value of each) if (!values.includes(value)) values.push(value);
          continue;
        }
        return { code: 'cases.import_unknown_value', params: { value: shortValue(item) } };
      }
      return { value: values };
    }
    case 'country': {
      const code = countryCode(cell);
      return code ? { value: code } : bad('cases.import_unknown_country');
    }
    case 'countries': {
      const codes: string[] = [];
      for (const item of list(/[;|,\n]|\s+(?=[A-Za-z]{2}(?:\s|$))/)) {
        const code = countryCode(item);
        if (!code) return { code: 'cases.import_unknown_country', params: { value: shortValue(item) } };
        if (!codes.includes(code)) codes.push(code);
      }
      return { value: codes };
    }
    case 'language': {
      const code = languageCode(cell);
      return code ? { value: code } : bad('cases.import_unknown_language');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Import: headers
// ---------------------------------------------------------------------------------------------------------

/** What a header means: a column, one choice of a multi-select column (KoBo "separate columns"), or nothing. */
export type HeaderMeaning =
  { column: Column } | { option: Column; value: string } | { key: true } | { ignored: true } | null;

/** Form metadata of XLSForm tools (KoBoToolbox, ODK): known, carried by every submission, not case data. */
const metadataHeaders = new Set([
  'start',
  'end',
  'today',
  'deviceid',
  'username',
  'version',
  'id',
  'uuid',
  'submissiontime',
  'index',
  'parentindex',
  'parenttablename',
  'validationstatus',
  'notes',
  'status',
  'submittedby',
  'tags',
  'instanceid',
  'instancename',
  'xformidstring',
  'attachments',
  'geolocation',
  'formhubuuid',
  'metainstanceid',
  'extensions',
]);

const dictionaries = new Map<RecordType, Map<string, Column>>();

/** The folded header names of a record type's columns. Throws on an ambiguous name (a test checks none). */
export function dictionaryOf(type: RecordType): Map<string, Column> {
  let dictionary = dictionaries.get(type);
  if (dictionary) return dictionary;
  dictionary = new Map();
  const readable = columnsOf[type].filter((column) => !column.exportOnly);
  // Names, labels and variants first: each means one column.
  for (const column of readable) {
    const names = new Set(
      [column.name, column.label ?? '', ...(column.variants ?? [])].map(squash).filter(Boolean),
    );
    for (const name of names) {
      const taken = dictionary.get(name);
      if (taken && taken !== column)
        throw new Error(`htcds: header "${name}" of ${type} means ${taken.name} and ${column.name}`);
      dictionary.set(name, column);
    }
  }
  // Then the names without their prefix (`FirstName`), where no other column claims them.
  for (const column of readable) {
    const bare = squash(stripPrefix(column.name));
    if (bare && !dictionary.has(bare)) dictionary.set(bare, column);
  }
  dictionaries.set(type, dictionary);
  return dictionary;
}

/** What one header of a record type's table means. */
export function meaningOf(type: RecordType, header: string): HeaderMeaning {
  const dictionary = dictionaryOf(type);
  const segments = header
    .split('/')
    .map((segment) => segment.trim())
    .filter(Boolean);
  if (segments.length === 0) return null;
  const last = segments[segments.length - 1]!;
  // KoBoToolbox writes a multi-select's choices as `field/choice` columns holding 1 or 0.
  if (segments.length >= 2) {
    const field = dictionary.get(squash(segments[segments.length - 2]!));
    if (field && field.kind === 'multi') {
      const value = pickValue(field, last);
      if (value) return { option: field, value };
    }
  }
  const folded = squash(last);
  if (folded === squash(caseKeyColumn) || folded === 'casekey' || folded === 'casereference')
    return { key: true };
  const column = dictionary.get(folded);
  if (column) return { column };
  if (metadataHeaders.has(folded) || segments.some((segment) => /^(meta|formhub)$/i.test(segment)))
    return { ignored: true };
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Import: tables → checked case files
// ---------------------------------------------------------------------------------------------------------

/** A table of a file, as its reader found it. */
export interface SourceTable {
  type: RecordType;
  headers: string[];
  rows: { row: number; item?: number; cells: RawCell[] }[];
  /** True for CSV text: formula-looking cells are refused (XLSX and JSON cells are typed values). */
  text: boolean;
}

/** The case-level columns a mapping may name (one per column of the file, or none). */
export const mappableColumns: readonly string[] = columnsOf.cases
  .filter((column) => !column.exportOnly)
  .map((column) => column.name);

/** How a file's columns were understood: for the report and the web's mapping screen. */
export interface ColumnReport {
  record: RecordType;
  index: number;
  header: string;
  /** The column it fills (or `_case_key`), or null when it is not read. */
  column: string | null;
}

/** A case that passed every check, ready to be written. */
export interface CheckedCase extends ExchangeCase {
  row: number;
}

interface Located {
  row: number;
  item?: number;
}

/** The meaning of each header of a table (a mapping, for the cases table, overrides the headers). */
function meaningsOf(table: SourceTable, mapping: (string | null)[] | undefined): HeaderMeaning[] {
  const seen = new Set<string>();
  return table.headers.map((header, index) => {
    let meaning: HeaderMeaning;
    if (table.type === 'cases' && mapping) {
      const named = mapping[index] ?? null;
      if (named === caseKeyColumn) meaning = { key: true };
      else {
        const column = named ? columnsOf.cases.find((candidate) => candidate.name === named) : undefined;
        meaning = column ? { column } : null;
      }
    } else meaning = meaningOf(table.type, header);
    // Two columns for one field: the first one counts (the report shows the second as not read).
    const id =
      meaning && 'column' in meaning
        ? meaning.column.name
        : meaning && 'key' in meaning
          ? caseKeyColumn
          : null;
    if (id) {
      if (seen.has(id)) return null;
      seen.add(id);
    }
    return meaning;
  });
}

/** One row's values by column name, with its issues. */
function readRow(
  table: SourceTable,
  meanings: HeaderMeaning[],
  cells: RawCell[],
  where: Located,
  issues: ImportIssue[],
): { key: string | null; values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  const options = new Map<Column, string[]>();
  let key: string | null = null;
  meanings.forEach((meaning, index) => {
    if (!meaning || 'ignored' in meaning) return;
    const raw = cells[index] ?? '';
    if ('key' in meaning) {
      const text = (Array.isArray(raw) ? raw.join(' ') : raw).trim();
      key = text === '' ? null : text;
      return;
    }
    if ('option' in meaning) {
      const result = readCell({ name: meaning.option.name, kind: 'boolean' }, raw, false);
      if (result && 'value' in result && result.value === true)
        options.set(meaning.option, [...(options.get(meaning.option) ?? []), meaning.value]);
      else if (result && 'code' in result)
        issues.push({ record: table.type, ...where, column: table.headers[index]!, ...result });
      return;
    }
    const result = readCell(meaning.column, raw, table.text);
    if (!result) return;
    if ('code' in result)
      issues.push({ record: table.type, ...where, column: meaning.column.name, ...result });
    else values.set(meaning.column.name, result.value);
  });
  for (const [column, chosen] of options) {
    // The aggregated column, when present, already holds the choices; separate columns only add to it.
    const listed = (values.get(column.name) as string[] | undefined) ?? [];
    values.set(column.name, [...new Set([...listed, ...chosen])]);
  }
  return { key, values };
}

/** Puts a value at `section.field` of an object, creating the section. */
function put(target: Record<string, Record<string, unknown>>, path: string, value: unknown): void {
  const [section, field] = path.split('.') as [string, string | undefined];
  if (field === undefined) {
    (target as Record<string, unknown>)[section] = value;
    return;
  }
  (target[section] ??= {})[field] = value;
}

/** A zod issue of a section or record, as an import issue on the column its path names. */
function zodIssue(
  record: RecordType,
  where: Located,
  columnOf: (path: readonly PropertyKey[]) => string | null,
  issue: z.core.$ZodIssue,
): ImportIssue {
  const params: Record<string, string | number> = {};
  const raw = issue as unknown as Record<string, unknown>;
  for (const name of ['minimum', 'maximum', 'expected', 'format', 'origin'] as const) {
    const value = raw[name];
    if (typeof value === 'string' || typeof value === 'number') params[name] = value;
    if (typeof value === 'bigint') params[name] = Number(value);
  }
  if (Array.isArray(raw.values)) params.values = raw.values.map(String).join(', ');
  const custom = (raw.params as { i18n?: unknown } | undefined)?.i18n;
  return {
    record,
    ...where,
    column: columnOf(issue.path),
    code: typeof custom === 'string' ? custom : issue.code,
    params,
  };
}

/** The column of a case record holding `section.field`. */
function caseColumnOf(section: string) {
  return (path: readonly PropertyKey[]): string | null => {
    if (section === 'documents') return path[1] === 'number' ? 'prs_IdentityNumber' : null;
    const field = String(path[0] ?? '');
    return columnsOf.cases.find((column) => column.path === `${section}.${field}`)?.name ?? null;
  };
}

/** The column of a related record holding `field`. */
function relatedColumnOf(type: RecordType) {
  return (path: readonly PropertyKey[]): string | null => {
    const field = String(path[0] ?? '');
    return columnsOf[type].find((column) => column.path === field)?.name ?? null;
  };
}

/** Options of a check. */
export interface CheckOptions {
  /** Cases without the facts every complete HTCDS record needs: a row problem, or saved as drafts. */
  incomplete: 'refuse' | 'draft';
  /** The mapping of the cases table's columns (one entry per column, null = not read). */
  mapping?: (string | null)[];
  today?: string;
}

/** The result of reading the tables of a file. */
export interface CheckResult {
  cases: CheckedCase[];
  issues: ImportIssue[];
  columns: ColumnReport[];
  /** Cases (rows of the cases table) in the file. */
  total: number;
  /** Rows with at least one problem. */
  invalid: number;
}

/**
 * Reads the tables of a file into case files and checks every row with the same rules as the API (the
 * section and entry schemas, the gazetteer, dates, the complete-intake rule). Pure: the database checks
 * (recipient organisations, duplicates with existing cases) are the service's.
 */
export function checkTables(tables: readonly SourceTable[], options: CheckOptions): CheckResult {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const issues: ImportIssue[] = [];
  const columns: ColumnReport[] = [];
  const casesTable = tables.find((table) => table.type === 'cases');
  if (!casesTable) {
    issues.push({ record: 'cases', row: 0, column: null, code: 'cases.import_no_cases_table' });
    return { cases: [], issues, columns, total: 0, invalid: 0 };
  }
  const meaningsByTable = new Map<SourceTable, HeaderMeaning[]>();
  for (const table of tables) {
    const meanings = meaningsOf(table, table === casesTable ? options.mapping : undefined);
    meaningsByTable.set(table, meanings);
    table.headers.forEach((header, index) => {
      const meaning = meanings[index];
      columns.push({
        record: table.type,
        index,
        header,
        column:
          meaning && 'column' in meaning
            ? meaning.column.name
            : meaning && 'option' in meaning
              ? meaning.option.name
              : meaning && 'key' in meaning
                ? caseKeyColumn
                : null,
      });
    });
  }
  const caseMeanings = meaningsByTable.get(casesTable)!;
  if (!caseMeanings.some((meaning) => meaning && ('column' in meaning || 'option' in meaning))) {
    issues.push({ record: 'cases', row: 1, column: null, code: 'cases.import_no_known_columns' });
    return { cases: [], issues, columns, total: casesTable.rows.length, invalid: 0 };
  }
  const related = tables.filter((table) => table !== casesTable && table.rows.length > 0);
  const hasKey = caseMeanings.some((meaning) => meaning && 'key' in meaning);
  for (const table of related) {
    const meanings = meaningsByTable.get(table)!;
    if (!hasKey || !meanings.some((meaning) => meaning && 'key' in meaning))
      issues.push({ record: table.type, row: 1, column: caseKeyColumn, code: 'cases.import_missing_column' });
    // A table of records none of whose columns Cairn knows would otherwise be dropped without a word.
    if (!meanings.some((meaning) => meaning && ('column' in meaning || 'option' in meaning)))
      issues.push({ record: table.type, row: 1, column: null, code: 'cases.import_no_known_columns' });
  }
  if (issues.length > 0) return { cases: [], issues, columns, total: casesTable.rows.length, invalid: 0 };

  // The rows of the cases table with a problem (their own, or one of their related records').
  const invalidRows = new Set<number>();

  // The cases table.
  const drafts: Draft[] = [];
  const byKey = new Map<string, Draft>();
  for (const { row, item, cells } of casesTable.rows) {
    const where: Located = { row, ...(item === undefined ? {} : { item }) };
    const before = issues.length;
    const { key, values } = readRow(casesTable, caseMeanings, cells, where, issues);
    if (issues.length > before) invalidRows.add(row);
    const caseKey = key ?? `#${row}`;
    const earlier = byKey.get(caseKey);
    if (earlier) {
      issues.push({
        record: 'cases',
        ...where,
        column: caseKeyColumn,
        code: 'cases.import_duplicate_key',
        params: { row: earlier.where.row },
      });
      invalidRows.add(row);
      continue;
    }
    const draft: Draft = { where, key: caseKey, values, related: new Map() };
    byKey.set(caseKey, draft);
    drafts.push(draft);
  }
  // Related tables: every record names a case of the file.
  for (const table of related) {
    const meanings = meaningsByTable.get(table)!;
    for (const { row, item, cells } of table.rows) {
      const where: Located = { row, ...(item === undefined ? {} : { item }) };
      const before = issues.length;
      const { key, values } = readRow(table, meanings, cells, where, issues);
      const draft = key === null ? undefined : byKey.get(key);
      if (!draft) {
        issues.splice(before);
        issues.push({
          record: table.type,
          ...where,
          column: caseKeyColumn,
          code: 'cases.import_unknown_case_key',
          params: { value: shortValue(key ?? '') },
        });
        continue;
      }
      // A related record's problem makes its case invalid: a case is written whole or not at all.
      if (issues.length > before) invalidRows.add(draft.where.row);
      if (values.size === 0) continue;
      const list = draft.related.get(table.type) ?? [];
      list.push({ where, values });
      draft.related.set(table.type, list);
    }
  }

  const cases: CheckedCase[] = [];
  for (const draft of drafts) {
    const result = checkDraft(draft, options, today, invalidRows.has(draft.where.row));
    issues.push(...result.issues);
    if (result.issues.length > 0) invalidRows.add(draft.where.row);
    if (result.checked && !invalidRows.has(draft.where.row)) cases.push(result.checked);
  }
  issues.sort(issueOrder);
  return { cases, issues, columns, total: casesTable.rows.length, invalid: invalidRows.size };
}

/** The order of a report: table by table in the layout's order, then row by row (stable within a row). */
export function issueOrder(a: ImportIssue, b: ImportIssue): number {
  return (
    recordTypes.indexOf(a.record) - recordTypes.indexOf(b.record) ||
    a.row - b.row ||
    (a.item ?? 0) - (b.item ?? 0)
  );
}

interface Draft {
  where: Located;
  key: string;
  values: Map<string, unknown>;
  related: Map<RecordType, { where: Located; values: Map<string, unknown> }[]>;
}

const closedSet: readonly string[] = closedStatuses;

/** Places found by name, by country: a gazetteer scan is costly, and a file names the same towns often. */
const placesByName = new Map<string, ReturnType<typeof placeById>>();

/** The gazetteer place of exactly this (folded) name in a country, or null. */
function placeNamed(name: string, country: string): ReturnType<typeof placeById> {
  const wanted = fold(name.trim());
  const key = `${country}|${wanted}`;
  if (!placesByName.has(key)) {
    if (placesByName.size > 10_000) placesByName.clear();
    const found = searchPlaces(name, { country, limit: 5 }).find((place) => fold(place.name) === wanted);
    placesByName.set(key, found ?? null);
  }
  return placesByName.get(key) ?? null;
}

/** Checks one case with its related records. */
function checkDraft(
  draft: Draft,
  options: CheckOptions,
  today: string,
  /** Some cell of the case already had a problem: the case is reported, not checked for completeness. */
  unreadable: boolean,
): { checked: CheckedCase | null; issues: ImportIssue[] } {
  const issues: ImportIssue[] = [];
  const where = draft.where;
  const target: Record<string, Record<string, unknown>> = {};
  for (const column of columnsOf.cases)
    if (column.path && draft.values.has(column.name)) put(target, column.path, draft.values.get(column.name));

  const section = <S extends z.ZodType>(name: string, schema: S): z.output<S> | undefined => {
    const given = target[name];
    if (!given || Object.keys(given).length === 0) return undefined;
    const parsed = schema.safeParse(given);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) issues.push(zodIssue('cases', where, caseColumnOf(name), issue));
    return undefined;
  };
  const identity = section('identity', identitySectionSchema);
  const contact = section('contact', contactSectionSchema);
  const narrative = section('narrative', narrativeSectionSchema);
  const profile = profileSectionSchema.safeParse(target.profile ?? {});
  if (!profile.success)
    for (const issue of profile.error.issues)
      issues.push(zodIssue('cases', where, caseColumnOf('profile'), issue));
  const victim = victimSectionSchema.safeParse(target.victim ?? {});
  if (!victim.success)
    for (const issue of victim.error.issues)
      issues.push(zodIssue('cases', where, caseColumnOf('victim'), issue));

  const facts = target.case ?? {};
  let status = (facts.status as CaseStatus | undefined) ?? 'Active';
  let draftFlag = facts.draft === true;
  const openedOn = (facts.openedOn as string | undefined) ?? today;
  if (openedOn > today)
    issues.push({ record: 'cases', ...where, column: 'cairn_OpenedOn', code: 'cases.date_in_future' });
  let closedOn = facts.closedOn as string | undefined;
  if (closedSet.includes(status)) {
    closedOn ??= today;
    if (closedOn > today)
      issues.push({ record: 'cases', ...where, column: 'cairn_ClosedOn', code: 'cases.date_in_future' });
    if (closedOn < openedOn)
      issues.push({
        record: 'cases',
        ...where,
        column: 'cairn_ClosedOn',
        code: 'cases.import_closed_before_opened',
      });
  } else closedOn = undefined;
  if (draftFlag && closedSet.includes(status)) status = 'Active';

  // Documents: identity_documents records, else the case's prs_IdentityNumber as a national identity number.
  const documentRecords = draft.related.get('identity_documents') ?? [];
  let documents: DocumentsSection | undefined;
  const documentInput =
    documentRecords.length > 0
      ? documentRecords.map(({ values }) => ({
          type: (values.get('cairn_DocumentType') as string | undefined) ?? 'Other',
          number: values.get('prs_IdentityNumber'),
          ...(values.has('cairn_IssuingCountry')
            ? { issuingCountry: values.get('cairn_IssuingCountry') }
            : {}),
        }))
      : draft.values.has('prs_IdentityNumber')
        ? [{ type: 'NationalId', number: draft.values.get('prs_IdentityNumber') }]
        : [];
  if (documentInput.length > 0) {
    const parsed = documentsSectionSchema.safeParse(documentInput);
    if (parsed.success) documents = parsed.data;
    else
      for (const issue of parsed.error.issues) {
        const record = documentRecords.length > 0 ? 'identity_documents' : 'cases';
        const index = Number(issue.path[0] ?? 0);
        const at = documentRecords[index]?.where ?? where;
        const column =
          issue.path[1] === 'type'
            ? 'cairn_DocumentType'
            : issue.path[1] === 'issuingCountry'
              ? 'cairn_IssuingCountry'
              : 'prs_IdentityNumber';
        issues.push({ ...zodIssue(record, at, () => column, issue), row: at.row });
      }
  }

  const entries = <S extends z.ZodType>(
    type: RecordType,
    schema: S,
    build: (values: Map<string, unknown>) => unknown,
  ) => {
    const out: z.output<S>[] = [];
    for (const { where: at, values } of draft.related.get(type) ?? []) {
      const parsed = schema.safeParse(build(values));
      if (parsed.success) out.push(parsed.data);
      else
        for (const issue of parsed.error.issues)
          issues.push(zodIssue(type, at, relatedColumnOf(type), issue));
    }
    return out;
  };
  const fieldsOf = (type: RecordType, values: Map<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const column of columnsOf[type])
      if (column.path && values.has(column.name)) out[column.path] = values.get(column.name);
    return out;
  };

  const perpetrators = entries('perpetrators', perpetratorInputSchema, (values) => {
    const fields = fieldsOf('perpetrators', values);
    if (fields.name === undefined) {
      const parts = [values.get('prs_FirstName'), values.get('prs_SecondName')].filter(Boolean);
      if (parts.length > 0) fields.name = parts.join(' ');
    }
    return { kind: 'perpetrator', ...fields };
  }).map(({ kind: _kind, ...rest }) => rest);

  const events: EventRecord[] = [];
  for (const { where: at, values } of draft.related.get('trafficking_events') ?? []) {
    const fields = fieldsOf('trafficking_events', values);
    const problem = (column: string, code: string, params?: Record<string, string>) =>
      issues.push({ record: 'trafficking_events', ...at, column, code, ...(params ? { params } : {}) });
    const country = fields.country as string | undefined;
    const city = values.get('hte_City') as string | undefined;
    const state = values.get('hte_State') as string | undefined;
    if (country) {
      // The gazetteer place: by id when it agrees with the city named, else found by the city's name.
      const byId = fields.placeId === undefined ? null : placeById(fields.placeId as number);
      if (byId && byId.country !== country) problem('cairn_PlaceId', 'cases.place_country');
      else if (fields.placeId !== undefined && !byId) problem('cairn_PlaceId', 'cases.place_unknown');
      else if (city && (!byId || fold(byId.name) !== fold(city))) {
        const found = placeNamed(city, country);
        if (found) fields.placeId = found.id;
        else problem('hte_City', 'cases.import_unknown_place', { value: shortValue(city), country });
      }
      if (fields.region === undefined && state) {
        const region = regionsOf(country).find((candidate) => fold(candidate.name) === fold(state));
        if (region) fields.region = region.code;
        else problem('hte_State', 'cases.import_unknown_region', { value: shortValue(state) });
      } else if (typeof fields.region === 'string') {
        if (!regionCodeSchema.safeParse(fields.region).success)
          problem('cairn_Region', 'cases.import_unknown_region', { value: shortValue(fields.region) });
        else if (!fields.region.startsWith(`${country}.`)) problem('cairn_Region', 'cases.region_country');
      }
    }
    const parsed = eventInputSchema.safeParse({ kind: 'event', ...fields });
    if (parsed.success) {
      const { kind: _kind, ...rest } = parsed.data;
      events.push(rest);
    } else
      for (const issue of parsed.error.issues)
        issues.push(zodIssue('trafficking_events', at, relatedColumnOf('trafficking_events'), issue));
  }

  const supportPlan = entries('support_plan', supportPlanInputSchema, (values) => ({
    kind: 'supportPlan',
    ...fieldsOf('support_plan', values),
  })).map(({ kind: _kind, ...rest }) => rest);

  const followUps: FollowUpRecord[] = [];
  for (const { where: at, values } of draft.related.get('follow_ups') ?? []) {
    const fields = fieldsOf('follow_ups', values);
    if (!fields.dueOn) {
      issues.push({ record: 'follow_ups', ...at, column: 'cairn_DueOn', code: 'cases.import_required' });
      continue;
    }
    if (fields.note !== undefined && (typeof fields.note !== 'string' || fields.note.length > 2_000)) {
      issues.push({
        record: 'follow_ups',
        ...at,
        column: 'cairn_Note',
        code: 'too_big',
        params: { origin: 'string', maximum: 2_000 },
      });
      continue;
    }
    followUps.push({
      dueOn: fields.dueOn as string,
      ...(fields.note ? { note: fields.note } : {}),
      done: fields.done === true,
    });
  }

  const comments: CommentRecord[] = [];
  for (const { where: at, values } of draft.related.get('case_comments') ?? []) {
    const fields = fieldsOf('case_comments', values);
    const parsed = commentInputSchema.safeParse({ kind: 'comment', body: fields.body });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        issues.push(zodIssue('case_comments', at, relatedColumnOf('case_comments'), issue));
      continue;
    }
    const createdAt = fields.createdAt as string | undefined;
    if (createdAt && createdAt.slice(0, 10) > today) {
      issues.push({
        record: 'case_comments',
        ...at,
        column: 'cairn_CreatedAt',
        code: 'cases.date_in_future',
      });
      continue;
    }
    comments.push({ body: parsed.data.body, ...(createdAt ? { createdAt } : {}) });
  }

  const consents: ConsentRecord[] = [];
  for (const { where: at, values } of draft.related.get('consents') ?? []) {
    // A consent record saying "no consent" records nothing.
    if (values.get('con_Consent') === false) continue;
    const fields = fieldsOf('consents', values);
    const { revokedAt, recipientName: _name, ...input } = fields;
    const parsed = consentInputSchema.safeParse({
      purpose: 'Care',
      sections: [...caseSections],
      givenOn: openedOn,
      ...input,
    });
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        issues.push(zodIssue('consents', at, relatedColumnOf('consents'), issue));
      continue;
    }
    consents.push({
      ...parsed.data,
      ...(typeof revokedAt === 'string' ? { revokedAt } : {}),
    });
  }
  // The case-level checkbox (the XLSForm's only consent question): consent to care, for every section.
  if ((draft.related.get('consents') ?? []).length === 0 && facts.consent === true)
    consents.push({ purpose: 'Care', sections: [...caseSections], givenOn: openedOn });

  if (!profile.success || !victim.success || issues.length > 0 || unreadable)
    return { checked: null, issues };
  if (!draftFlag && (!profile.data.gender || !victim.data.traffickingStatus)) {
    if (options.incomplete === 'draft') draftFlag = true;
    else {
      if (!profile.data.gender)
        issues.push({
          record: 'cases',
          ...where,
          column: 'prs_Gender',
          code: 'cases.import_required_for_complete',
        });
      if (!victim.data.traffickingStatus)
        issues.push({
          record: 'cases',
          ...where,
          column: 'vic_TraffickingStatus',
          code: 'cases.import_required_for_complete',
        });
      return { checked: null, issues };
    }
  }
  const closureReason = facts.closureReason as string | undefined;
  return {
    checked: {
      row: where.row,
      key: draft.key,
      case: {
        status,
        draft: draftFlag,
        openedOn,
        ...(closedOn ? { closedOn } : {}),
        ...(closureReason && closedSet.includes(status) ? { closureReason } : {}),
      },
      ...(identity ? { identity } : {}),
      ...(contact ? { contact } : {}),
      ...(documents ? { documents } : {}),
      ...(narrative ? { narrative } : {}),
      profile: profile.data,
      victim: victim.data,
      perpetrators,
      events,
      supportPlan,
      followUps,
      comments,
      consents,
    },
    issues,
  };
}
