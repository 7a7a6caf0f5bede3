import { distanceKm, fold } from './directory.gazetteer.js';
import { chooseSummary, writeAnswer, type PageHit } from './directory.search.answer.js';
import type { FacetLayout } from './directory.search.facets.js';
import type { Audience, DirectorySearchIndex, IndexHit, IndexQuery } from './directory.search.index.js';
import {
  facetNames,
  type DirectoryFilters,
  type FacetName,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from './directory.search.schemas.js';

/**
 * A search and the map's counts worked out on one index, wherever it lives: in the request's thread or in the
 * search thread (directory.search.engine.ts). Everything here is given as plain values (the audience the
 * caller's actor allows, the reader's language, the validated query and its point), so it can cross threads.
 */

export interface Point {
  latitude: number;
  longitude: number;
}

/** A search as the engine is asked it. SECURITY: `audience` comes from the caller's actor, never the request. */
export interface SearchRequest {
  audience: Audience;
  /** The reader's language: which short description a hit shows. */
  language: string;
  query: SearchQuery;
  /** Where distances are measured from (already resolved and checked), or null. */
  point: Point | null;
}

/** The map's counts as the engine is asked them: organisations per tag whose code starts with `prefix`. */
export interface CountRequest {
  audience: Audience;
  filters: DirectoryFilters;
  /** `country:` for countries, `region:KE.` for the regions of one country. */
  prefix: string;
}

export interface AreaCounts {
  total: number;
  /** Each area's code (the tag after its `country:` or `region:` prefix) and its count. */
  counts: Array<[string, number]>;
}

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

/**
 * Facet counts over a broad result (the landing page, one country) touch every tag of every match; the same
 * broad queries repeat, so their counts (as JSON, written by the index once asked for) are kept while the index
 * has not changed.
 */
interface CountedFacets {
  bytes?: Buffer;
}
const facetCaches = new WeakMap<DirectorySearchIndex, Map<string, CountedFacets & { generation: number }>>();
const facetCacheSize = 500;
/** Results smaller than this are counted afresh every time (cheaper than the cache's bookkeeping). */
const facetCacheFrom = 2_000;

/** The answer's facets in order, and their tags' prefixes (the index writes the counts). */
const facetLayout: FacetLayout = { names: facetNames, prefixes: facetNames.map((f) => tagPrefix[f]) };

/** The cache's entry for a large result's facet counts (empty until counted), or null for a small result. */
function facetsFor(index: DirectorySearchIndex, keyOf: () => string, hits: IndexHit[]): CountedFacets | null {
  if (hits.length < facetCacheFrom) return null;
  let cache = facetCaches.get(index);
  if (!cache) facetCaches.set(index, (cache = new Map<string, CountedFacets & { generation: number }>()));
  const key = keyOf();
  const generation = index.generation;
  const cached = cache.get(key);
  if (cached && cached.generation === generation) return cached;
  const entry: CountedFacets & { generation: number } = { generation };
  if (cache.size >= facetCacheSize) cache.delete(cache.keys().next().value!);
  cache.set(key, entry);
  return entry;
}

/** The short description a reader sees (chooseSummary), as the export shows it. */
function summaryFor(
  summaries: Record<string, string>,
  language: string,
): { text: string; language: string } | null {
  const entries = Object.entries(summaries).map(([code, value]) => ({
    language: code,
    text: value !== '',
    value,
  }));
  const chosen = chooseSummary(entries, language);
  return chosen ? { text: chosen.value, language: chosen.language } : null;
}

/** One page of a search: its hits with their distances, the total, and the facet counts. */
interface SearchPage {
  total: number;
  /** Every hit of the result (what the facets count). */
  all: IndexHit[];
  /** The page's hits. */
  hits: IndexHit[];
  /** Each hit's distance from the query's point (none without a point). */
  distances: Map<IndexHit, number | null> | null;
  /** The facet counts' cache entry for a large result. */
  facets: CountedFacets | null;
}

async function searchPage(
  index: DirectorySearchIndex,
  { audience, query, point }: SearchRequest,
): Promise<SearchPage> {
  const indexQuery = indexQueryOf(query);
  let hits = await index.query(audience, indexQuery);
  const distances = point ? new Map<IndexHit, number | null>() : null;
  if (point && distances) {
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
    const d = (hit: IndexHit) => distances?.get(hit) ?? Number.POSITIVE_INFINITY;
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
    total: hits.length,
    all: hits,
    hits: hits.slice(offset, offset + query.pageSize),
    distances,
    facets: facetsFor(index, facetKey, hits),
  };
}

/** The page's facet counts as JSON bytes (kept, in a Buffer of their own, with a large result's cached counts). */
function facetsOf(index: DirectorySearchIndex, audience: Audience, page: SearchPage): Buffer {
  if (page.facets?.bytes) return page.facets.bytes;
  const bytes = index.facetsBytes(audience, page.all, facetLayout);
  if (!page.facets) return bytes;
  // Written into Node's shared pool, whose slab a kept slice would keep alive.
  page.facets.bytes = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(page.facets.bytes);
  return page.facets.bytes;
}

/** A hit's distance as shown: km to one decimal, or null without a point or a place. */
function shownDistance(page: SearchPage, hit: IndexHit): number | null {
  const distance = page.distances?.get(hit);
  return distance === null || distance === undefined ? null : Math.round(distance * 10) / 10;
}

/** A search's answer as objects (the export's rows; the route sends the same answer as bytes, searchBytes). */
export async function searchObjects(
  index: DirectorySearchIndex,
  request: SearchRequest,
): Promise<SearchResult> {
  const page = await searchPage(index, request);
  const { query } = request;
  const items: SearchHit[] = page.hits.map((hit) => {
    const { doc } = hit;
    const summary = summaryFor(doc.summaries, request.language);
    return {
      organisationId: doc.organisationId,
      name: doc.name,
      type: doc.type as SearchHit['type'],
      tier: (doc.tier as SearchHit['tier']) ?? null,
      summary: summary?.text ?? null,
      summaryLanguage: summary?.language ?? null,
      ...index.shownLists(doc),
      distanceKm: shownDistance(page, hit),
      updatedAt: doc.updatedAt,
    };
  });
  // The export's objects are the route's JSON read back: one way of counting and ordering the facets.
  const facets = JSON.parse(facetsOf(index, request.audience, page).toString()) as SearchResult['facets'];
  return { total: page.total, page: query.page, pageSize: query.pageSize, items, facets };
}

/**
 * A search's 200 answer as UTF-8 JSON, the same bytes as searchObjects' object serialised, written from the hits'
 * parts the index encoded once (decision 0016).
 */
export async function searchBytes(index: DirectorySearchIndex, request: SearchRequest): Promise<Buffer> {
  const page = await searchPage(index, request);
  const hits: PageHit[] = page.hits.map((hit) => ({
    encoded: index.encodedHit(request.audience, hit),
    distanceKm: shownDistance(page, hit),
  }));
  const facets = facetsOf(index, request.audience, page);
  const { query } = request;
  const head = { total: page.total, page: query.page, pageSize: query.pageSize };
  return writeAnswer(head, hits, facets, request.language);
}

/** How many organisations match the filters, and how many of them are in each area under the prefix. */
export async function areaCounts(
  index: DirectorySearchIndex,
  { audience, filters, prefix }: CountRequest,
): Promise<AreaCounts> {
  const { total, tags } = await index.countMatching(audience, indexQueryOf(filters));
  const counts: Array<[string, number]> = [];
  const at = prefix.indexOf(':') + 1;
  for (const [tag, count] of tags) if (tag.startsWith(prefix)) counts.push([tag.slice(at), count]);
  return { total, counts };
}

/**
 * The directory's search as the rest of Cairn uses it (directorySearchOf): an index in the request's thread, or
 * in a worker thread of its own (decision 0018), where a search's work runs on another core while the main
 * thread serves HTTP.
 */
export interface DirectorySearch {
  /** The search's 200 answer as UTF-8 JSON bytes (decision 0016). */
  answer(request: SearchRequest): Promise<Buffer>;
  /** The same answer as objects (the export). */
  objects(request: SearchRequest): Promise<SearchResult>;
  /** The map's counts per area. */
  areas(request: CountRequest): Promise<AreaCounts>;
  /** Marks organisations as changed (the database's notifications do too, a moment later). */
  invalidate(organisationIds: string[]): void;
  /** Resolves once the index has loaded. */
  ready(): Promise<void>;
  /** Resolves once every change committed so far is in the index. */
  sync(): Promise<void>;
  close(): Promise<void>;
}
