import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/types.js';
import { centreOf, fold, regionName } from './directory.gazetteer.js';
import { canSee } from './directory.policy.js';
import type { ProfileDescription } from './directory.tables.js';
import {
  profileFieldVisibilityDefaults,
  type ProfileField,
  type Visibility,
} from './directory.vocabulary.js';

/** PostgreSQL text-search configurations by ISO 639-1 code (PostgreSQL 15 and PGlite both ship these). */
const searchConfigs: Record<string, string> = {
  ar: 'arabic',
  hy: 'armenian',
  eu: 'basque',
  ca: 'catalan',
  da: 'danish',
  nl: 'dutch',
  en: 'english',
  fi: 'finnish',
  fr: 'french',
  de: 'german',
  el: 'greek',
  hi: 'hindi',
  hu: 'hungarian',
  id: 'indonesian',
  ga: 'irish',
  it: 'italian',
  lt: 'lithuanian',
  ne: 'nepali',
  no: 'norwegian',
  nb: 'norwegian',
  pt: 'portuguese',
  ro: 'romanian',
  ru: 'russian',
  sr: 'serbian',
  es: 'spanish',
  sv: 'swedish',
  ta: 'tamil',
  tr: 'turkish',
  yi: 'yiddish',
};

/** The configuration for a language; `simple` (no stemming) for languages PostgreSQL has no stemmer for. */
export function searchConfigOf(language: string): string {
  return searchConfigs[language] ?? 'simple';
}

const countryNames = ['en', 'fr', 'es', 'ar'].map(
  (language) => new Intl.DisplayNames([language], { type: 'region', fallback: 'code' }),
);

/** What the search entries are built from: the organisation (from identity) and its profile and offices. */
export interface EntrySource {
  organisationId: string;
  name: string;
  type: string;
  /** Whether the organisation is active (vetted, not suspended), and its tier. */
  active: boolean;
  tier: string | null;
  otherNames: string[];
  descriptions: ProfileDescription[];
  focus: string[];
  services: string[];
  populations: string[];
  exploitationTypes: string[];
  industries: string[];
  countries: string[];
  regions: string[];
  languages: string[];
  networks: string[];
  visibility: Record<string, string>;
  listed: boolean;
  hideExactLocation: boolean;
  offices: Array<{
    placeName: string;
    country: string;
    region: string | null;
    latitude: number;
    longitude: number;
    isMain: boolean;
  }>;
  updatedAt: Date;
}

/** One row of directory_search_entries, before the document is turned into a tsvector by PostgreSQL. */
export interface EntryRow {
  organisationId: string;
  audience: 'public' | 'members';
  active: boolean;
  tier: string | null;
  type: string;
  name: string;
  namesFolded: string;
  /** Weighted parts of the document, each in its text-search configuration. */
  document: Array<{ config: string; weight: 'A' | 'B' | 'C' | 'D'; text: string }>;
  tags: string[];
  countries: string[];
  regions: string[];
  summaries: Record<string, string>;
  latitude: number | null;
  longitude: number | null;
  updatedAt: Date;
}

/** The visibility of one field of a profile (its own setting, or the default). */
export function visibilityOf(visibility: Record<string, string>, field: ProfileField): Visibility {
  const value = visibility[field];
  return value === 'public' || value === 'members' || value === 'partners'
    ? value
    : profileFieldVisibilityDefaults[field];
}

/**
 * SECURITY: builds the search rows of one profile, one per audience, each holding only the fields that
 * audience may see. A field visible to partners only is in no row, so no search, facet or count reveals it.
 * An unlisted profile has no public row.
 */
