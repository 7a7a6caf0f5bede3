import { and, eq, inArray, lt, ne, or, sql } from 'drizzle-orm';
import ISO6391 from 'iso-639-1';
import type { z } from 'zod';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import type { Tx } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { translator } from '../../kernel/i18n/i18n.js';
import {
  identityOrganisations,
  insertListedOrganisations,
  isoCountryCodes,
  organisationTypes,
  type ListedOrganisation,
  type OrganisationType,
} from '../identity/index.js';
import { fold, regionsOf, searchPlaces, type Place } from './directory.gazetteer.js';
import { formatOf, readGrid, type Grid, type ImportFormat } from './directory.import.files.js';
import {
  importFields,
  requiredImportFields,
  type DirectoryImport,
  type ImportField,
  type ImportStatus,
} from './directory.import.schemas.js';
import { profileInputSchema, type ProfileInput } from './directory.profiles.schemas.js';
import { storeProfile } from './directory.profiles.service.js';
import { directorySearchOf } from './directory.search.engine.js';
import { directoryImports } from './directory.tables.js';
import {
  exploitationTypes,
  focusAreas,
  industries,
  isLanguageCode,
  populations,
  services,
} from './directory.vocabulary.js';
import './directory.audit.js';

/** A checked import lives this long before it must be uploaded again. */
const checkedLifetimeMs = 60 * 60 * 1000;
/** A committed or failed import can be looked at for a day. */
const resultLifetimeMs = 24 * 60 * 60 * 1000;
/** The report keeps at most this many problems; the counts still cover them all. */
const maxReportedIssues = 1_000;

/** One problem of a dry run, before it is put into the reader's language. */
interface StoredIssue {
  row: number;
  field: ImportField | null;
  code: string;
  params?: Record<string, string | number>;
}

interface StoredColumn {
  index: number;
  header: string;
  field: ImportField | null;
  sample: string;
}

/** What directory_imports.report holds. */
interface StoredReport {
  format: ImportFormat;
  columns: StoredColumn[];
  counts: DirectoryImport['counts'];
  issues: StoredIssue[];
  truncated: boolean;
}

/** A row that passed the dry run: ready for insertListedOrganisations and storeProfile. */
interface CheckedRow {
  row: number;
  organisation: ListedOrganisation;
  profile: ProfileInput;
}

type ImportRow = typeof directoryImports.$inferSelect;

/**
 * Progress of the commits running in THIS process, by import id. A commit runs inside its request and one
 * transaction, so nothing it writes is visible elsewhere until it ends; this map is how GET reports progress
 * meanwhile. LIMITATION: it is per process — behind a load balancer, a poll that reaches another process sees
 * the stored status (`committing`) with 0 processed until the commit ends.
 */
const progress = new Map<string, { processed: number; total: number }>();

// --- who may import -------------------------------------------------------------------------------------

/** The person importing: platform staff (moderators and platform admins act as network coordinators). */
function staffPerson(ctx: Ctx): string {
  const actor = ctx.actor;
  if (actor.kind !== 'person' || actor.level !== 'full' || !actor.platformRole)
    throw new AppError('forbidden');
  return actor.personId;
}

// --- reading headers and cells --------------------------------------------------------------------------

/** Lower case, no accents, letters and digits only: how headers and vocabulary words are compared. */
const key = (text: string) => fold(text).replace(/[^\p{L}\p{N}]+/gu, '');

