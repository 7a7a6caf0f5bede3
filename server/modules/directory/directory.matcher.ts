import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../kernel/db/types.js';
import { distanceKm } from './directory.gazetteer.js';
import type { AgeBand, Gender, Population } from './directory.vocabulary.js';

/**
 * The matcher behind "find support for a case": which organisations fit a described need, ranked, with
 * the reasons why. It reads only the members' search rows (what any member may see of a profile) and the
 * organisations' vetting; it stores nothing. SECURITY: a need never names or describes a person.
 */

/** A described need, resolved to codes and a point. */
export interface MatchNeed {
  country: string;
  /** GeoNames admin1 code, or null. */
  region: string | null;
  /** Where help is needed: a gazetteer place, else the centre of the region or country; null if unknown. */
  point: { latitude: number; longitude: number } | null;
  services: readonly string[];
  /** Populations named beyond what gender and age band imply (migrant workers, fishers …). */
  populations: readonly string[];
  gender: Gender;
  ageBand: AgeBand;
  languages: readonly string[];
  exploitationTypes: readonly string[];
}

/** An organisation as the matcher sees it: its members' search row and its vetting. */
export interface Candidate {
  organisationId: string;
  name: string;
  type: string;
  tier: string | null;
  tags: readonly string[];
  latitude: number | null;
  longitude: number | null;
}

/** One ranked organisation: a score out of 100 (how much of the need it covers) and why. */
export interface Match {
  organisationId: string;
  name: string;
  type: string;
  tier: string | null;
  score: number;
  /** Machine-readable reasons (`code` or `code:value`); the web translates them. */
  reasons: string[];
  distanceKm: number | null;
  /** The needed services this organisation offers. */
  services: string[];
}

/**
 * Every reason code the matcher gives. Values follow a colon: `offers_some_services:2/3`,
 * `serves_some_populations:1/2`, `speaks_language:sw`, `within_km:37`, `works_on_exploitation:ForcedLabour`.
 */
export const reasonCodes = [
  'offers_all_services',
  'offers_some_services',
  'serves_population',
  'serves_some_populations',
  'speaks_language',
  'works_in_region',
  'works_in_country',
  'within_km',
  'verified_frontline',
  'verified',
  'works_on_exploitation',
] as const;
export type ReasonCode = (typeof reasonCodes)[number];

/** How much each part of the need weighs; parts the need does not ask about are left out of the total. */
const weights = {
  services: 40,
  population: 20,
  language: 15,
  distance: 15,
  area: 10,
  tier: 8,
  exploitation: 7,
} as const;

const childBands: Partial<Record<AgeBand, Population>> = {
  '0_5': 'children_0_5',
  '6_11': 'children_6_11',
  '12_17': 'children_12_17',
};

/**
 * The populations a gender and age band fall into, any one of which fits (a 14-year-old girl is served
 * by a service for girls or for children aged 12–17). Empty when neither is known.
 */
export function impliedPopulations(gender: Gender, ageBand: AgeBand): Population[] {
  const out: Population[] = [];
  const child = childBands[ageBand];
  if (child) {
    out.push(child);
    if (gender === 'female') out.push('girls');
    if (gender === 'male') out.push('boys');
  } else {
    if (ageBand === '18_24') out.push('young_adults_18_24');
    if (gender === 'female') out.push('women');
    if (gender === 'male') out.push('men');
  }
  if (gender === 'non_binary') out.push('lgbtqi');
  return out;
}

/** Points for distance: full within a town, nothing beyond about a day's travel. */
function distancePoints(km: number): number {
  if (km <= 25) return weights.distance;
  if (km <= 100) return 12;
  if (km <= 250) return 9;
  if (km <= 500) return 6;
  if (km <= 1000) return 3;
  return 0;
}

/** The farthest an organisation may be to earn a `within_km` reason. */
const reasonRadiusKm = 1000;

const tierRank = (tier: string | null) =>
  tier === 'verified_frontline' ? 2 : tier === 'verified' || tier === 'law_enforcement_verified' ? 1 : 0;

