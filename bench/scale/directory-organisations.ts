import { placeById } from '../../server/modules/directory/directory.gazetteer.js';
import { buildEntries, type EntryRow } from '../../server/modules/directory/directory.search-entries.js';
import { syntheticOrganisation } from '../../server/modules/directory/directory.synthetic.js';
import type { ScaleGenerator } from './generators.js';
import type { Rng } from './prng.js';
import type { SqlClient } from './sql.js';

/**
 * `directory_organisations`: the directory at scale. The same synthetic organisations as the demo (its
 * generator, another seed), written straight into Cairn's tables: identity's listed organisations, the
 * directory's profiles and offices, and the search rows built by the directory's own `buildEntries`, with
 * each document turned into a tsvector by PostgreSQL exactly as `writeEntries` does. Cairn's migrations must
 * have run on the database first (start Cairn once).
 */

/** "Now" for the generated rows: fixed, so the same seed gives the same rows on every run. */
export const directoryEpoch = Date.UTC(2026, 0, 1);
const dayMs = 86_400_000;
const batchSize = 1_000;

/** A version-4-shaped UUID from the stream: deterministic ids, so rows can refer to each other before insert. */
export function uuidFrom(rng: Rng): string {
  const hex = [rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()]
    .map((n) => n.toString(16).padStart(8, '0'))
    .join('');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One batch's rows for each table, as JSON records (inserted through jsonb_to_recordset). */
export interface DirectoryBatch {
  organisations: Record<string, unknown>[];
  profiles: Record<string, unknown>[];
  offices: Record<string, unknown>[];
  entries: Array<Omit<EntryRow, 'updatedAt'> & { updatedAt: string }>;
}

/** Generates organisations [start, end) of the synthetic directory for `seed`, with ids from `rng`. */
export function directoryBatch(seed: number, start: number, end: number, rng: Rng): DirectoryBatch {
  const batch: DirectoryBatch = { organisations: [], profiles: [], offices: [], entries: [] };
  for (let index = start; index < end; index++) {
    const { organisation, profile, updatedDaysAgo } = syntheticOrganisation(seed, index);
    const id = uuidFrom(rng);
    const updatedAt = directoryEpoch - updatedDaysAgo * dayMs;
    const tier = organisation.tier ?? null;
    batch.organisations.push({
      id,
      name: organisation.name,
      type: organisation.type,
      countries: organisation.countries,
      website: organisation.website ?? null,
      referee: 'benchmark data',
      status: 'active',
      tier,
      verified_at: tier ? iso(directoryEpoch) : null,
      // Far ahead, so no tier expires (and no reminder job runs) while a benchmark measures.
      tier_expires_at: tier ? iso(directoryEpoch + 5 * 365 * dayMs) : null,
      created_at: iso(updatedAt),
      updated_at: iso(updatedAt),
    });
    const { offices: officeInputs, ...fields } = profile;
    batch.profiles.push({
      organisation_id: id,
      other_names: fields.otherNames,
      descriptions: fields.descriptions,
      focus: fields.focus,
      services: fields.services,
      populations: fields.populations,
      exploitation_types: fields.exploitationTypes,
      industries: fields.industries,
      countries: fields.countries,
      regions: fields.regions,
      languages: fields.languages,
      hotlines: fields.hotlines,
      networks: fields.networks,
      website: fields.website,
      contacts: fields.contacts,
      visibility: fields.visibility,
      listed: fields.listed,
      hide_exact_location: fields.hideExactLocation,
      created_at: iso(updatedAt),
      updated_at: iso(updatedAt),
    });
    const offices = officeInputs.map((office) => {
      const place = placeById(office.placeId);
      if (!place) throw new Error(`synthetic office on unknown place ${office.placeId}`);
      return { office, place };
    });
    offices.forEach(({ office, place }, i) =>
      batch.offices.push({
        id: uuidFrom(rng),
        organisation_id: id,
        label: office.label,
        place_name: place.name,
        country: place.country,
        region: place.region,
        latitude: place.latitude,
        longitude: place.longitude,
        street: office.street,
        postal_code: office.postalCode,
        phone: office.phone,
        is_main: office.isMain,
        // A millisecond apart: offices are read back in creation order.
        created_at: iso(updatedAt + i),
        updated_at: iso(updatedAt + i),
      }),
    );
    const entries = buildEntries({
      organisationId: id,
      name: organisation.name,
      type: organisation.type,
      active: true,
      tier,
      otherNames: fields.otherNames,
      descriptions: fields.descriptions,
      focus: fields.focus,
      services: fields.services,
      populations: fields.populations,
      exploitationTypes: fields.exploitationTypes,
      industries: fields.industries,
      countries: fields.countries,
      regions: fields.regions,
      languages: fields.languages,
      networks: fields.networks,
      visibility: fields.visibility,
      listed: fields.listed,
      hideExactLocation: fields.hideExactLocation,
      offices: offices.map(({ office, place }) => ({
        placeName: place.name,
        country: place.country,
        region: place.region,
        latitude: place.latitude,
        longitude: place.longitude,
        isMain: office.isMain,
      })),
      updatedAt: new Date(updatedAt),
    });
    for (const entry of entries) batch.entries.push({ ...entry, updatedAt: iso(updatedAt) });
  }
  return batch;
}

const organisationsSql = `insert into identity_organisations
  (id, name, type, countries, website, referee, status, tier, verified_at, tier_expires_at, created_at, updated_at)
  select id, name, type, countries, website, referee, status, tier, verified_at, tier_expires_at, created_at, updated_at
  from jsonb_to_recordset($1::jsonb) as r(id uuid, name text, type text, countries text[], website text,
    referee text, status text, tier text, verified_at timestamptz, tier_expires_at timestamptz,
    created_at timestamptz, updated_at timestamptz)`;

const profilesSql = `insert into directory_profiles
  (organisation_id, other_names, descriptions, focus, services, populations, exploitation_types, industries,
   countries, regions, languages, hotlines, networks, website, contacts, visibility, listed, hide_exact_location,
   created_at, updated_at)
  select organisation_id, other_names, descriptions, focus, services, populations, exploitation_types, industries,
   countries, regions, languages, hotlines, networks, website, contacts, visibility, listed, hide_exact_location,
   created_at, updated_at
  from jsonb_to_recordset($1::jsonb) as r(organisation_id uuid, other_names text[], descriptions jsonb,
    focus text[], services text[], populations text[], exploitation_types text[], industries text[],
    countries text[], regions text[], languages text[], hotlines jsonb, networks text[], website text,
    contacts jsonb, visibility jsonb, listed boolean, hide_exact_location boolean, created_at timestamptz,
    updated_at timestamptz)`;

const officesSql = `insert into directory_offices
  (id, organisation_id, label, place_name, country, region, latitude, longitude, street, postal_code, phone,
   is_main, created_at, updated_at)
  select id, organisation_id, label, place_name, country, region, latitude, longitude, street, postal_code, phone,
   is_main, created_at, updated_at
  from jsonb_to_recordset($1::jsonb) as r(id uuid, organisation_id uuid, label text, place_name text,
    country text, region text, latitude float8, longitude float8, street text, postal_code text, phone text,
    is_main boolean, created_at timestamptz, updated_at timestamptz)`;

/**
 * The search rows' insert. A document is a list of weighted parts, each in its own text-search
 * configuration; PostgreSQL concatenates `setweight(to_tsvector(config, text), weight)` of every part in
 * order, as `documentSql` does (a missing part adds an empty tsvector, which shifts no position). The SQL
 * has one slot per part, so it depends on the longest document of the batch, never on a value.
 */
export function entriesSql(parts: number): string {
  const slot = (i: number) =>
    `coalesce(setweight(to_tsvector((r.document->${i}->>'config')::regconfig, r.document->${i}->>'text'), ` +
    `(r.document->${i}->>'weight')::"char"), ''::tsvector)`;
  const document =
    parts === 0 ? `''::tsvector` : Array.from({ length: parts }, (_, i) => slot(i)).join(' || ');
  return `insert into directory_search_entries
    (organisation_id, audience, active, tier, type, name, names_folded, document, tags, countries, regions,
     summaries, latitude, longitude, updated_at)
    select r."organisationId", r.audience, r.active, r.tier, r.type, r.name, r."namesFolded", ${document},
      r.tags, r.countries, r.regions, r.summaries, r.latitude, r.longitude, r."updatedAt"
    from jsonb_to_recordset($1::jsonb) as r("organisationId" uuid, audience text, active boolean, tier text,
      type text, name text, "namesFolded" text, document jsonb, tags text[], countries text[], regions text[],
      summaries jsonb, latitude float8, longitude float8, "updatedAt" timestamptz)`;
}

/** Writes one batch, table after table (the foreign keys need that order), in one transaction. */
async function writeBatch(db: SqlClient, batch: DirectoryBatch): Promise<void> {
  const parts = batch.entries.reduce((max, e) => Math.max(max, e.document.length), 0);
  await db.query('begin');
  try {
    await db.query(organisationsSql, [JSON.stringify(batch.organisations)]);
    await db.query(profilesSql, [JSON.stringify(batch.profiles)]);
    if (batch.offices.length > 0) await db.query(officesSql, [JSON.stringify(batch.offices)]);
    await db.query(entriesSql(parts), [JSON.stringify(batch.entries)]);
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}

/** The search table's secondary (GIN) indexes: dropped for the load and built again after, which is faster. */
async function searchIndexes(db: SqlClient): Promise<Array<{ name: string; definition: string }>> {
  return db.query<{ name: string; definition: string }>(
    `select indexname as name, indexdef as definition from pg_indexes
      where schemaname = current_schema() and tablename = 'directory_search_entries'
        and indexdef ilike '% using gin %'`,
  );
}

/** Fills Cairn's directory with `count` synthetic organisations; returns how many. */
export async function generateDirectoryOrganisations(
  db: SqlClient,
  count: number,
  rng: Rng,
  options: {
    onBatch?: (done: number) => void;
    /** From this many organisations on, the search indexes are dropped and rebuilt after the load. */
    rebuildIndexesFrom?: number;
  } = {},
): Promise<number> {
  const { onBatch, rebuildIndexesFrom = 5_000 } = options;
  const [tables] = await db.query<{ found: string | null }>(
    `select to_regclass('directory_search_entries')::text as found`,
  );
  if (!tables?.found) {
    throw new Error(
      'directory_organisations fills Cairn’s own tables: start Cairn once on this database (it runs the ' +
        'migrations), stop it, then generate',
    );
  }
  const seed = rng.uint32();
  if (db.kind === 'postgresql') await db.exec(`set maintenance_work_mem = '256MB'`);
  const indexes = count >= rebuildIndexesFrom ? await searchIndexes(db) : [];
  for (const index of indexes) await db.exec(`drop index ${index.name}`);
  // The next batch is generated while PostgreSQL (another process) writes this one.
  let inFlight: Promise<void> | undefined;
  try {
    for (let start = 0; start < count; start += batchSize) {
      const end = Math.min(count, start + batchSize);
      const batch = directoryBatch(seed, start, end, rng);
      await inFlight;
      inFlight = writeBatch(db, batch).then(() => onBatch?.(end));
    }
    await inFlight;
  } catch (error) {
    // Don't leave a rejected write unobserved when generating the next batch was what failed.
    await inFlight?.catch(() => undefined);
    throw error;
  } finally {
    // Rebuilt even after a failure, so the database is never left without its search indexes.
    for (const index of indexes) await db.exec(index.definition);
  }
  await db.exec(
    'analyze identity_organisations; analyze directory_profiles; analyze directory_offices; analyze directory_search_entries',
  );
  return count;
}

export const directoryOrganisationsGenerator: ScaleGenerator = {
  name: 'directory_organisations',
  description: 'listed organisations with directory profiles, offices and search rows (Cairn’s tables)',
  async create(db, preset, rng) {
    const rows = await generateDirectoryOrganisations(db, preset.directoryOrganisations, rng);
    return { rows };
  },
};
