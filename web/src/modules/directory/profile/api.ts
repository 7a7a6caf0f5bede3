import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import type { components, operations } from '../../../api/schema';
import { required } from '../../identity/organisations/queries';

type Schemas = components['schemas'];

/** A directory profile as the server shows it to the reader (fields they may not see are absent). */
export type Profile = Schemas['Profile'];
/** An office of a profile. */
export type Office = Schemas['Office'];
/** A hotline of a profile. */
export type Hotline = Schemas['ProfileHotline'];
/** A place of the offline gazetteer. */
export type Place = Schemas['Place'];
/** What the profile editor sends (PUT /api/directory/organisations/:id). */
export type ProfileInput = operations['saveProfile']['requestBody']['content']['application/json'];

/**
 * Query keys of the directory pages, in one place so a change can invalidate exactly what it affects.
 * Everything starts with 'directory', so a save can refresh search, map and profile with one prefix.
 */
export const directoryKeys = {
  all: ['directory'] as const,
  profile: (id: string) => ['directory', 'profile', id] as const,
  partners: (id: string) => ['directory', 'partners', id] as const,
  places: (q: string, country: string | undefined) => ['directory', 'places', q, country ?? ''] as const,
  regions: (country: string) => ['directory', 'regions', country] as const,
};

/** One organisation's profile, as the reader may see it. */
export function useProfile(id: string) {
  return useQuery({
    queryKey: directoryKeys.profile(id),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/directory/organisations/{organisationId}', {
          params: { path: { organisationId: id } },
          signal,
        }),
      ),
  });
}

/** Several profiles at once (the partner list names its organisations this way). */
export function useProfiles(ids: readonly string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: directoryKeys.profile(id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        required(
          api.GET('/api/directory/organisations/{organisationId}', {
            params: { path: { organisationId: id } },
            signal,
          }),
        ),
      // A partner that left the directory is still listed by id; it must not retry forever.
      retry: false,
    })),
  });
}

/** The organisations this one lists as partners (its admins only). */
export function usePartners(id: string, enabled = true) {
  return useQuery({
    queryKey: directoryKeys.partners(id),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/directory/organisations/{organisationId}/partners', {
          params: { path: { organisationId: id } },
          signal,
        }),
      ),
    enabled,
  });
}

/** The query of a country's first-level regions (they change only with a new gazetteer release). */
function regionsQuery(country: string) {
  return {
    queryKey: directoryKeys.regions(country),
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      required(api.GET('/api/directory/regions', { params: { query: { country } }, signal })),
    staleTime: Infinity,
  };
}

/** The first-level regions of a country, named by the gazetteer. */
export function useRegions(country: string, enabled = true) {
  return useQuery({ ...regionsQuery(country), enabled });
}

/**
 * The names of the first-level regions of several countries, by code (`VN.44`), as far as they have loaded:
 * for a table whose rows name regions of more than one country.
 */
export function useRegionNames(countries: readonly string[]): ReadonlyMap<string, string> {
  return useQueries({
    queries: countries.map((country) => regionsQuery(country)),
    combine: (results) =>
      new Map(results.flatMap((result) => (result.data ?? []).map((r) => [r.code, r.name] as const))),
  });
}

/** Places matching what was typed, from the server's offline gazetteer (nothing goes to an online geocoder). */
export async function fetchPlaces(
  q: string,
  options: { country?: string; limit?: number; signal?: AbortSignal } = {},
): Promise<Place[]> {
  return required(
    api.GET('/api/directory/places', {
      params: { query: { q, country: options.country, limit: options.limit ?? 8 } },
      signal: options.signal,
    }),
  );
}
