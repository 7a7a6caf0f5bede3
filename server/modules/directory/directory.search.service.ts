import type { Ctx } from '../../kernel/context.js';
import { AppError } from '../../kernel/http/errors.js';
import { centreOf, distanceKm, fold, placeById, regionName } from './directory.gazetteer.js';
import { searchAudience } from './directory.policy.js';
import { facetsJson, writeAnswer, type PageHit } from './directory.search.answer.js';
import {
  searchIndexOf,
  type Audience,
  type DirectorySearchIndex,
  type IndexHit,
  type IndexQuery,
} from './directory.search.index.js';
import {
  facetNames,
  type DirectoryFilters,
  type FacetName,
  type MapResult,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from './directory.search.schemas.js';

/** Query-string facet → tag prefix in the search rows' tags. */
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

function indexQueryOf(filters: DirectoryFilters): IndexQuery {
  const tags: string[] = [];
  for (const facet of facetNames)
    for (const value of filters[facet]) tags.push(`${tagPrefix[facet]}:${value}`);
  const text = filters.q ? fold(filters.q).replace(/\s+/g, ' ').trim() : '';
  return { tags, tiers: filters.tier, text: text || null };
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

/**
 * Facet counts over a broad result (the landing page, one country) touch every tag of every match; the same
 * broad queries repeat, so their counts (and their JSON, once written) are kept while the index has not changed.
 */
interface CountedFacets {
  facets: SearchResult['facets'];
  json?: string;
}
const facetCache = new Map<string, CountedFacets & { generation: number }>();
const facetCacheSize = 500;
/** Results smaller than this are counted afresh every time (cheaper than the cache's bookkeeping). */
const facetCacheFrom = 2_000;

function emptyFacets(): SearchResult['facets'] {
  const facets: Partial<SearchResult['facets']> = {};
  for (const facet of facetNames) facets[facet] = [];
  return facets as SearchResult['facets'];
}

const facetOfPrefix = new Map(facetNames.map((f) => [tagPrefix[f], f]));
/** Codes (ASCII) in code-point order: the same on every server, and cheaper than a collation. */
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function countFacets(
  index: DirectorySearchIndex,
  audience: Audience,
  hits: IndexHit[],
): SearchResult['facets'] {
  const facets = emptyFacets();
  index.forEachTagCount(audience, hits, (prefix, value, count) => {
    const facet = facetOfPrefix.get(prefix);
    if (facet) facets[facet].push({ value, count });
  });
  for (const facet of facetNames) facets[facet].sort((a, b) => b.count - a.count || byCode(a.value, b.value));
  return facets;
}

function facetsFor(
  index: DirectorySearchIndex,
  audience: Audience,
  keyOf: () => string,
  hits: IndexHit[],
): CountedFacets {
  if (hits.length === 0) return { facets: emptyFacets() };
  if (hits.length < facetCacheFrom) return { facets: countFacets(index, audience, hits) };
  const key = keyOf();
  const generation = index.generation;
  const cached = facetCache.get(key);
  if (cached && cached.generation === generation) return cached;
  const entry = { generation, facets: countFacets(index, audience, hits) };
  if (facetCache.size >= facetCacheSize) facetCache.delete(facetCache.keys().next().value!);
  facetCache.set(key, entry);
  return entry;
}

/** Picks the short description in the reader's language, else English, else the first. */
function summaryFor(
  summaries: Record<string, string>,
  language: string,
): { text: string; language: string } | null {
  const own = summaries[language];
  if (own) return { text: own, language };
  const english = summaries.en;
  if (english) return { text: english, language: 'en' };
  const first = Object.entries(summaries)[0];
  return first ? { text: first[1], language: first[0] } : null;
}

/** The directory's search index for this request's database. */
export function indexOf(ctx: Ctx) {
  return searchIndexOf(ctx.kernel.database, ctx.kernel.log);
}

/** One page of a search: its hits with their distances, the total, and the facet counts. */
interface SearchPage {
  index: DirectorySearchIndex;
  audience: Audience;
  total: number;
  hits: IndexHit[];
  distances: Map<IndexHit, number | null>;
  facets: CountedFacets;
}

/**
 * Searches the directory as the caller may see it: the public rows for visitors, the members' rows for
 * members. SECURITY: the audience is chosen here from the actor, never from the request.
 */
async function searchPage(ctx: Ctx, query: SearchQuery): Promise<SearchPage> {
  const audience = searchAudience(ctx.actor);
  const point = pointOf(query);
  if (query.sort === 'distance' && !point) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.sort', code: 'directory.sort_needs_point' }],
    });
  }
  const index = indexOf(ctx);
  const indexQuery = indexQueryOf(query);
  let hits = await index.query(audience, indexQuery);
  const distances = new Map<IndexHit, number | null>();
  if (point) {
    for (const hit of hits) {
      const { latitude, longitude } = hit.doc;
      distances.set(
        hit,
        latitude === null || longitude === null ? null : distanceKm(point, { latitude, longitude }),
      );
    }
    if (query.radiusKm !== undefined) {
      const radius = query.radiusKm;
      hits = hits.filter((hit) => {
        const d = distances.get(hit);
        return d !== null && d !== undefined && d <= radius;
      });
    }
  }
  // A shard's rows are numbered in name order (so a hit's row is its order, read without touching its row's
  // object); rows changed since the shard was built carry their place between two of them.
  const orderOf = (hit: IndexHit) => (hit.row >= 0 ? hit.row : hit.doc.order);
  const nameOrder = (a: IndexHit, b: IndexHit) =>
    orderOf(a) - orderOf(b) || (a.doc.organisationId < b.doc.organisationId ? -1 : 1);
  if (query.sort === 'distance') {
    const d = (hit: IndexHit) => distances.get(hit) ?? Number.POSITIVE_INFINITY;
    hits.sort((a, b) => d(a) - d(b) || nameOrder(a, b));
  } else if (query.sort === 'relevance' && indexQuery.text) {
    hits.sort((a, b) => b.score - a.score || nameOrder(a, b));
  } else {
    hits.sort(nameOrder);
  }
  const offset = (query.page - 1) * query.pageSize;
  // The cache's key is made only for a result large enough to be cached.
  const facetKey = () => JSON.stringify([audience, indexQuery, point, query.radiusKm]);
  return {
    index,
    audience,
    total: hits.length,
    hits: hits.slice(offset, offset + query.pageSize),
    distances,
    facets: facetsFor(index, audience, facetKey, hits),
  };
}

