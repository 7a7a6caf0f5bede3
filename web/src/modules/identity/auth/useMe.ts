import {
  useQuery,
  useQueryClient,
  type Query,
  type QueryClient,
  type UseQueryResult,
} from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from '../../../api/client';
import { ApiError } from '../../../api/problem';
import type { components } from '../../../api/schema';
import { bodyOf } from './apiBody';

/** The signed-in person as GET /api/auth/me describes them: memberships, factors and abilities. */
export type Me = components['schemas']['Me'];

/** One of the person's memberships: a role in an organisation. */
export type Membership = components['schemas']['Membership'];

/** The cache key of {@link useMe}; invalidate it after anything that changes who is signed in. */
export const meQueryKey = ['auth', 'me'] as const;

/**
 * Fetches the signed-in person, or `null` when nobody is signed in. A 401 is an answer here, not a failure:
 * it is how the server says "signed out", so it must not be retried or shown as an error.
 */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await bodyOf(unwrap(api.GET('/api/auth/me', { signal })));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/**
 * The signed-in person (`data`): `null` when signed out; `level: 'partial'` while the second sign-in step
 * is still due; `hasRequiredFactor: false` when their role needs a factor they have not added yet. What
 * they may do comes from `abilities`, which the server computes — never re-derive it from roles here.
 */
export function useMe(): UseQueryResult<Me | null> {
  return useQuery({ queryKey: meQueryKey, queryFn: ({ signal }) => fetchMe(signal) });
}

/** The membership the session acts for, if any. */
export function activeMembershipOf(me: Me): Membership | null {
  return me.memberships.find((membership) => membership.id === me.activeMembershipId) ?? null;
}

const isMeQuery = (query: Query) =>
  query.queryKey.length === meQueryKey.length && meQueryKey.every((part, i) => query.queryKey[i] === part);

/**
 * Forgets everything cached for the previous person and loads who is signed in now; call after signing in.
 * Cached answers belong to one person, and on a shared computer the next person must never see them.
 */
export async function reloadMe(queryClient: QueryClient): Promise<Me | null> {
  queryClient.removeQueries({ predicate: (query) => !isMeQuery(query) });
  // staleTime 0 forces a request even if the cached answer is recent: the session has just changed.
  return queryClient.fetchQuery({
    queryKey: meQueryKey,
    queryFn: ({ signal }) => fetchMe(signal),
    staleTime: 0,
  });
}

/**
 * Marks the person signed out and drops every other cached answer. The `me` entry is set rather than
 * removed so that components showing it (the header) update at once instead of keeping the old name.
 */
export function forgetSignedInPerson(queryClient: QueryClient): void {
  queryClient.setQueryData(meQueryKey, null);
  queryClient.removeQueries({ predicate: (query) => !isMeQuery(query) });
}

/**
 * After switching organisation: the same person, but every other answer was for the previous organisation.
 * Resetting (not just invalidating) clears that data at once, so nothing of one organisation is shown
 * under the other's name while the refetch runs.
 */
export async function resetOrganisationData(queryClient: QueryClient, me: Me): Promise<void> {
  queryClient.setQueryData(meQueryKey, me);
  await queryClient.resetQueries({ predicate: (query) => !isMeQuery(query) });
}

/** Whether a failure means "this request had no live session" (it ended, timed out or was signed out). */
function isSessionGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.problem?.code === 'unauthenticated';
}

/**
 * Notices when the session ends under the page (idle timeout, signed out from another device, password
 * changed elsewhere): any request answered "unauthenticated" makes `me` load again, so the header and the
 * page guards see the person signed out and offer to sign in and come back. Mount it once, in the frame.
 */
export function useSessionEndWatch(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const recheck = () => void queryClient.invalidateQueries({ queryKey: meQueryKey });
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && isSessionGone(event.action.error)) {
        recheck();
      }
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && isSessionGone(event.action.error)) {
        recheck();
      }
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient]);
}
