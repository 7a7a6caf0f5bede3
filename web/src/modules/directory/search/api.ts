import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import type { components } from '../../../api/schema';
import { required } from '../../identity/organisations/queries';
import type { MapQuery, SearchQuery } from './url-state';

/** One page of search results with facet counts. */
export type SearchResult = components['schemas']['DirectorySearchResult'];
/** One organisation in the results. */
export type SearchHit = components['schemas']['DirectoryHit'];
/** Organisations per country or region. */
export type MapResult = components['schemas']['DirectoryMap'];
/** One country or region of the map. */
export type MapArea = components['schemas']['MapArea'];

/** Cache keys of search and map (under 'directory', so a profile save refreshes them too). */
export const searchKeys = {
  search: (query: SearchQuery) => ['directory', 'search', query] as const,
  map: (query: MapQuery) => ['directory', 'map', query] as const,
};

/** Searches the directory; the previous page stays on screen while the next loads. */
export function useDirectorySearch(query: SearchQuery, enabled = true) {
  return useQuery({
    queryKey: searchKeys.search(query),
    queryFn: ({ signal }) => required(api.GET('/api/directory/search', { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

function sameArea(a: MapQuery | null, b: MapQuery | null): boolean {
  return a?.level === b?.level && a?.within === b?.within;
}

/** Counts organisations per country (or per region of one country) with the search's filters. */
export function useDirectoryMap(query: MapQuery | null) {
  return useQuery({
    queryKey: searchKeys.map(query ?? ({} as MapQuery)),
    queryFn: ({ signal }) => required(api.GET('/api/directory/map', { params: { query: query! }, signal })),
    // The previous counts stay drawn while new filters load, but only at the same level: countries shown as
    // if they were regions of the country just opened would be wrong, not merely old.
    placeholderData: (previous, previousQuery) =>
      previousQuery && sameArea(previousQuery.queryKey[2], query) ? previous : undefined,
    enabled: query !== null,
  });
}