export function buildEntries(source: EntrySource): EntryRow[] {
  const audiences: Array<'public' | 'members'> = source.listed ? ['public', 'members'] : ['members'];
  return audiences.map((audience) => {
    const reader = audience === 'public' ? 'public' : 'member';
    const visible = (field: ProfileField) => canSee(reader, visibilityOf(source.visibility, field));
    const names = [source.name, ...(visible('otherNames') ? source.otherNames : [])];
    const document: EntryRow['document'] = [];
    if (visible('descriptions')) {
      for (const d of source.descriptions) {
        const config = searchConfigOf(d.language);
        document.push({ config, weight: 'B', text: fold(d.short) });
        if (d.long) document.push({ config, weight: 'C', text: fold(d.long) });
        // Unstemmed too, so a query in another language still finds the exact words.
        if (config !== 'simple')
          document.push({ config: 'simple', weight: 'C', text: fold(`${d.short} ${d.long}`) });
      }
    }
    const places: string[] = [];
    const countries = visible('countries') ? source.countries : [];
    const regions = visible('regions') ? source.regions : [];
    const showOffices = visible('offices') && !source.hideExactLocation;
    for (const country of countries)
      for (const names of countryNames) places.push(names.of(country) ?? country);
    for (const region of regions) places.push(regionName(region) ?? '');
    if (showOffices) for (const office of source.offices) places.push(office.placeName);
    if (places.length) document.push({ config: 'simple', weight: 'D', text: fold(places.join(' ')) });
    if (visible('networks') && source.networks.length)
      document.push({ config: 'simple', weight: 'D', text: fold(source.networks.join(' ')) });

    const tags = [`type:${source.type}`];
    const add = (field: ProfileField, prefix: string, values: string[]) => {
      if (visible(field)) for (const value of values) tags.push(`${prefix}:${value}`);
    };
    add('focus', 'focus', source.focus);
    add('services', 'service', source.services);
    add('populations', 'population', source.populations);
    add('exploitationTypes', 'exploitation', source.exploitationTypes);
    add('industries', 'industry', source.industries);
    add('countries', 'country', source.countries);
    add('regions', 'region', source.regions);
    add('languages', 'language', source.languages);
    add('networks', 'network', source.networks);
    // Offices count as where the organisation works. Their country and region may be shown even when the
    // exact location is hidden (ARCHITECTURE: the map then shows only the country or region).
    if (visible('offices')) {
      for (const office of source.offices) {
        tags.push(`country:${office.country}`);
        if (office.region) tags.push(`region:${office.region}`);
      }
    }

    // The point for "near me": the main office when it may be shown, else the centre of a region or country.
    const main = showOffices ? (source.offices.find((o) => o.isMain) ?? source.offices[0]) : undefined;
    const point =
      main ??
      (regions[0] ? centreOf({ country: regions[0].slice(0, 2), region: regions[0] }) : null) ??
      (countries[0] ? centreOf({ country: countries[0] }) : null);
    const uniqueTags = [...new Set(tags)];
    const valuesOf = (prefix: string) =>
      uniqueTags.filter((tag) => tag.startsWith(prefix)).map((tag) => tag.slice(prefix.length));
    return {
      organisationId: source.organisationId,
      audience,
      active: source.active,
      tier: source.tier,
      type: source.type,
      name: source.name,
      namesFolded: fold(names.join(' | ')),
      document,
      tags: uniqueTags,
      countries: valuesOf('country:'),
      regions: valuesOf('region:'),
      summaries: visible('descriptions')
        ? Object.fromEntries(source.descriptions.map((d) => [d.language, d.short]))
        : {},
      latitude: point?.latitude ?? null,
      longitude: point?.longitude ?? null,
      updatedAt: source.updatedAt,
    };
  });
}

/** The SQL of a row's document: the weighted parts, concatenated. */
export function documentSql(parts: EntryRow['document']): SQL {
  if (parts.length === 0) return sql`''::tsvector`;
  return sql.join(
    parts.map((p) => sql`setweight(to_tsvector(${p.config}::regconfig, ${p.text}), ${p.weight}::"char")`),
    sql` || `,
  );
}

function textArray(values: string[]): SQL {
  return values.length === 0
    ? sql`'{}'::text[]`
    : sql`array[${sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[]`;
}

/** Replaces the search rows of these organisations (in the caller's transaction: the rows change with the profile). */
export async function writeEntries(tx: Tx, organisationIds: string[], rows: EntryRow[]): Promise<void> {
  if (organisationIds.length === 0) return;
  await tx.execute(
    sql`delete from directory_search_entries where organisation_id in (${sql.join(
      organisationIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`,
  );
  for (let i = 0; i < rows.length; i += 200) {
    const batch = rows.slice(i, i + 200);
    await tx.execute(sql`insert into directory_search_entries
      (organisation_id, audience, active, tier, type, name, names_folded, document, tags, countries, regions,
       summaries, latitude, longitude, updated_at)
      values ${sql.join(
        batch.map(
          (r) => sql`(${r.organisationId}::uuid, ${r.audience}, ${r.active}, ${r.tier}, ${r.type}, ${r.name},
            ${r.namesFolded}, ${documentSql(r.document)}, ${textArray(r.tags)}, ${textArray(r.countries)},
            ${textArray(r.regions)}, ${JSON.stringify(r.summaries)}::jsonb, ${r.latitude}, ${r.longitude},
            ${r.updatedAt.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      )}`);
  }
}