/** A hit's distance as shown: km to one decimal, or null without a point or a place. */
function shownDistance(page: SearchPage, hit: IndexHit): number | null {
  const distance = page.distances.get(hit);
  return distance === null || distance === undefined ? null : Math.round(distance * 10) / 10;
}

/** A search's answer as objects (the export's rows; the route writes the same answer as bytes, searchAnswer). */
export async function searchOrganisations(ctx: Ctx, query: SearchQuery): Promise<SearchResult> {
  const page = await searchPage(ctx, query);
  const items: SearchHit[] = page.hits.map((hit) => {
    const { doc } = hit;
    const summary = summaryFor(doc.summaries, ctx.language);
    return {
      organisationId: doc.organisationId,
      name: doc.name,
      type: doc.type as SearchHit['type'],
      tier: (doc.tier as SearchHit['tier']) ?? null,
      summary: summary?.text ?? null,
      summaryLanguage: summary?.language ?? null,
      ...page.index.shownLists(doc),
      distanceKm: shownDistance(page, hit),
      updatedAt: doc.updatedAt,
    };
  });
  return { total: page.total, page: query.page, pageSize: query.pageSize, items, facets: page.facets.facets };
}

/**
 * A search's 200 answer as UTF-8 JSON, the same bytes as searchOrganisations' object serialised, written from
 * the hits' parts the index encoded once (decision 0016).
 */
export async function searchAnswer(ctx: Ctx, query: SearchQuery): Promise<Buffer> {
  const page = await searchPage(ctx, query);
  const hits: PageHit[] = page.hits.map((hit) => ({
    encoded: page.index.encodedHit(page.audience, hit),
    summary: summaryFor(hit.doc.summaries, ctx.language),
    distanceKm: shownDistance(page, hit),
  }));
  page.facets.json ??= facetsJson(page.facets.facets);
  return writeAnswer(
    { total: page.total, page: query.page, pageSize: query.pageSize },
    hits,
    page.facets.json,
  );
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
  if (query.level === 'region' && !query.within) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.within', code: 'directory.region_needs_country' }],
    });
  }
  const { total, tags } = await indexOf(ctx).countMatching(audience, indexQueryOf(query));
  const prefix = query.level === 'country' ? 'country:' : `region:${query.within}.`;
  const counts = new Map<string, number>();
  for (const [tag, count] of tags) {
    if (tag.startsWith(prefix)) counts.set(tag.slice(query.level === 'country' ? 8 : 7), count);
  }
  const areas = [...counts]
    .map(([code, count]) => {
      const centre =
        query.level === 'country'
          ? centreOf({ country: code })
          : centreOf({ country: code.slice(0, 2), region: code });
      return {
        code,
        name: query.level === 'region' ? regionName(code) : null,
        count,
        latitude: centre?.latitude ?? null,
        longitude: centre?.longitude ?? null,
      };
    })
    .sort((a, b) => b.count - a.count || byCode(a.code, b.code));
  return { total, areas };
}