/** Scores one candidate against a need (pure: the unit tests and the ranking use it alike). */
export function scoreCandidate(need: MatchNeed, candidate: Candidate): Match {
  const tags = new Set(candidate.tags);
  const has = (prefix: string, value: string) => tags.has(`${prefix}:${value}`);
  const reasons: string[] = [];
  let points = 0;
  let possible = 0;

  // Services: the heart of the need, in proportion to how many of them are offered.
  const offered = need.services.filter((s) => has('service', s));
  possible += weights.services;
  if (need.services.length > 0) {
    points += (weights.services * offered.length) / need.services.length;
    if (offered.length === need.services.length) reasons.push('offers_all_services');
    else if (offered.length > 0)
      reasons.push(`offers_some_services:${offered.length}/${need.services.length}`);
  }

  // Population: the implied populations count as one requirement (any of them fits), each named one as another.
  const implied = impliedPopulations(need.gender, need.ageBand);
  const requirements: string[][] = [
    ...(implied.length ? [implied] : []),
    ...need.populations.filter((p) => !implied.includes(p as Population)).map((p) => [p]),
  ];
  if (requirements.length > 0) {
    possible += weights.population;
    const met = requirements.filter((any) => any.some((p) => has('population', p))).length;
    points += (weights.population * met) / requirements.length;
    if (met === requirements.length) reasons.push('serves_population');
    else if (met > 0) reasons.push(`serves_some_populations:${met}/${requirements.length}`);
  }

  if (need.languages.length > 0) {
    possible += weights.language;
    const spoken = need.languages.filter((l) => has('language', l));
    if (spoken.length > 0) points += weights.language;
    for (const language of spoken) reasons.push(`speaks_language:${language}`);
  }

  let distance: number | null = null;
  if (need.point) {
    possible += weights.distance;
    if (candidate.latitude !== null && candidate.longitude !== null) {
      distance = distanceKm(need.point, { latitude: candidate.latitude, longitude: candidate.longitude });
      points += distancePoints(distance);
      if (distance <= reasonRadiusKm) reasons.push(`within_km:${Math.max(1, Math.ceil(distance))}`);
    }
  }

  possible += weights.area;
  if (need.region && has('region', need.region)) {
    points += weights.area;
    reasons.push('works_in_region');
  } else if (has('country', need.country)) {
    points += 7;
    reasons.push('works_in_country');
  }

  possible += weights.tier;
  const rank = tierRank(candidate.tier);
  if (rank === 2) {
    points += weights.tier;
    reasons.push('verified_frontline');
  } else if (rank === 1) {
    points += 5;
    reasons.push('verified');
  }

  if (need.exploitationTypes.length > 0) {
    possible += weights.exploitation;
    const known = need.exploitationTypes.filter((e) => has('exploitation', e));
    if (known.length > 0) points += weights.exploitation;
    for (const type of known) reasons.push(`works_on_exploitation:${type}`);
  }

  return {
    organisationId: candidate.organisationId,
    name: candidate.name,
    type: candidate.type,
    tier: candidate.tier,
    score: Math.round((100 * points) / possible),
    reasons,
    distanceKm: distance === null ? null : Math.round(distance * 10) / 10,
    services: offered,
  };
}

/** Best first: score, then nearer, then better vetted, then by name (stable for equal candidates). */
export function compareMatches(a: Match, b: Match): number {
  return (
    b.score - a.score ||
    (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) ||
    tierRank(b.tier) - tierRank(a.tier) ||
    a.name.localeCompare(b.name) ||
    a.organisationId.localeCompare(b.organisationId)
  );
}

/** Scores and ranks candidates; only those offering at least one needed service are kept. */
export function rankCandidates(need: MatchNeed, candidates: readonly Candidate[], limit: number): Match[] {
  return candidates
    .map((candidate) => scoreCandidate(need, candidate))
    .filter((match) => match.services.length > 0)
    .sort(compareMatches)
    .slice(0, limit);
}

const textArray = (values: readonly string[]): SQL =>
  values.length === 0
    ? sql`'{}'::text[]`
    : sql`array[${sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[]`;

