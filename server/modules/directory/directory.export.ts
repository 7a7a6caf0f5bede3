import { and, eq, inArray } from 'drizzle-orm';
import { stringify } from 'csv-stringify/sync';
import { recordAudit } from '../../kernel/audit/audit.js';
import type { Ctx } from '../../kernel/context.js';
import { inTransaction } from '../../kernel/db/transaction.js';
import { AppError } from '../../kernel/http/errors.js';
import type { OrganisationType } from '../identity/index.js';
import type { ExportFormat, ExportQuery } from './directory.import.schemas.js';
import { readerOf, searchAudience } from './directory.policy.js';
import type { Profile } from './directory.profiles.schemas.js';
import { loadProfiles, presentProfile } from './directory.profiles.service.js';
import { searchOrganisations } from './directory.search.service.js';
import { directoryPartners } from './directory.tables.js';
import './directory.audit.js';

/** The most organisations one export holds: a directory extract, not a way to copy the platform. */
export const maxExportRows = 5_000;
const pageSize = 100;

/** Cairn's organisation types as HTCDS v2 `org_Type` values; types HTCDS has no value for stay empty. */
export const htcdsOrganisationTypes: Record<OrganisationType, string> = {
  ngo: 'NGO',
  law_enforcement: 'LawEnforcement',
  central_government: 'CentralGovernmentOrganisation',
  local_government: 'LocalGovernmentOrganisation',
  health: 'HealthServiceOrganisation',
  immigration: 'ImmigrationService',
  legal: 'LegalService',
  corporate: 'CorporateBusiness',
  academic: 'SchoolOrCollege',
  // Survivor-led and faith-based organisations are non-governmental; an IGO is none of HTCDS's types.
  survivor_led: 'NGO',
  faith_based: 'NGO',
  igo: '',
};

/** The columns of a Cairn CSV export: the import's field names first, so an export can be imported again. */
const csvColumns = [
  'name',
  'type',
  'countries',
  'otherNames',
  'website',
  'description',
  'descriptionLanguage',
  'services',
  'populations',
  'exploitationTypes',
  'focus',
  'industries',
  'languages',
  'regions',
  'networks',
  'city',
  'officeCountry',
  'street',
  'postalCode',
  'phone',
  'email',
  'latitude',
  'longitude',
  'tier',
  'organisationId',
  'updatedAt',
] as const;

/** The HTCDS v2 organisation record fields (shared/data/htcds/htcds_v2_field_standards.csv, section Organization). */
const htcdsColumns = [
  'org_Name',
  'org_Type',
  'org_ShippingStreet',
  'org_ShippingCity',
  'org_ShippingState',
  'org_ShippingPostalCode',
  'org_ShippingCountry',
  'org_ShippingLatitude',
  'org_ShippingLongitude',
  'org_Phone',
] as const;

/**
 * SECURITY: a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
 * prefixed with `'` so it stays text (CSV injection). Plain numbers (coordinates, E.164 phones) cannot call
 * anything and are left as they are.
 */
export function safeCell(value: string): string {
  if (/^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value)) return `'${value}`;
  return value;
}

const list = (values: readonly string[] | undefined) => (values ?? []).join('; ');
const number = (value: number | null | undefined) =>
  value === null || value === undefined ? '' : String(value);

/** The office an export describes: the main one, else the first (only those the reader may see). */
function mainOffice(profile: Profile) {
  return profile.offices?.find((office) => office.isMain) ?? profile.offices?.[0] ?? null;
}

/** One Cairn CSV record of a profile, from exactly what presentProfile let the reader see. */
function csvRecord(profile: Profile): Record<(typeof csvColumns)[number], string> {
  const office = mainOffice(profile);
  const description = profile.descriptions?.[0];
  const contact = profile.contacts?.[0];
  return {
    name: profile.name,
    type: profile.type,
    countries: list(profile.countries),
    otherNames: list(profile.otherNames),
    website: profile.website ?? '',
    description: description?.short ?? '',
    descriptionLanguage: description?.language ?? '',
    services: list(profile.services),
    populations: list(profile.populations),
    exploitationTypes: list(profile.exploitationTypes),
    focus: list(profile.focus),
    industries: list(profile.industries),
    languages: list(profile.languages),
    regions: list(profile.regions?.map((region) => region.code)),
    networks: list(profile.networks),
    // A hidden location leaves the place, street and point null: the export then names the country only.
    city: office?.placeName ?? '',
    officeCountry: office?.country ?? '',
    street: office?.street ?? '',
    postalCode: office?.postalCode ?? '',
    phone: office?.phone ?? contact?.phone ?? '',
    email: contact?.email ?? '',
    latitude: number(office?.latitude),
    longitude: number(office?.longitude),
    tier: profile.tier ?? '',
    organisationId: profile.organisationId,
    updatedAt: profile.updatedAt,
  };
}

