import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  type InfiniteData,
  type QueryClient,
} from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../../api/client';
import {
  orgKeys,
  type Organisation,
  type OrganisationStatus,
  type OrganisationType,
  type QueueStatus,
} from './api';
import { QUEUE_STATUSES } from './vocabulary';
import { formStateOf, noFormErrors, type FormErrorOptions, type FormState } from './errors';

/**
 * The data of a call whose success always has a body. openapi-fetch types success data as possibly
 * undefined; an empty 200 would be a server bug, and failing loudly beats rendering half a page.
 */
export async function required<T>(call: Promise<FetchResult<T>>): Promise<NonNullable<T>> {
  const data = await unwrap(call);
  if (data === undefined || data === null) throw new Error('The server answered without a body');
  return data;
}

type FetchResult<T> = Parameters<typeof unwrap<T>>[0] extends Promise<infer R> ? R : never;

/** How many rows a list page asks for: enough to be useful, small enough for a slow connection. */
export const PAGE_SIZE = 25;

/** One organisation, with what the caller may do with it. */
export function useOrganisation(id: string) {
  return useQuery({
    queryKey: orgKeys.organisation(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/identity/organisations/{id}', { params: { path: { id } }, signal })),
  });
}

/** The caller's own applications. */
export function useMyApplications() {
  return useQuery({
    queryKey: orgKeys.myApplications,
    queryFn: ({ signal }) => required(api.GET('/api/identity/my-applications', { signal })),
  });
}

/** The vetting queue for one status, oldest first, a page at a time ("show more"). */
export function useQueue(status: QueueStatus) {
  return useInfiniteQuery({
    queryKey: orgKeys.queue(status),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ signal, pageParam }) =>
      required(
        api.GET('/api/identity/applications', {
          params: { query: { status, limit: PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

type QueuePages = InfiniteData<{ items: Organisation[]; nextCursor: string | null }, string | undefined>;

/**
 * Takes a decided application out of every cached queue page it no longer belongs to, so the queue a
 * moderator returns to is right at once; the refetch that follows confirms it (and adds it where it now is).
 */
export function moveBetweenQueues(queryClient: QueryClient, organisation: Organisation): void {
  for (const status of QUEUE_STATUSES) {
    if (status === organisation.status) continue;
    queryClient.setQueryData<QueuePages>(orgKeys.queue(status), (data) =>
      data
        ? {
            ...data,
            pages: data.pages.map((page) => ({
              ...page,
              items: page.items.filter((item) => item.id !== organisation.id),
            })),
          }
        : data,
    );
  }
}

/** Filters of the platform's organisation list; absent means "any". */
export interface OrganisationFilters {
  q?: string;
  status?: OrganisationStatus;
  type?: OrganisationType;
  country?: string;
}

/** Every organisation matching the filters, newest first, a page at a time. */
export function useOrganisationList(filters: OrganisationFilters) {
  return useInfiniteQuery({
    queryKey: orgKeys.list({ ...filters }),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ signal, pageParam }) =>
      required(
        api.GET('/api/identity/organisations', {
          params: { query: { ...filters, limit: PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Changing a filter keeps the old rows on screen until the new ones arrive, instead of a blank table.
    placeholderData: keepPreviousData,
  });
}

/** The members of an organisation. */
export function useMembers(id: string, enabled = true) {
  return useQuery({
    queryKey: orgKeys.members(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/identity/organisations/{id}/members', { params: { path: { id } }, signal })),
    enabled,
  });
}

/** The pending invitations of an organisation. */
export function useInvitations(id: string, enabled = true) {
  return useQuery({
    queryKey: orgKeys.invitations(id),
    queryFn: ({ signal }) =>
      required(api.GET('/api/identity/organisations/{id}/invitations', { params: { path: { id } }, signal })),
    enabled,
  });
}

/** One page of an organisation's audit trail. */
export function useAuditPage(id: string, cursor: string | undefined) {
  return useQuery({
    queryKey: orgKeys.audit(id, cursor),
    queryFn: ({ signal }) =>
      required(
        api.GET('/api/identity/organisations/{id}/audit', {
          params: { path: { id }, query: { limit: PAGE_SIZE, cursor } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** The platform's identity settings (platform admins). */
export function useIdentitySettings() {
  return useQuery({
    queryKey: orgKeys.settings,
    queryFn: ({ signal }) => required(api.GET('/api/identity/settings', { signal })),
  });
}

/**
 * A mutation that feeds a form: while it runs the old errors are cleared, and when it fails its problem is
 * turned into field and form errors (see formStateOf). `setErrors` lets the form show its own checks.
 */
export function useFormMutation<Variables, Result>(
  mutationFn: (variables: Variables) => Promise<Result>,
  options: FormErrorOptions & {
    onSuccess?: (result: Result, variables: Variables) => void | Promise<void>;
  } = {},
) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormState>(noFormErrors);
  const mutation = useMutation({
    mutationFn,
    onMutate: () => setErrors(noFormErrors),
    onError: (error) => setErrors(formStateOf(error, t, options)),
    onSuccess: options.onSuccess,
  });
  const clear = () => {
    mutation.reset();
    setErrors(noFormErrors);
  };
  return { ...mutation, errors, setErrors, clear };
}
