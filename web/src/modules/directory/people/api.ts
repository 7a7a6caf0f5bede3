import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../../../api/client';
import type { components, operations } from '../../../api/schema';
import { required } from '../../identity/organisations/queries';

type Schemas = components['schemas'];

/** My own professional profile, as I edit it. */
export type MyPersonProfile = Schemas['MyPersonProfile'];
/** A person in the people search (never with an email address). */
export type PersonSummary = Schemas['PersonSummary'];
/** A professional profile as a member reads it. */
export type PersonProfile = Schemas['PersonProfile'];
/** A message I received or sent through Cairn. */
export type ContactMessage = Schemas['ContactMessage'];
/** What the profile editor sends (PUT /api/directory/people/me). */
export type PersonProfileInput =
  operations['saveMyPersonProfile']['requestBody']['content']['application/json'];
/** One code of the expertise vocabulary (the directory's focus areas and services). */
export type Expertise = PersonSummary['expertise'][number];
/** Which messages a page of the inbox shows. */
export type MessageBox = 'inbox' | 'sent';

/** The filters of the people search; absent means "any". They live in the page's address. */
export interface PeopleFilters {
  q?: string;
  expertise?: Expertise;
  language?: string;
  country?: string;
}

/** How many people or messages a page asks for: enough to be useful, small enough for a slow connection. */
export const PEOPLE_PAGE_SIZE = 20;

/**
 * Query keys of the people pages. Everything starts with 'directory', 'people' so saving my profile can
 * refresh what shows it with one prefix; messages have their own prefix, refreshed after sending or reading.
 */
export const peopleKeys = {
  all: ['directory', 'people'] as const,
  mine: ['directory', 'people', 'me'] as const,
  search: (filters: PeopleFilters) => ['directory', 'people', 'search', filters] as const,
  person: (id: string) => ['directory', 'people', 'one', id] as const,
  messages: ['directory', 'messages'] as const,
  box: (box: MessageBox) => ['directory', 'messages', box] as const,
};

/** My professional profile (empty and unpublished until saved once). */
export function useMyPersonProfile() {
  return useQuery({
    queryKey: peopleKeys.mine,
    queryFn: ({ signal }) => required(api.GET('/api/directory/people/me', { signal })),
  });
}

/** Published professionals matching the filters, a page at a time ("show more"). */
export function usePeopleSearch(filters: PeopleFilters) {
  return useInfiniteQuery({
    queryKey: peopleKeys.search(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ signal, pageParam }) =>
      required(
        api.GET('/api/directory/people', {
          params: { query: { ...filters, limit: PEOPLE_PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Changing a filter keeps the old results on screen until the new ones arrive, instead of a blank list.
    placeholderData: keepPreviousData,
  });
}

/** One professional profile. */
export function usePersonProfile(personId: string) {
  return useQuery({
    queryKey: peopleKeys.person(personId),
    queryFn: ({ signal }) =>
      required(api.GET('/api/directory/people/{personId}', { params: { path: { personId } }, signal })),
  });
}

/** My received or sent messages, newest first, a page at a time, with how many received are unread. */
export function useMessages(box: MessageBox) {
  return useInfiniteQuery({
    queryKey: peopleKeys.box(box),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ signal, pageParam }) =>
      required(
        api.GET('/api/directory/messages', {
          params: { query: { box, limit: PEOPLE_PAGE_SIZE, cursor: pageParam } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

/** Sends a message to a person through Cairn. */
export function sendMessage(personId: string, body: string): Promise<ContactMessage> {
  return required(
    api.POST('/api/directory/people/{personId}/messages', { params: { path: { personId } }, body: { body } }),
  );
}
