import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { required } from '../identity/organisations/queries';
import type { AreaAnswer, MapLevel, WorldAnswer } from './published';

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

/** The slice and period of a published answer (server: journeys.answers.ts). */
export type AnswerQuery = NonNullable<operations['getJourneyWorld']['parameters']['query']>;
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

/** Query keys, under 'journeys', so a contribution or a decision refreshes everything it may change. */
export const journeyKeys = {
  all: ['journeys'] as const,
  world: (level: MapLevel, query: AnswerQuery) => ['journeys', 'world', level, query] as const,
  area: (query: AnswerQuery, area: string) => ['journeys', 'area', query, area] as const,
  routes: ['journeys', 'routes'] as const,
  route: (id: string) => ['journeys', 'routes', id] as const,
  moderation: (status: ModerationStatus) => ['journeys', 'moderation', status] as const,
};

/**
 * The world's published answer for a slice and period: the public map's, or the member map's. The previous
 * answer stays drawn while the next loads.
 */
export function useWorldAnswer(level: MapLevel, query: AnswerQuery) {
  return useQuery({
    queryKey: journeyKeys.world(level, query),
    queryFn: ({ signal }): Promise<WorldAnswer> =>
      required(
        level === 'public'
          ? api.GET('/api/journeys/map/public/world', { params: { query }, signal })
          : api.GET('/api/journeys/map/world', { params: { query }, signal }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** What the member map adds about a country or region: its region flows and hotspots, its total and years. */
export function useAreaAnswer(query: AnswerQuery, area: string | undefined) {
  return useQuery({
    queryKey: journeyKeys.area(query, area ?? ''),
    queryFn: ({ signal }): Promise<AreaAnswer> =>
      required(
        api.GET('/api/journeys/map/area', { params: { query: { ...query, area: area ?? '' } }, signal }),
      ),
    placeholderData: keepPreviousData,
    enabled: area !== undefined,
  });
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
