import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
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

/** One possible overlap, as one side sees it: its own subject, the other organisation, never the other subject. */
export type Match = JsonOf<'getMatch', 200>;
/** One side's status of a match. */
export type MatchStatus = Match['status'];
/** What a match is on. */
export type MatchType = Match['matchType'];
/** What a side may do with a match. */
export type MatchAction = BodyOf<'actOnMatch'>['action'];
/** A subject of the organisation: a registered investigation, operation or alert, or a case file. */
export type Subject = JsonOf<'getMatchingSubject', 200>;
/** What the registration form sends. */
export type SubjectInput = BodyOf<'registerMatchingSubject'>;
/** One selector as typed (normalised on the server). */
export type SelectorInput = NonNullable<SubjectInput['selectors']>[number];
/** The kinds of selector. */
export type SelectorType = SelectorInput['type'];
/** What a lookup answers: who holds it, of which kind, and how many lookups are left. */
export type LookupResult = JsonOf<'matchingLookup', 200>;
/** The organisation's participation, per type. */
export type Participation = JsonOf<'getMatchingParticipation', 200>;
/** A type an organisation takes part with. */
export type ParticipationType = Participation['types'][number]['type'];
/** A person named as an organisation's matching focal point. */
export type FocalPoint = NonNullable<Participation['focalPoint']>;
/** The organisation's quotas and their use in the last 24 hours. */
export type OrganisationQuotas = JsonOf<'getMatchingQuotas', 200>;
/** Organisations' quotas and use, for platform admins. */
export type PlatformQuotaList = JsonOf<'listMatchingQuotas', 200>;
/** One organisation's line of that list. */
export type QuotaLine = PlatformQuotaList['items'][number];
/** What platform admins send to change one organisation's quotas. */
export type QuotaOverrideInput = BodyOf<'setMatchingQuota'>;
/** One recorded lookup or registration. */
export type LookupAuditEntry = JsonOf<'listMatchingLookups', 200>['items'][number];

/** Query keys, under 'matching', so any change refreshes everything it may affect. */
export const matchingKeys = {
  all: ['matching'] as const,
  matches: (status: MatchStatus | undefined) => ['matching', 'matches', status ?? 'all'] as const,
  match: (id: string) => ['matching', 'match', id] as const,
  subjects: ['matching', 'subjects'] as const,
  participation: ['matching', 'participation'] as const,
  audit: ['matching', 'audit'] as const,
  quotas: ['matching', 'quotas'] as const,
  platformQuotas: (q: string) => ['matching', 'platform-quotas', q] as const,
  focalPoint: (matchId: string) => ['matching', 'focal-point', matchId] as const,
};

/** The organisation's matches inbox, newest first, optionally of one status. */
export function useMatches(status: MatchStatus | undefined) {
  return useQuery({
    queryKey: matchingKeys.matches(status),
    queryFn: ({ signal }) =>
      required(api.GET('/api/matching/matches', { params: { query: status ? { status } : {} }, signal })),
  });
}

/** One match of the organisation. */
export function useMatch(id: string) {
  return useQuery({
    queryKey: matchingKeys.match(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/matching/matches/{id}', { params: { path: { id } }, signal })),
  });
}

/** Agrees to connect, dismisses or resolves a match; refreshes the inbox. */
export function useActOnMatch(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: MatchAction) =>
      required(
        api.POST('/api/matching/matches/{id}/actions', { params: { path: { id } }, body: { action } }),
      ),
    onSuccess: async (match) => {
      queryClient.setQueryData(matchingKeys.match(id), match);
      await queryClient.invalidateQueries({ queryKey: matchingKeys.all });
    },
  });
}

/** The organisation's registered investigations, operations and alerts, and its case files. */
export function useSubjects() {
  return useQuery({
    queryKey: matchingKeys.subjects,
    queryFn: ({ signal }) => required(api.GET('/api/matching/subjects', { signal })),
  });
}

/** A fresh key for one registration, so a retry after a dropped connection cannot register twice. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Registers an investigation, operation or alert (screened at once against every other organisation's). */
export function registerSubject(body: SubjectInput, idempotencyKey: string): Promise<Subject> {
  return required(
    api.POST('/api/matching/subjects', { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  );
}

/** Closes a subject: it is screened no more. */
export function useCloseSubject() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      required(api.POST('/api/matching/subjects/{id}/close', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: matchingKeys.all }),
  });
}

/** Checks selectors against every other organisation's, storing nothing but the fact of the lookup. */
export function lookup(selectors: SelectorInput[]): Promise<LookupResult> {
  return required(api.POST('/api/matching/lookups', { body: { selectors } }));
}

/** The organisation's participation per type (organisation admins). */
export function useParticipation(enabled = true) {
  return useQuery({
    queryKey: matchingKeys.participation,
    queryFn: ({ signal }) => required(api.GET('/api/matching/participation', { signal })),
    enabled,
  });
}

/** Changes the organisation's participation in one or more types. */
export function useSetParticipation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (types: Participation['types']) =>
      required(api.PUT('/api/matching/participation', { body: { types } })),
    onSuccess: (participation) => queryClient.setQueryData(matchingKeys.participation, participation),
  });
}

/** Who in the organisation looked up or registered what kinds of selector, and how many hits they had. */
export function useLookupAudit(enabled = true) {
  return useQuery({
    queryKey: matchingKeys.audit,
    queryFn: ({ signal }) => required(api.GET('/api/matching/lookups', { signal })),
    enabled,
  });
}

/** Names the organisation's matching focal point, or nobody (organisation admins). */
export function useSetFocalPoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (personId: string | null) =>
      required(api.PUT('/api/matching/focal-point', { body: { personId } })),
    onSuccess: (participation) => queryClient.setQueryData(matchingKeys.participation, participation),
  });
}

/** The other organisation's matching focal point, for one of our matches. */
export function useMatchFocalPoint(matchId: string) {
  return useQuery({
    queryKey: matchingKeys.focalPoint(matchId),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/matching/matches/{id}/focal-point', { params: { path: { id: matchId } }, signal }),
      ),
  });
}

/** Writes to the other organisation's focal point about a match (a contact message through Cairn). */
export function writeToFocalPoint(matchId: string, body: string) {
  return required(
    api.POST('/api/matching/matches/{id}/focal-point/messages', {
      params: { path: { id: matchId } },
      body: { body },
    }),
  );
}

/** The organisation's lookup quotas and what each person used of them (every member). */
export function useQuotas() {
  return useQuery({
    queryKey: matchingKeys.quotas,
    queryFn: ({ signal }) => required(api.GET('/api/matching/quotas', { signal })),
  });
}

/** Organisations' quotas and use (platform admins): the active ones, or those whose name contains `q`. */
export function usePlatformQuotas(q: string) {
  return useQuery({
    queryKey: matchingKeys.platformQuotas(q),
    queryFn: ({ signal }) =>
      required(api.GET('/api/matching/platform/quotas', { params: { query: q ? { q } : {} }, signal })),
  });
}

/** Sets (or, with both limits null, removes) one organisation's quotas (platform admins). */
export function setQuota(organisationId: string, body: QuotaOverrideInput) {
  return required(
    api.PUT('/api/matching/platform/quotas/{organisationId}', { params: { path: { organisationId } }, body }),
  );
}