/** Header names (folded) that propose each field: English first, then common Spanish and French ones. */
const headerNames: Record<ImportField, string[]> = {
  name: [
    'name',
    'organisation',
    'organization',
    'organisationname',
    'organizationname',
    'orgname',
    'nombre',
    'nom',
    'raisonsociale',
  ],
  type: ['type', 'organisationtype', 'organizationtype', 'orgtype', 'kind', 'category', 'tipo', 'categorie'],
  countries: [
    'countries',
    'country',
    'countrycode',
    'countrycodes',
    'countriesofoperation',
    'shippingcountry',
    'pais',
    'paises',
    'pays',
  ],
  otherNames: [
    'othernames',
    'othername',
    'alternativenames',
    'alternatenames',
    'aliases',
    'alias',
    'aka',
    'alsoknownas',
    'otrosnombres',
    'autresnoms',
  ],
  website: ['website', 'web', 'url', 'site', 'homepage', 'websiteurl', 'sitioweb', 'siteweb', 'siteinternet'],
  description: ['description', 'shortdescription', 'summary', 'about', 'descripcion', 'resume'],
  descriptionLanguage: [
    'descriptionlanguage',
    'languageofdescription',
    'descriptionlang',
    'idiomadescripcion',
    'languedescription',
  ],
  services: ['services', 'service', 'servicios', 'servicesoffered'],
  populations: ['populations', 'population', 'populationsserved', 'beneficiaries', 'poblaciones', 'publics'],
  exploitationTypes: [
    'exploitationtypes',
    'exploitationtype',
    'exploitation',
    'traffickingtypes',
    'formsofexploitation',
    'tiposdeexplotacion',
  ],
  focus: ['focus', 'focusareas', 'focusarea', 'areasofwork', 'enfoque'],
  industries: ['industries', 'industry', 'sectors', 'sector', 'isic', 'industrias'],
  languages: ['languages', 'language', 'languagesspoken', 'idiomas', 'langues'],
  regions: ['regions', 'region', 'regioncodes', 'provinces', 'regiones'],
  networks: ['networks', 'network', 'coalitions', 'coalition', 'memberof', 'redes', 'reseaux'],
  city: ['city', 'town', 'place', 'officecity', 'shippingcity', 'location', 'ciudad', 'ville', 'localidad'],
  officeCountry: ['officecountry', 'countryofoffice', 'paisdeoficina', 'paysdubureau'],
  street: ['street', 'address', 'streetaddress', 'shippingstreet', 'direccion', 'adresse', 'rue'],
  postalCode: [
    'postalcode',
    'postcode',
    'zip',
    'zipcode',
    'shippingpostalcode',
    'codigopostal',
    'codepostal',
  ],
  phone: ['phone', 'telephone', 'tel', 'phonenumber', 'telefono', 'mobile'],
  email: ['email', 'emailaddress', 'mail', 'contactemail', 'correo', 'courriel'],
};

const fieldByHeader = new Map<string, ImportField>(
  importFields.flatMap((field) => headerNames[field].map((name) => [name, field] as const)),
);

/** Proposes a field for each header: HTCDS `org_` headers and Cairn's own export headers included. */
export function proposeMapping(headers: string[]): (ImportField | null)[] {
  const taken = new Set<ImportField>();
  return headers.map((header) => {
    const field = fieldByHeader.get(key(header.replace(/^org_/i, '')));
    if (!field || taken.has(field)) return null;
    taken.add(field);
    return field;
  });
}

/** Country names in the four languages Cairn speaks, folded, to their ISO codes. */
const countryByName: Map<string, string> = (() => {
  const names = new Map<string, string>();
  for (const language of ['en', 'fr', 'es', 'ar']) {
    const display = new Intl.DisplayNames([language], { type: 'region' });
    for (const code of isoCountryCodes) {
      const name = display.of(code);
      if (name && name !== code) names.set(key(name), code);
    }
  }
  return names;
})();

function countryCode(value: string): string | null {
  const upper = value.trim().toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) return (isoCountryCodes as readonly string[]).includes(upper) ? upper : null;
  return countryByName.get(key(value)) ?? null;
}

/** HTCDS org_Type values, English labels and Cairn's own codes, folded, to Cairn's organisation types. */
const typeByName: Map<string, OrganisationType> = new Map([
  ...organisationTypes.map((type) => [key(type), type] as const),
  ['nongovernmentalorganisation', 'ngo'],
  ['nongovernmentalorganization', 'ngo'],
  ['healthserviceorganisation', 'health'],
  ['healthserviceorganization', 'health'],
  ['centralgovernmentorganisation', 'central_government'],
  ['centralgovernmentorganization', 'central_government'],
  ['localgovernmentorganisation', 'local_government'],
  ['localgovernmentorganization', 'local_government'],
  ['immigrationservice', 'immigration'],
  ['legalservice', 'legal'],
  ['corporatebusiness', 'corporate'],
  ['business', 'corporate'],
  ['schoolorcollege', 'academic'],
  ['university', 'academic'],
  ['intergovernmentalorganisation', 'igo'],
  ['intergovernmentalorganization', 'igo'],
  ['survivorledorganisation', 'survivor_led'],
  ['survivorledorganization', 'survivor_led'],
  ['faithbasedorganisation', 'faith_based'],
  ['faithbasedorganization', 'faith_based'],
]);

