import type { Ctx } from '../../kernel/context.js';
import { AppError } from '../../kernel/http/errors.js';
import { centreOf, placeById, regionName } from './directory.gazetteer.js';
import { searchAudience } from './directory.policy.js';
import { directorySearchOf } from './directory.search.engine.js';
import type { Point, SearchRequest } from './directory.search.page.js';
import type { DirectoryFilters, MapResult, SearchQuery, SearchResult } from './directory.search.schemas.js';

/** The point to measure distance from: `near=lat,lng` or a gazetteer place. */
function pointOf(query: Pick<SearchQuery, 'near' | 'placeId'>): Point | null {
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
    return { latitude: place.latitude, longitude: place.longitude };
  }
  return null;
}

/**
 * A search as the caller may make it: the public rows for visitors, the members' rows for members.
 * SECURITY: the audience is chosen here from the actor, never from the request.
 */
function searchRequest(ctx: Ctx, query: SearchQuery): SearchRequest {
  const point = pointOf(query);
  if (query.sort === 'distance' && !point) {
    throw new AppError('validation_failed', {
      fields: [{ path: 'query.sort', code: 'directory.sort_needs_point' }],
    });
  }
  return { audience: searchAudience(ctx.actor), language: ctx.language, query, point };
}

/** A search's answer as objects (the export's rows; the route sends the same answer as bytes, searchAnswer). */
export function searchOrganisations(ctx: Ctx, query: SearchQuery): Promise<SearchResult> {
  const request = searchRequest(ctx, query);
  return directorySearchOf(ctx.kernel).objects(request);
}

/** A search's 200 answer as UTF-8 JSON, written from the hits' parts the index encoded once (decision 0016). */
export function searchAnswer(ctx: Ctx, query: SearchQuery): Promise<Buffer> {
  const request = searchRequest(ctx, query);
  return directorySearchOf(ctx.kernel).answer(request);
}

/** Codes (ASCII) in code-point order: the same on every server, and cheaper than a collation. */
const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
  const prefix = query.level === 'country' ? 'country:' : `region:${query.within}.`;
  const { total, counts } = await directorySearchOf(ctx.kernel).areas({ audience, filters: query, prefix });
  const areas = counts
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
