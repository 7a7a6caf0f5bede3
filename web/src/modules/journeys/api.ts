import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { required } from '../identity/organisations/queries';

type JsonOf<Op extends keyof operations, Status extends 200 | 201> = operations[Op]['responses'] extends {
  [S in Status]: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;
type BodyOf<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** The map as the server answers it: only cells of at least k people that cannot be recovered are in it. */
export type JourneyMap = JsonOf<'getJourneyMap', 200>;
/** One flow between two countries or regions. */
export type Flow = JourneyMap['flows'][number];
/** One hotspot: people whose route starts, passes or ends in an area. */
export type Hotspot = JourneyMap['hotspots'][number];
/** The map's filters. */
export type MapQuery = NonNullable<operations['getJourneyMap']['parameters']['query']>;
/** A contribution as its own organisation sees it. */
export type Route = JsonOf<'getRoute', 200>;
/** One place of a route. */
export type RoutePlace = Route['origin'];
/** A contribution as a moderator sees it (with who contributed it). */
export type ModerationItem = JsonOf<'listRouteModeration', 200>['items'][number];
/** What the form sends. */
export type RouteInput = BodyOf<'contributeRoute'>;
/** What an edit sends. */
export type RouteUpdate = BodyOf<'updateRoute'>;
/** A moderator's decision. */
export type DecisionInput = BodyOf<'decideRoute'>;
/** Which list of the moderation queue. */
export type ModerationStatus = NonNullable<
  NonNullable<operations['listRouteModeration']['parameters']['query']>['status']
>;

/** The public map (countries only, no sign-in) or the member map (down to first-level regions). */
export type MapLevel = 'public' | 'member';

/** Query keys, under 'journeys', so a contribution or a decision refreshes everything it may change. */
export const journeyKeys = {
  all: ['journeys'] as const,
  map: (level: MapLevel, query: MapQuery) => ['journeys', 'map', level, query] as const,
  routes: ['journeys', 'routes'] as const,
  route: (id: string) => ['journeys', 'routes', id] as const,
  moderation: (status: ModerationStatus) => ['journeys', 'moderation', status] as const,
};

/** The map at a level for the filters; the previous map stays drawn while the next loads. */
export function useJourneyMap(level: MapLevel, query: MapQuery, enabled = true) {
  return useQuery({
    queryKey: journeyKeys.map(level, query),
    queryFn: ({ signal }) =>
      required(
        level === 'public'
          ? api.GET('/api/journeys/map/public', { params: { query }, signal })
          : api.GET('/api/journeys/map', { params: { query }, signal }),
      ),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The address of the map's table as CSV (with HXL hashtags) for the same filters. */
export function csvHref(level: MapLevel, query: MapQuery, table: 'flows' | 'hotspots' | 'timeline'): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  params.set('table', table);
  return `${level === 'public' ? '/api/journeys/map/public.csv' : '/api/journeys/map.csv'}?${params.toString()}`;
}

/** The organisation's contributions, newest first (the first page of 100: enough for a form's follow-up). */
export function useMyRoutes(enabled = true) {
  return useQuery({
    queryKey: journeyKeys.routes,
    queryFn: ({ signal }) =>
      required(api.GET('/api/journeys/routes', { params: { query: { limit: 100 } }, signal })),
    enabled,
  });
}

/** One of the organisation's contributions. */
export function useRoute(id: string) {
  return useQuery({
    queryKey: journeyKeys.route(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/journeys/routes/{id}', { params: { path: { id } }, signal })),
  });
}

/** Contributes a route. */
export function contributeRoute(body: RouteInput): Promise<Route> {
  return required(api.POST('/api/journeys/routes', { body }));
}

/** Changes a pending or queried route (it goes back to the moderators). */
export function updateRoute(id: string, body: RouteUpdate): Promise<Route> {
  return required(api.PATCH('/api/journeys/routes/{id}', { params: { path: { id } }, body }));
}

/** Withdraws a pending or queried route, and refreshes the lists. */
export function useWithdrawRoute() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/journeys/routes/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: journeyKeys.all }),
  });
}

/** The moderation queue: pending or queried contributions, with who contributed them. */
export function useModerationQueue(status: ModerationStatus) {
  return useQuery({
    queryKey: journeyKeys.moderation(status),
    queryFn: ({ signal }) =>
      required(api.GET('/api/journeys/moderation', { params: { query: { status, limit: 100 } }, signal })),
  });
}

/** Validates, queries or rejects a contribution. */
export function decideRoute(id: string, body: DecisionInput): Promise<ModerationItem> {
  return required(api.POST('/api/journeys/routes/{id}/decision', { params: { path: { id } }, body }));
}
