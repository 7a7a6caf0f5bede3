import { sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../kernel/context.js';
import { queryRows } from '../../kernel/db/types.js';
import { AppError } from '../../kernel/http/errors.js';
import { fold, placeById, regionName } from './directory.gazetteer.js';
import { searchAudience } from './directory.policy.js';
import { queryConfigs } from './directory.search-entries.js';
import {
  facetNames,
  type DirectoryFilters,
  type FacetName,
  type MapResult,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from './directory.search.schemas.js';
import { centreOf } from './directory.gazetteer.js';

/** Query-string facet → tag prefix in directory_search_entries.tags. */
const tagPrefix: Record<FacetName, string> = {
  service: 'service',
  population: 'population',
  exploitation: 'exploitation',
  country: 'country',
  region: 'region',
  language: 'language',
  focus: 'focus',
  industry: 'industry',
  type: 'type',
  network: 'network',
};

/** The configurations a query is run through: unstemmed, and the stemmers of the languages members write in most. */
const textConfigs = queryConfigs.filter((c) =>
  ['simple', 'english', 'french', 'spanish', 'portuguese', 'arabic', 'indonesian', 'russian'].includes(c),
);

const textArray = (values: string[]): SQL =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

/** Everything the filters say, as SQL over directory_search_entries `e` (no joins: the rows carry it all). */
function filterSql(
  audience: 'public' | 'members',
  filters: DirectoryFilters,
): { where: SQL; text: TextMatch | null } {
  const parts: SQL[] = [sql`e.audience = ${audience}`, sql`e.active`];
  const required: string[] = [];
  for (const facet of facetNames) {
    for (const value of filters[facet]) required.push(`${tagPrefix[facet]}:${value}`);
  }
  if (required.length) parts.push(sql`e.tags @> ${textArray(required)}`);
  if (filters.tier.length) parts.push(sql`e.tier = any(${textArray(filters.tier)})`);
  const text = filters.q ? textMatch(filters.q) : null;
  if (text) parts.push(text.where);
  return { where: sql.join(parts, sql` and `), text };
}

interface TextMatch {
  where: SQL;
  rank: SQL;
}

/**
 * Names match by trigrams (typos, any script, accents folded); descriptions, places and networks by full text
 * through several stemmers (the query's language is unknown). Short queries match name prefixes.
 */
function textMatch(q: string): TextMatch | null {
  const folded = fold(q).replace(/\s+/g, ' ').trim();
  if (!folded) return null;
  const tsquery = sql.join(
    textConfigs.map((config) => sql`websearch_to_tsquery(${config}::regconfig, ${folded})`),
    sql` || `,
  );
  if ([...folded].length < 3) {
    const prefix = `${folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return {
      where: sql`(e.names_folded like ${prefix} or e.document @@ (${tsquery}))`,
      rank: sql`(case when e.names_folded like ${prefix} then 1 else 0 end + ts_rank_cd(e.document, ${tsquery}))`,
    };
  }
  return {
    where: sql`(${folded} <% e.names_folded or e.document @@ (${tsquery}))`,
    rank: sql`(2 * word_similarity(${folded}, e.names_folded) + ts_rank_cd(e.document, ${tsquery}))`,
  };
}

/** The point to measure distance from: `near=lat,lng` or a gazetteer place. */
function pointOf(
  query: Pick<SearchQuery, 'near' | 'placeId'>,
): { latitude: number; longitude: number } | null {
  if (query.near) {
    const [latitude, longitude] = query.near.split(',').map(Number) as [number, number];
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
      throw new AppError('validation_failed', {
        fields: [{ path: 'query.near', code: 'directory.bad_point' }],
      });
    }
    return { latitude, longitude };
  }
  if (query.placeId !== undefined) {
    const place = placeById(query.placeId);
    if (!place) {
      throw new AppError('validation_failed', {
        fields: [{ path: 'query.placeId', code: 'directory.unknown_place' }],
      });
    }
    return place;
  }
  return null;
}

/** Great-circle distance in km from a point to the row's point (haversine; null when the row has none). */
function distanceSql(point: { latitude: number; longitude: number }): SQL {
  return sql`(2 * 6371 * asin(least(1, sqrt(
    power(sin(radians(e.latitude - ${point.latitude}) / 2), 2) +
    cos(radians(${point.latitude})) * cos(radians(e.latitude)) *
    power(sin(radians(e.longitude - ${point.longitude}) / 2), 2)))))`;
}

/**
 * Facet counts are the heaviest part of a search over a broad result set (every tag of every match), and the
 * same broad queries (the landing page, one country) repeat. They are kept for a short while per process;
 * any profile change in this process clears them, and in another process they are at most this old.
 */
const facetCache = new Map<string, { at: number; facets: SearchResult['facets'] }>();
const facetCacheMs = 30_000;
const facetCacheSize = 500;

/** Forgets cached facet counts (after a profile change). */
export function clearFacetCache(): void {
  facetCache.clear();
}

function emptyFacets(): SearchResult['facets'] {
  return Object.fromEntries(facetNames.map((f) => [f, []])) as unknown as SearchResult['facets'];
}

async function facetCounts(ctx: Ctx, key: string, where: SQL): Promise<SearchResult['facets']> {
  const cached = facetCache.get(key);
  if (cached && Date.now() - cached.at < facetCacheMs) return cached.facets;
  const rows = await queryRows<{ tag: string; count: number }>(
    ctx.kernel.database.db,
    sql`select tag, count(*)::int as count
          from directory_search_entries e, unnest(e.tags) as tag
         where ${where}
         group by tag`,
  );
  const facets = emptyFacets();
  const byPrefix = new Map(facetNames.map((f) => [tagPrefix[f], f]));
  for (const row of rows) {
    const colon = row.tag.indexOf(':');
    const facet = byPrefix.get(row.tag.slice(0, colon));
    if (facet) facets[facet].push({ value: row.tag.slice(colon + 1), count: row.count });
  }
  for (const facet of facetNames)
    facets[facet].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  if (facetCache.size >= facetCacheSize) facetCache.delete(facetCache.keys().next().value!);
  facetCache.set(key, { at: Date.now(), facets });
  return facets;
}

/** Picks the short description in the reader's language, else English, else the first. */
function summaryFor(
  summaries: Record<string, string>,
  language: string,
): { text: string; language: string } | null {
  for (const candidate of [language, 'en']) {
    const text = summaries[candidate];
    if (text) return { text, language: candidate };
  }
  const first = Object.entries(summaries)[0];
  return first ? { text: first[1], language: first[0] } : null;
}

const valuesWith = (tags: string[], prefix: string) =>
  tags.filter((t) => t.startsWith(`${prefix}:`)).map((t) => t.slice(prefix.length + 1));

/**
 * Searches the directory as the caller may see it: the public rows for visitors, the members' rows for
 * members. SECURITY: the audience is chosen here from the actor, never from the request.
 */
export async function searchOrganisations(ctx: Ctx, query: SearchQuery): Promise<SearchResult> {
  const audience = searchAudience(ctx.actor);
  const point = pointOf(query);
  if (query.sort === 'distance' && !point) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.sort', code: 'directory.sort_needs_point' }],
    });
  }
  const { where: filterWhere, text } = filterSql(audience, query);
  const distance = point ? distanceSql(point) : null;
  const where =
    distance && query.radiusKm !== undefined
      ? sql`${filterWhere} and e.latitude is not null and ${distance} <= ${query.radiusKm}`
      : filterWhere;
  const order =
    query.sort === 'distance' && distance
      ? sql`${distance} asc nulls last, e.name`
      : query.sort === 'relevance' && text
        ? sql`${text.rank} desc, e.name`
        : sql`lower(e.name), e.organisation_id`;
  const offset = (query.page - 1) * query.pageSize;
  const rows = await queryRows<{
    organisation_id: string;
    name: string;
    type: string;
    tier: string | null;
    tags: string[];
    summaries: Record<string, string>;
    distance_km: number | null;
    updated_at: string | Date;
    total: number;
  }>(
    ctx.kernel.database.db,
    sql`select e.organisation_id, e.name, e.type, e.tier, e.tags, e.summaries, e.updated_at,
               ${distance ?? sql`null::float8`} as distance_km, count(*) over ()::int as total
          from directory_search_entries e
         where ${where}
         order by ${order}
         limit ${query.pageSize} offset ${offset}`,
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && offset > 0) {
    // Past the last page: count anyway, so the web can offer the way back.
    const [count] = await queryRows<{ total: number }>(
      ctx.kernel.database.db,
      sql`select count(*)::int as total from directory_search_entries e where ${where}`,
    );
    total = count?.total ?? 0;
  }
  const items: SearchHit[] = rows.map((row) => {
    const summary = summaryFor(row.summaries, ctx.language);
    return {
      organisationId: row.organisation_id,
      name: row.name,
      type: row.type as SearchHit['type'],
      tier: (row.tier as SearchHit['tier']) ?? null,
      summary: summary?.text ?? null,
      summaryLanguage: summary?.language ?? null,
      countries: valuesWith(row.tags, 'country'),
      services: valuesWith(row.tags, 'service'),
      populations: valuesWith(row.tags, 'population'),
      languages: valuesWith(row.tags, 'language'),
      distanceKm: row.distance_km === null ? null : Math.round(Number(row.distance_km) * 10) / 10,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  });
  const facetKey = JSON.stringify([
    audience,
    query.q ?? '',
    ...facetNames.map((f) => query[f]),
    query.tier,
    point,
    query.radiusKm,
  ]);
  const facets = total === 0 ? emptyFacets() : await facetCounts(ctx, facetKey, where);
  return { total, page: query.page, pageSize: query.pageSize, items, facets };
}

/**
 * Counts organisations per country (or per region of one country) for the map, with the same filters as
 * search. Only counts and area centres leave the server: never an organisation's own point, so hidden
 * locations stay hidden.
 */
export async function directoryMap(
  ctx: Ctx,
  query: DirectoryFilters & { level: 'country' | 'region'; within?: string },
): Promise<MapResult> {
  const audience = searchAudience(ctx.actor);
  const { where } = filterSql(audience, query);
  if (query.level === 'region' && !query.within) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.within', code: 'directory.region_needs_country' }],
    });
  }
  const [totalRow] = await queryRows<{ total: number }>(
    ctx.kernel.database.db,
    sql`select count(*)::int as total from directory_search_entries e where ${where}`,
  );
  const rows =
    query.level === 'country'
      ? await queryRows<{ code: string; count: number }>(
          ctx.kernel.database.db,
          sql`select c as code, count(*)::int as count
                from directory_search_entries e, unnest(e.countries) as c
               where ${where}
               group by c`,
        )
      : await queryRows<{ code: string; count: number }>(
          ctx.kernel.database.db,
          sql`select r as code, count(*)::int as count
                from directory_search_entries e, unnest(e.regions) as r
               where ${where} and e.countries @> ${textArray([query.within!])} and r like ${`${query.within}.%`}
               group by r`,
        );
  const areas = rows
    .map((row) => {
      const centre =
        query.level === 'country'
          ? centreOf({ country: row.code })
          : centreOf({ country: row.code.slice(0, 2), region: row.code });
      return {
        code: row.code,
        name: query.level === 'region' ? regionName(row.code) : null,
        count: row.count,
        latitude: centre?.latitude ?? null,
        longitude: centre?.longitude ?? null,
      };
    })
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return { total: totalRow?.total ?? 0, areas };
}
