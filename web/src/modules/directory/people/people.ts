import { COUNTRY_CODES } from '../../identity/organisations/countries';
import { FOCUS_AREAS, LANGUAGE_CODES, SERVICES, isOneOf, vocabularyKey, type FocusArea } from '../vocabulary';
import type { Expertise, MessageBox, PeopleFilters } from './api';

/** Every expertise code, focus areas first, in the order the editor and the filter show them. */
export const EXPERTISE: readonly Expertise[] = [...FOCUS_AREAS, ...SERVICES];

/** The translation key of an expertise code: it is a focus area or a service of the directory vocabulary. */
export function expertiseKey(code: Expertise): string {
  return isOneOf<FocusArea>(FOCUS_AREAS, code)
    ? vocabularyKey('focus', code)
    : vocabularyKey('services', code);
}

/** Web paths of the people pages; the server's emails link to `messages` (keep them in step). */
export const peoplePaths = {
  search: '/directory/people',
  person: (personId: string) => `/directory/people/${personId}`,
  myProfile: '/directory/my-profile',
  messages: '/directory/messages',
  sent: '/directory/messages?box=sent',
};

/** Reads the people search's filters from the address, ignoring anything that is not a known value. */
export function peopleFiltersFrom(params: URLSearchParams): PeopleFilters {
  const q = params.get('q')?.trim();
  const expertise = params.get('expertise');
  const language = params.get('language');
  const country = params.get('country');
  return {
    q: q ? q.slice(0, 100) : undefined,
    expertise: isOneOf(EXPERTISE, expertise) ? expertise : undefined,
    language: isOneOf(LANGUAGE_CODES, language) ? language : undefined,
    country: isOneOf(COUNTRY_CODES, country) ? country : undefined,
  };
}

/** Writes filters into an address's query, leaving out what is "any", in a fixed order (shareable links). */
export function peopleParamsOf(filters: PeopleFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['q', 'expertise', 'language', 'country'] as const) {
    const value = filters[name];
    if (value) params.set(name, value);
  }
  return params;
}

/** Which box of messages the address asks for; anything unknown is the inbox. */
export function messageBoxFrom(params: URLSearchParams): MessageBox {
  return params.get('box') === 'sent' ? 'sent' : 'inbox';
}