/** A vocabulary code from a code or its English label ("Legal aid" → legal_aid). */
function vocabularyCode<T extends string>(list: readonly T[], value: string): T | null {
  const folded = key(value);
  return list.find((code) => key(code) === folded) ?? null;
}

function languageCode(value: string): string | null {
  const lower = value.trim().toLowerCase();
  if (/^[a-z]{2}$/.test(lower)) return isLanguageCode(lower) ? lower : null;
  const code =
    ISO6391.getCode(value.trim()) ||
    ISO6391.getAllCodes().find((c) => key(ISO6391.getName(c)) === key(value));
  return code && isLanguageCode(code) ? code : null;
}

/** Splits a list cell. Names may contain commas, so only `;`, `|` and line breaks separate them. */
function splitList(value: string, codes: boolean): string[] {
  return value
    .split(codes ? /[;|,\n]/ : /[;|\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * SECURITY: a cell that a spreadsheet would run as a formula (`=`, `@`, or `+`/`-` starting a call) is a row
 * error, not data: exports guard against formulas too, but an import should not take them in.
 */
function looksLikeFormula(value: string): boolean {
  return /^[=@]/.test(value) || (/^[+-]/.test(value) && /[(!]/.test(value));
}

// --- checking rows --------------------------------------------------------------------------------------

/** Which import field a path of the profile input reports on. */
function fieldOfPath(path: readonly PropertyKey[]): ImportField | null {
  const [first, , third] = path;
  switch (first) {
    case 'descriptions':
      return third === 'language' ? 'descriptionLanguage' : 'description';
    case 'offices':
      return third === 'phone'
        ? 'phone'
        : third === 'street'
          ? 'street'
          : third === 'postalCode'
            ? 'postalCode'
            : 'city';
    case 'contacts':
      return third === 'phone' ? 'phone' : 'email';
    default:
      return (importFields as readonly PropertyKey[]).includes(first as string)
        ? (first as ImportField)
        : null;
  }
}

/** A zod issue as a report issue: the same codes and parameters as the API's own validation messages. */
function issueOfZod(row: number, issue: z.core.$ZodIssue): StoredIssue {
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
    row,
    field: fieldOfPath(issue.path),
    code: typeof custom === 'string' ? custom : issue.code,
    params,
  };
}

interface RowResult {
  issues: StoredIssue[];
  checked: CheckedRow | null;
}

/** Finds a place by its exact (folded) name in a country; the gazetteer scan is costly, so answers are kept. */
type PlaceFinder = (name: string, country: string) => Place | null;

function placeFinder(): PlaceFinder {
  const cache = new Map<string, Place | null>();
  return (name, country) => {
    const wanted = fold(name);
    const cacheKey = `${country}|${wanted}`;
    if (!cache.has(cacheKey)) {
      const place = searchPlaces(name, { country, limit: 5 }).find((p) => fold(p.name) === wanted) ?? null;
      cache.set(cacheKey, place);
    }
    return cache.get(cacheKey)!;
  };
}

/** Checks one data row against the mapping: the same rules as the profile editor, plus name and type. */
function checkRow(
  row: number,
  cells: string[],
  mapping: (ImportField | null)[],
  findPlace: PlaceFinder,
): RowResult {
  const issues: StoredIssue[] = [];
  const problem = (field: ImportField | null, code: string, params?: Record<string, string | number>) =>
    issues.push({ row, field, code: `directory.${code}`, ...(params ? { params } : {}) });
  const value: Partial<Record<ImportField, string>> = {};
  mapping.forEach((field, index) => {
    const cell = cells[index] ?? '';
    if (!field || cell === '') return;
    if (looksLikeFormula(cell)) problem(field, 'import_formula');
    else value[field] = cell;
  });

  const name = value.name ?? '';
  if (name === '') problem('name', 'import_required');
  else if (name.length < 2 || name.length > 200) problem('name', 'import_bad_name');

  let type: OrganisationType | null = null;
  if (!value.type) problem('type', 'import_required');
  else {
    type = typeByName.get(key(value.type)) ?? null;
    if (!type) problem('type', 'import_unknown_type', { value: value.type.slice(0, 60) });
  }

  const countries: string[] = [];
  if (!value.countries) problem('countries', 'import_required');
  for (const item of splitList(value.countries ?? '', true)) {
    const code = countryCode(item);
    if (!code) problem('countries', 'import_unknown_country', { value: item.slice(0, 60) });
    else if (!countries.includes(code)) countries.push(code);
  }

  const codes = <T extends string>(field: ImportField, list: readonly T[]): T[] => {
    const out: T[] = [];
    for (const item of splitList(value[field] ?? '', true)) {
      const code = vocabularyCode(list, item);
      if (!code) problem(field, 'import_unknown_value', { value: item.slice(0, 60) });
      else if (!out.includes(code)) out.push(code);
    }
    return out;
  };
  const names = (field: ImportField) => [...new Set(splitList(value[field] ?? '', false))];

  const languages: string[] = [];
  for (const item of splitList(value.languages ?? '', true)) {
    const code = languageCode(item);
    if (!code) problem('languages', 'import_unknown_language', { value: item.slice(0, 60) });
    else if (!languages.includes(code)) languages.push(code);
  }

  const regions: string[] = [];
  for (const item of splitList(value.regions ?? '', false)) {
    const byCode = /^[A-Za-z]{2}\.[A-Za-z0-9]{1,8}$/.test(item)
      ? item.slice(0, 2).toUpperCase() + item.slice(2)
      : null;
    const byName = countries
      .flatMap((country) => regionsOf(country))
      .find((region) => region.code === byCode || key(region.name) === key(item));
    if (!byName) problem('regions', 'import_unknown_region', { value: item.slice(0, 60) });
    else if (!regions.includes(byName.code)) regions.push(byName.code);
  }

  let descriptionLanguage = 'en';
  if (value.descriptionLanguage) {
    const code = languageCode(value.descriptionLanguage);
    if (!code)
      problem('descriptionLanguage', 'import_unknown_language', {
        value: value.descriptionLanguage.slice(0, 60),
      });
    else descriptionLanguage = code;
  }

  const phone = value.phone ? value.phone.replace(/[\s().-]/g, '') : null;
  const offices: unknown[] = [];
  if (value.city) {
    const officeCountry = value.officeCountry ? countryCode(value.officeCountry) : (countries[0] ?? null);
    if (value.officeCountry && !officeCountry)
      problem('officeCountry', 'import_unknown_country', { value: value.officeCountry.slice(0, 60) });
    else if (officeCountry) {
      const place = findPlace(value.city, officeCountry);
      if (!place)
        problem('city', 'import_unknown_place', { value: value.city.slice(0, 60), country: officeCountry });
      else
        offices.push({
          label: place.name,
          placeId: place.id,
          street: value.street ?? null,
          postalCode: value.postalCode ?? null,
          phone,
          isMain: true,
        });
    }
  } else if (value.street || value.postalCode) {
    // An office country alone says nothing more than the countries do (exports of hidden locations have it).
    problem('city', 'import_office_needs_city');
  }

  let website = value.website ?? null;
  if (website && !/^[a-z][a-z0-9+.-]*:/i.test(website)) website = `https://${website}`;

  const contacts =
    value.email || (phone && offices.length === 0)
      ? [{ label: 'General', email: value.email ?? null, phone: offices.length === 0 ? phone : null }]
      : [];

  const input = {
    otherNames: names('otherNames'),
    descriptions: value.description ? [{ language: descriptionLanguage, short: value.description }] : [],
    focus: codes('focus', focusAreas),
    services: codes('services', services),
    populations: codes('populations', populations),
    exploitationTypes: codes('exploitationTypes', exploitationTypes),
    industries: codes('industries', industries),
    countries,
    regions,
    offices,
    languages,
    networks: names('networks'),
    website,
    contacts,
  };
  if (issues.length > 0) return { issues, checked: null };
  const parsed = profileInputSchema.safeParse(input);
  if (!parsed.success)
    return { issues: parsed.error.issues.map((issue) => issueOfZod(row, issue)), checked: null };
  return {
    issues,
    checked: {
      row,
      organisation: { name, type: type!, countries, website: parsed.data.website },
      profile: parsed.data,
    },
  };
}

/** `name|country` keys of an organisation, for finding duplicates. */
const duplicateKeys = (name: string, countries: string[]) =>
  countries.map((c) => `${fold(name.trim())}|${c}`);

/**
 * Rows whose name and a country match an organisation already on the platform (any status but rejected).
 * Names are compared folded (case and accents), first narrowed in SQL.
 */
async function existingDuplicates(tx: Tx, rows: CheckedRow[]): Promise<StoredIssue[]> {
  const issues: StoredIssue[] = [];
  for (let i = 0; i < rows.length; i += 2_000) {
    const batch = rows.slice(i, i + 2_000);
    const lowered = [...new Set(batch.map((r) => r.organisation.name.trim().toLowerCase()))];
    const folded = [...new Set(batch.map((r) => fold(r.organisation.name.trim())))];
    const found = await tx
      .select({ name: identityOrganisations.name, countries: identityOrganisations.countries })
      .from(identityOrganisations)
      .where(
        and(
          ne(identityOrganisations.status, 'rejected'),
          or(
            inArray(sql`lower(${identityOrganisations.name})`, lowered),
            inArray(sql`unaccent(lower(${identityOrganisations.name}))`, folded),
          ),
        ),
      );
    const known = new Set(found.flatMap((o) => duplicateKeys(o.name, o.countries)));
    for (const r of batch) {
      if (duplicateKeys(r.organisation.name, r.organisation.countries).some((k) => known.has(k)))
        issues.push({ row: r.row, field: 'name', code: 'directory.import_duplicate_existing' });
    }
  }
  return issues;
}

/** The first non-empty value of a column, shortened: helps people recognise it while mapping. */
function sampleOf(grid: Grid, index: number): string {
  for (let r = 1; r < grid.length && r < 50; r++) {
    const cell = grid[r]![index] ?? '';
    if (cell !== '') return cell.length > 60 ? `${cell.slice(0, 59)}…` : cell;
  }
  return '';
}

/** Runs the dry run over a grid: every row checked, duplicates found, nothing written. */
async function dryRun(
  tx: Tx,
  grid: Grid,
  mapping: (ImportField | null)[],
): Promise<{ issues: StoredIssue[]; checked: CheckedRow[]; invalidRows: number }> {
  const issues: StoredIssue[] = [];
  for (const field of requiredImportFields) {
    if (!mapping.includes(field)) issues.push({ row: 1, field, code: 'directory.import_missing_column' });
  }
  const checked: CheckedRow[] = [];
  const invalid = new Set<number>();
  if (issues.length === 0) {
    const firstRowOf = new Map<string, number>();
    const findPlace = placeFinder();
    for (let r = 1; r < grid.length; r++) {
      const row = r + 1;
      const cells = grid[r]!;
      if (cells.every((cell) => cell === '')) continue;
      const result = checkRow(row, cells, mapping, findPlace);
      issues.push(...result.issues);
      if (!result.checked) {
        invalid.add(row);
        continue;
      }
      const keys = duplicateKeys(result.checked.organisation.name, result.checked.organisation.countries);
      const earlier = keys.map((k) => firstRowOf.get(k)).find((n) => n !== undefined);
      if (earlier !== undefined) {
        issues.push({
          row,
          field: 'name',
          code: 'directory.import_duplicate_in_file',
          params: { row: earlier },
        });
        invalid.add(row);
        continue;
      }
      for (const k of keys) firstRowOf.set(k, row);
      checked.push(result.checked);
    }
    const existing = await existingDuplicates(tx, checked);
    issues.push(...existing);
    for (const issue of existing) invalid.add(issue.row);
  }
  // Row by row, and within a row in the order of the fields (the order columns are offered in).
  const order = (field: ImportField | null) => (field ? importFields.indexOf(field) : -1);
  issues.sort((a, b) => a.row - b.row || order(a.field) - order(b.field));
  return { issues, checked: checked.filter((c) => !invalid.has(c.row)), invalidRows: invalid.size };
}

// --- use cases ------------------------------------------------------------------------------------------

/** The upload, as the route received it. */
export interface ImportUpload {
  body: Buffer;
  contentType: string | undefined;
  fileName: string;
  mapping?: (ImportField | null)[];
}

/**
 * The dry run: reads the file, proposes (or applies) a column mapping, checks every row, and stores the
 * report with the checked rows for an hour. Nothing but that import record is written; a file that cannot
 * be read is refused before anything is.
 */
export async function checkImport(ctx: Ctx, upload: ImportUpload): Promise<DirectoryImport> {
  const personId = staffPerson(ctx);
  const format = formatOf(upload.contentType);
  if (!format) throw new AppError('unsupported_media_type');
  const grid = await readGrid(upload.body, format);
  const headers = grid[0]!;
  const mapping = headers.map((_, index) => upload.mapping?.[index] ?? null);
  const chosen = upload.mapping ? mapping : proposeMapping(headers);
  const dataRows = grid.slice(1).filter((cells) => cells.some((cell) => cell !== '')).length;
  const stored = await inTransaction(ctx.kernel.database.db, async (tx) => {
    // Old dry runs hold whole files: drop the expired ones of everybody while we are here.
    await tx.delete(directoryImports).where(lt(directoryImports.expiresAt, new Date()));
    const { issues, checked, invalidRows } = await dryRun(tx, grid, chosen);
    const report: StoredReport = {
      format,
      columns: headers.map((header, index) => ({
        index,
        header,
        field: chosen[index] ?? null,
        sample: sampleOf(grid, index),
      })),
      counts: {
        rows: dataRows,
        valid: issues.some((i) => i.row === 1) ? 0 : checked.length,
        invalid: invalidRows,
        issues: issues.length,
        created: 0,
      },
      issues: issues.slice(0, maxReportedIssues),
      truncated: issues.length > maxReportedIssues,
    };
    const [row] = await tx
      .insert(directoryImports)
      .values({
        personId,
        fileName: upload.fileName,
        status: 'checked',
        totalRows: dataRows,
        processedRows: 0,
        report,
        // Only a clean dry run can be committed, so only then are its rows worth keeping.
        rows: issues.length === 0 ? checked : null,
        expiresAt: new Date(Date.now() + checkedLifetimeMs),
      })
      .returning();
    return row!;
  });
  return presentImport(ctx, stored);
}

async function ownImport(ctx: Ctx, importId: string, personId: string): Promise<ImportRow> {
  const [row] = await ctx.kernel.database.db
    .select()
    .from(directoryImports)
    .where(and(eq(directoryImports.id, importId), eq(directoryImports.personId, personId)));
  // Someone else's import, or an expired one, does not exist for this caller.
  if (!row || row.expiresAt < new Date()) throw new AppError('not_found');
  return row;
}

/** One of the caller's imports: its report, and its progress while it is being committed. */
export async function getImport(ctx: Ctx, importId: string): Promise<DirectoryImport> {
  // The live count is taken before the row is read: a commit that ends in between then shows its last count
  // with the stale `committing` status (not the row's 0), and the count a poller sees never goes back.
  const live = progress.get(importId);
  return presentImport(ctx, await ownImport(ctx, importId, staffPerson(ctx)), live);
}

/** Thrown inside the commit's transaction to roll it back with row problems for the report. */
class RowsRefused extends Error {
  constructor(readonly issues: StoredIssue[]) {
    super('rows refused');
  }
}

/**
 * Commits a clean dry run: every organisation and profile in ONE transaction, or none. Duplicates are
 * checked again inside it (another import or application may have come in since). On any failure the
 * transaction rolls back, the import is marked `failed` with the reason in its report, and 409 is answered.
 */
export async function commitImport(ctx: Ctx, importId: string): Promise<DirectoryImport> {
  const personId = staffPerson(ctx);
  const db = ctx.kernel.database.db;
  const current = await ownImport(ctx, importId, personId);
  const report = current.report as StoredReport;
  if (current.status !== 'checked' || report.counts.issues > 0 || !current.rows)
    throw new AppError('conflict');
  // Claiming the import first makes a second commit of it (a double click, a retry) a conflict.
  const claimed = await inTransaction(db, (tx) =>
    tx
      .update(directoryImports)
      .set({ status: 'committing', updatedAt: new Date() })
      .where(and(eq(directoryImports.id, importId), eq(directoryImports.status, 'checked')))
      .returning({ id: directoryImports.id }),
  );
  if (claimed.length === 0) throw new AppError('conflict');
  const rows = current.rows as CheckedRow[];
  const state = { processed: 0, total: rows.length };
  progress.set(importId, state);
  try {
    const createdIds: string[] = [];
    const committed = await inTransaction(db, async (tx) => {
      // One import commits at a time, so the duplicate check below cannot race another import.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('directory.import_commit'))`);
      const duplicates = await existingDuplicates(tx, rows);
      if (duplicates.length > 0) throw new RowsRefused(duplicates);
      const ids = await insertListedOrganisations(
        tx,
        rows.map((r) => r.organisation),
        { referee: `import:${current.fileName}`, audit: ctx.audit, auditEach: false },
      );
      createdIds.push(...ids);
      for (const [index, id] of ids.entries()) {
        await storeProfile(tx, id, rows[index]!.profile, { personId, audit: ctx.audit, record: false });
        state.processed = index + 1;
      }
      // Audited after every row is written: the audit trail's lock (one writer at a time, platform-wide) is then
      // held for these inserts only, not for the whole import.
      for (const [index, id] of ids.entries()) {
        await recordAudit(
          tx,
          {
            action: 'directory.organisation_imported',
            objectType: 'organisation',
            objectId: id,
            organisationId: id,
            details: { importId, countries: rows[index]!.organisation.countries },
          },
          ctx.audit,
        );
      }
      await recordAudit(
        tx,
        {
          action: 'directory.organisations_imported',
          objectType: 'directory_import',
          objectId: importId,
          details: { importId, created: ids.length },
        },
        ctx.audit,
      );
      const [row] = await tx
        .update(directoryImports)
        .set({
          status: 'committed',
          processedRows: ids.length,
          rows: null,
          report: { ...report, counts: { ...report.counts, created: ids.length } },
          expiresAt: new Date(Date.now() + resultLifetimeMs),
          updatedAt: new Date(),
        })
        .where(eq(directoryImports.id, importId))
        .returning();
      return row!;
    });
    // The importer's next search in this process finds them (other processes: the database's notification).
    directorySearchOf(ctx.kernel).invalidate(createdIds);
    return presentImport(ctx, committed);
  } catch (error) {
    const issues: StoredIssue[] =
      error instanceof RowsRefused
        ? error.issues
        : [{ row: 0, field: null, code: 'directory.import_commit_failed' }];
    if (!(error instanceof RowsRefused))
      ctx.kernel.log.error({ err: error, importId }, 'import commit failed');
    await inTransaction(db, (tx) =>
      tx
        .update(directoryImports)
        .set({
          status: 'failed',
          rows: null,
          report: {
            ...report,
            counts: {
              ...report.counts,
              issues: issues.length,
              invalid: new Set(issues.map((i) => i.row)).size,
            },
            issues: issues.slice(0, maxReportedIssues),
            truncated: issues.length > maxReportedIssues,
          },
          expiresAt: new Date(Date.now() + resultLifetimeMs),
          updatedAt: new Date(),
        })
        .where(eq(directoryImports.id, importId)),
    );
    throw new AppError('conflict', { cause: error });
  } finally {
    progress.delete(importId);
  }
}

/** An import as the API shows it, its report in the reader's language. */
function presentImport(
  ctx: Ctx,
  row: ImportRow,
  live: { processed: number; total: number } | undefined = progress.get(row.id),
): DirectoryImport {
  const t = translator(ctx.language);
  const report = row.report as StoredReport;
  const status = row.status as ImportStatus;
  const headerOf = (field: ImportField | null) =>
    field ? (report.columns.find((c) => c.field === field)?.header ?? null) : null;
  return {
    id: row.id,
    fileName: row.fileName,
    format: report.format,
    status,
    columns: report.columns,
    counts: report.counts,
    report: report.issues.map((issue) => ({
      row: issue.row,
      column: headerOf(issue.field),
      field: issue.field,
      code: issue.code,
      message: t(`validation.${issue.code}`, { ...issue.params, defaultValue: t('validation.invalid') }),
    })),
    reportTruncated: report.truncated,
    progress: live ?? { processed: row.processedRows, total: row.totalRows },
    canCommit: status === 'checked' && report.counts.issues === 0 && row.rows !== null,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  };
}
