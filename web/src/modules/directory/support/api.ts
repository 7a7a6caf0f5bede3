import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import type { components, operations } from '../../../api/schema';
import { required } from '../../identity/organisations/queries';

type Schemas = components['schemas'];

/** A described need as the server shows it back. */
export type Need = Schemas['SupportNeed'];
/** What the find-support form sends. */
export type NeedInput = operations['matchSupport']['requestBody']['content']['application/json']['need'];
/** One ranked organisation, with its score and reasons. */
export type Candidate = Schemas['SupportCandidate'];
/** The matcher's answer. */
export type MatchResult = Schemas['SupportMatch'];
/** A support request, as the requester or a recipient sees it. */
export type SupportRequest = Schemas['SupportRequest'];
/** A recipient of a support request and its answer. */
export type Recipient = Schemas['SupportRecipient'];
/** An organisation's response record, with what the caller may do. */
export type SupportStats = Schemas['SupportStats'];
/** One row of the unmet-needs table. */
export type UnmetNeed = Schemas['UnmetNeed'];
/** Why a recipient declines. */
export type DeclineReason = NonNullable<Recipient['declineReason']>;

/** How often open requests are checked for new answers while the page is visible. */
export const LIVE_REFRESH_MS = 10_000;

/**
 * Query keys of the support pages. They start with 'directory' so a sign-out or an organisation switch
 * drops them with everything else of the directory.
 */
export const supportKeys = {
  all: ['directory', 'support'] as const,
  stats: ['directory', 'support', 'stats'] as const,
  sent: (status: string) => ['directory', 'support', 'sent', status] as const,
  incoming: (status: string) => ['directory', 'support', 'incoming', status] as const,
  request: (id: string) => ['directory', 'support', 'request', id] as const,
  unmet: (months: number, country: string) => ['directory', 'support', 'unmet', months, country] as const,
};

/**
 * Refetches every LIVE_REFRESH_MS while something may still change, and never while the tab is hidden
 * (TanStack Query pauses intervals in the background), so answers appear as they arrive without
 * spending a slow connection on a page nobody is looking at.
 */
function liveWhile<T>(stillOpen: (data: T) => boolean, everyMs = LIVE_REFRESH_MS) {
  return {
    refetchInterval: (query: { state: { data: T | undefined } }) =>
      query.state.data !== undefined && stillOpen(query.state.data) ? everyMs : false,
    refetchIntervalInBackground: false,
  } as const;
}

/** My organisation's response record and the caller's support abilities (also drives the navigation). */
export function useSupportStats(enabled = true) {
  return useQuery({
    queryKey: supportKeys.stats,
    queryFn: ({ signal }) => required(api.GET('/api/directory/support/stats', { signal })),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** The requests my organisation sent, newest first; refreshed while any is still open. */
export function useSentRequests(status: 'open' | 'done' | undefined) {
  return useQuery({
    queryKey: supportKeys.sent(status ?? 'all'),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/directory/support/requests', { params: { query: { status, limit: 50 } }, signal }),
      ),
    placeholderData: keepPreviousData,
    ...liveWhile<{ items: SupportRequest[] }>((page) => page.items.some((item) => item.status === 'open')),
  });
}

/** The requests sent to my organisation; refreshed so a new one shows up without reloading. */
export function useIncomingRequests(status: 'pending' | 'answered' | undefined) {
  return useQuery({
    queryKey: supportKeys.incoming(status ?? 'all'),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/directory/support/incoming', { params: { query: { status, limit: 50 } }, signal }),
      ),
    placeholderData: keepPreviousData,
    // New requests can arrive at any time, but less often than answers: every 30 s is enough.
    ...liveWhile<{ items: SupportRequest[] }>(() => true, 3 * LIVE_REFRESH_MS),
  });
}

/** One request; refreshed while it is open. */
export function useSupportRequest(id: string) {
  return useQuery({
    queryKey: supportKeys.request(id),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/directory/support/requests/{requestId}', {
          params: { path: { requestId: id } },
          signal,
        }),
      ),
    ...liveWhile<SupportRequest>((request) => request.status === 'open'),
  });
}

/** Unmet needs by country and service (platform staff). */
export function useUnmetNeeds(months: number, country: string) {
  return useQuery({
    queryKey: supportKeys.unmet(months, country),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/directory/support/unmet-needs', {
          params: { query: { months, country: country || undefined } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Asks the matcher; nothing is stored. */
export function matchSupport(need: NeedInput) {
  return required(api.POST('/api/directory/support/match', { body: { need, limit: 25 } }));
}

/** Sends a need to the chosen organisations. */
export function createSupportRequest(need: NeedInput, recipientOrganisationIds: string[]) {
  return required(api.POST('/api/directory/support/requests', { body: { need, recipientOrganisationIds } }));
}

/** Accepts a request for my organisation. */
export function acceptSupportRequest(id: string) {
  return required(
    api.POST('/api/directory/support/requests/{requestId}/accept', { params: { path: { requestId: id } } }),
  );
}

/** Declines a request for my organisation. */
export function declineSupportRequest(id: string, body: { reason: DeclineReason; note?: string }) {
  return required(
    api.POST('/api/directory/support/requests/{requestId}/decline', {
      params: { path: { requestId: id } },
      body,
    }),
  );
}

/** Closes a request my organisation sent. */
export function closeSupportRequest(id: string) {
  return required(
    api.POST('/api/directory/support/requests/{requestId}/close', { params: { path: { requestId: id } } }),
  );
}