/** One HTCDS `org_` record of a profile. */
function htcdsRecord(profile: Profile): Record<(typeof htcdsColumns)[number], string> {
  const office = mainOffice(profile);
  return {
    org_Name: profile.name,
    org_Type: htcdsOrganisationTypes[profile.type],
    org_ShippingStreet: office?.street ?? '',
    org_ShippingCity: office?.placeName ?? '',
    org_ShippingState: office?.regionName ?? '',
    org_ShippingPostalCode: office?.postalCode ?? '',
    org_ShippingCountry: office?.country ?? profile.countries?.[0] ?? '',
    org_ShippingLatitude: number(office?.latitude),
    org_ShippingLongitude: number(office?.longitude),
    org_Phone: office?.phone ?? profile.contacts?.find((c) => c.phone)?.phone ?? '',
  };
}

/** The organisations of a search, up to the cap, as the caller may see them in it (in search order). */
async function visibleProfiles(ctx: Ctx, query: ExportQuery): Promise<Profile[]> {
  const ids: string[] = [];
  const { format: _format, ...filters } = query;
  for (let page = 1; ids.length < maxExportRows; page++) {
    // SECURITY: the lead's search decides what exists for this caller; the export never widens it.
    const result = await searchOrganisations(ctx, {
      ...filters,
      sort: filters.q ? 'relevance' : 'name',
      page,
      pageSize,
    });
    ids.push(...result.items.map((item) => item.organisationId));
    if (result.items.length < pageSize || page * pageSize >= result.total) break;
  }
  const wanted = ids.slice(0, maxExportRows);
  const actor = ctx.actor.kind === 'person' && ctx.actor.level === 'full' ? ctx.actor : null;
  const readerOrganisation = actor?.membership?.organisationId ?? null;
  const db = ctx.kernel.database.db;
  const profiles: Profile[] = [];
  for (let i = 0; i < wanted.length; i += pageSize) {
    const batch = wanted.slice(i, i + pageSize);
    const stored = await loadProfiles(db, batch);
    const partnerOf = new Set(
      readerOrganisation
        ? (
            await db
              .select({ id: directoryPartners.organisationId })
              .from(directoryPartners)
              .where(
                and(
                  inArray(directoryPartners.organisationId, batch),
                  eq(directoryPartners.partnerOrganisationId, readerOrganisation),
                ),
              )
          ).map((r) => r.id)
        : [],
    );
    const byId = new Map(stored.map((s) => [s.organisation.id, s]));
    for (const id of batch) {
      const s = byId.get(id);
      // Search only lists active organisations; one suspended since is left out rather than shown.
      if (!s || s.organisation.status !== 'active') continue;
      // SECURITY: presentProfile drops every field this reader may not see and, for a hidden location,
      // the place, street and coordinates of the offices.
      profiles.push(presentProfile(ctx, s, readerOf(ctx.actor, id, partnerOf.has(id))));
    }
  }
  return profiles;
}

/** An export file: its name, media type and content. */
export interface ExportFile {
  fileName: string;
  contentType: string;
  body: string;
  count: number;
}

/**
 * Exports the organisations a search finds (members and platform staff only), as Cairn CSV or as HTCDS v2
 * `org_` records, with only the fields the caller may see. Audited with the format and the count.
 */
export async function exportDirectory(ctx: Ctx, query: ExportQuery): Promise<ExportFile> {
  if (searchAudience(ctx.actor) !== 'members') throw new AppError('forbidden');
  const profiles = await visibleProfiles(ctx, query);
  const format: ExportFormat = query.format;
  const columns = format === 'htcds' ? htcdsColumns : csvColumns;
  const records = profiles.map((profile) => {
    const record: Record<string, string> = format === 'htcds' ? htcdsRecord(profile) : csvRecord(profile);
    return columns.map((column) => safeCell(record[column] ?? ''));
  });
  // The byte order mark makes spreadsheet programs read the file as UTF-8 (names in any script).
  const body = `\ufeff${stringify(records, { header: true, columns: [...columns], record_delimiter: 'windows' })}`;
  const actor = ctx.actor.kind === 'person' ? ctx.actor : null;
  await inTransaction(ctx.kernel.database.db, (tx) =>
    recordAudit(
      tx,
      {
        action: 'directory.results_exported',
        objectType: 'directory',
        organisationId: actor?.membership?.organisationId ?? null,
        details: { format, count: profiles.length },
      },
      ctx.audit,
    ),
  );
  const date = new Date().toISOString().slice(0, 10);
  return {
    fileName: `cairn-directory-${format === 'htcds' ? 'htcds-' : ''}${date}.csv`,
    contentType: 'text/csv; charset=utf-8',
    body,
    count: profiles.length,
  };
}