/** A latitude/longitude box around a point, wide enough to hold everything within `km` (a cheap pre-filter). */
function nearSql(point: { latitude: number; longitude: number }, km: number): SQL {
  const dLat = km / 111;
  const minLat = point.latitude - dLat;
  const maxLat = point.latitude + dLat;
  const cos = Math.cos((point.latitude * Math.PI) / 180);
  // Near the poles a degree of longitude is tiny: take every longitude rather than divide by almost zero.
  if (cos < 0.1 || maxLat > 89 || minLat < -89) return sql`e.latitude between ${minLat} and ${maxLat}`;
  const dLng = dLat / cos;
  const west = point.longitude - dLng;
  const east = point.longitude + dLng;
  const lng =
    dLng >= 180
      ? sql`true`
      : west < -180
        ? sql`(e.longitude >= ${west + 360} or e.longitude <= ${east})`
        : east > 180
          ? sql`(e.longitude >= ${west} or e.longitude <= ${east - 360})`
          : sql`e.longitude between ${west} and ${east}`;
  return sql`(e.latitude between ${minLat} and ${maxLat} and ${lng})`;
}

/** How many candidates at most are scored per request: enough for any country, bounded for the CPU. */
const candidateCap = 1000;

interface CandidateRow {
  organisation_id: string;
  name: string;
  type: string;
  tier: string | null;
  tags: string[];
  latitude: number | null;
  longitude: number | null;
}

/**
 * Loads the candidates for a need: active organisations whose members' row offers at least one needed
 * service and that work in the need's country or near its point (`onlyOrganisationIds`: exactly those,
 * whatever they offer). The requesting organisation is never a candidate for its own need.
 */
export async function loadCandidates(
  db: Queryable,
  need: MatchNeed,
  options: { excludeOrganisationId: string | null; onlyOrganisationIds?: readonly string[] },
): Promise<Candidate[]> {
  const conditions: SQL[] = [sql`e.audience = 'members'`, sql`o.status = 'active'`];
  if (options.excludeOrganisationId)
    conditions.push(sql`e.organisation_id <> ${options.excludeOrganisationId}::uuid`);
  let order = sql`e.organisation_id`;
  if (options.onlyOrganisationIds) {
    if (options.onlyOrganisationIds.length === 0) return [];
    conditions.push(
      sql`e.organisation_id in (${sql.join(
        options.onlyOrganisationIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );
  } else {
    // Pre-filter with the tags' GIN index, then score in TypeScript (ARCHITECTURE §8: cap before ranking).
    conditions.push(sql`e.tags && ${textArray(need.services.map((s) => `service:${s}`))}`);
    const area = [`country:${need.country}`, ...(need.region ? [`region:${need.region}`] : [])];
    conditions.push(
      need.point
        ? sql`(e.tags && ${textArray(area)} or ${nearSql(need.point, reasonRadiusKm)})`
        : sql`e.tags && ${textArray(area)}`,
    );
    // Past the cap, keep those sharing the most tags with the need.
    const wanted = [
      ...need.services.map((s) => `service:${s}`),
      ...area,
      ...need.languages.map((l) => `language:${l}`),
      ...[...impliedPopulations(need.gender, need.ageBand), ...need.populations].map(
        (p) => `population:${p}`,
      ),
      ...need.exploitationTypes.map((x) => `exploitation:${x}`),
    ];
    order = sql`(select count(*) from unnest(e.tags) t where t = any(${textArray(wanted)})) desc, e.organisation_id`;
  }
  const rows = await queryRows<CandidateRow>(
    db,
    sql`select e.organisation_id, e.name, o.type, o.tier, e.tags, e.latitude, e.longitude
        from directory_search_entries e
        join identity_organisations o on o.id = e.organisation_id
        where ${sql.join(conditions, sql` and `)}
        order by ${order}
        limit ${candidateCap}`,
  );
  return rows.map((r) => ({
    organisationId: r.organisation_id,
    name: r.name,
    type: r.type,
    tier: r.tier,
    tags: r.tags,
    latitude: r.latitude === null ? null : Number(r.latitude),
    longitude: r.longitude === null ? null : Number(r.longitude),
  }));
}

/** The best-fitting organisations for a need, best first, at most `limit`. */
export async function matchOrganisations(
  db: Queryable,
  need: MatchNeed,
  options: { excludeOrganisationId: string | null; limit: number },
): Promise<Match[]> {
  const candidates = await loadCandidates(db, need, { excludeOrganisationId: options.excludeOrganisationId });
  return rankCandidates(need, candidates, options.limit);
}
