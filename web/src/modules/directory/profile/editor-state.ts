import { normaliseWebsite } from '../../identity/organisations/form-data';
import {
  PROFILE_FIELDS,
  type ExploitationType,
  type FocusArea,
  type HotlineChannel,
  type Industry,
  type Population,
  type ProfileField,
  type Service,
  type Visibility,
} from '../vocabulary';
import type { Profile, ProfileInput } from './api';

/** A place chosen for an office: from the gazetteer (`id` set), or as saved before (`id` still unknown). */
export interface PlaceChoice {
  /** The gazetteer's id; null until the saved place has been found again (ids are not stored). */
  id: number | null;
  name: string;
  country: string;
  region: string | null;
  regionName: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Each row of a repeated group has a key of its own, so React keeps typed text with the right row. */
interface Row {
  key: string;
}

export interface TextRow extends Row {
  value: string;
}
export interface DescriptionRow extends Row {
  language: string;
  short: string;
  long: string;
}
export interface OfficeRow extends Row {
  label: string;
  place: PlaceChoice | null;
  street: string;
  postalCode: string;
  phone: string;
  isMain: boolean;
}
export interface HotlineRow extends Row {
  channel: HotlineChannel;
  number: string;
  hours: string;
  languages: string[];
}
export interface ContactRow extends Row {
  label: string;
  email: string;
  phone: string;
}

/** Everything the profile editor holds while the admin works on it. */
export interface EditorState {
  otherNames: TextRow[];
  descriptions: DescriptionRow[];
  focus: FocusArea[];
  services: Service[];
  populations: Population[];
  exploitationTypes: ExploitationType[];
  industries: Industry[];
  countries: string[];
  /** Region codes, with the names the reader has seen for them. */
  regions: { code: string; name: string }[];
  offices: OfficeRow[];
  languages: string[];
  hotlines: HotlineRow[];
  networks: TextRow[];
  website: string;
  contacts: ContactRow[];
  visibility: Record<ProfileField, Visibility>;
  listed: boolean;
  hideExactLocation: boolean;
}

let lastKey = 0;
/** A fresh key for a new row. */
export function rowKey(): string {
  lastKey += 1;
  return `row-${lastKey}`;
}

// What a new profile starts at, as the server does (directory.vocabulary.ts profileFieldVisibilityDefaults):
// offices, networks and contacts are for members; the rest is public.
const defaultVisibility: Record<ProfileField, Visibility> = Object.fromEntries(
  PROFILE_FIELDS.map((field) => [
    field,
    field === 'offices' || field === 'networks' || field === 'contacts' ? 'members' : 'public',
  ]),
) as Record<ProfileField, Visibility>;

/** The editor's state for a profile as the server sent it to its admin. */
export function editorStateOf(profile: Profile): EditorState {
  const visibility = { ...defaultVisibility };
  for (const field of PROFILE_FIELDS) {
    const level = profile.visibility?.[field];
    if (level) visibility[field] = level;
  }
  return {
    otherNames: (profile.otherNames ?? []).map((value) => ({ key: rowKey(), value })),
    descriptions: (profile.descriptions ?? []).map((d) => ({ key: rowKey(), ...d })),
    focus: [...(profile.focus ?? [])],
    services: [...(profile.services ?? [])],
    populations: [...(profile.populations ?? [])],
    exploitationTypes: [...(profile.exploitationTypes ?? [])],
    industries: [...(profile.industries ?? [])],
    countries: [...(profile.countries ?? [])],
    regions: (profile.regions ?? []).map((r) => ({ ...r })),
    offices: (profile.offices ?? []).map((office) => ({
      key: rowKey(),
      label: office.label,
      place: office.placeName
        ? {
            id: null,
            name: office.placeName,
            country: office.country,
            region: office.region,
            regionName: office.regionName,
            latitude: office.latitude,
            longitude: office.longitude,
          }
        : null,
      street: office.street ?? '',
      postalCode: office.postalCode ?? '',
      phone: office.phone ?? '',
      isMain: office.isMain,
    })),
    languages: [...(profile.languages ?? [])],
    hotlines: (profile.hotlines ?? []).map((h) => ({ key: rowKey(), ...h, languages: [...h.languages] })),
    networks: (profile.networks ?? []).map((value) => ({ key: rowKey(), value })),
    website: profile.website ?? '',
    contacts: (profile.contacts ?? []).map((c) => ({
      key: rowKey(),
      label: c.label,
      email: c.email ?? '',
      phone: c.phone ?? '',
    })),
    visibility,
    listed: profile.listed,
    hideExactLocation: profile.hideExactLocation,
  };
}

/** The profile fields an editor was not sent (saving replaces the whole profile, so they would be lost). */
export function fieldsNotSent(profile: Profile): ProfileField[] {
  return PROFILE_FIELDS.filter((field) => profile[field] === undefined);
}

/** A phone number as E.164 wants it: spaces, dashes, dots and brackets people type are dropped. */
export function compactPhone(value: string): string {
  return value.trim().replace(/[\s().-]/g, '');
}

/** The rows of a list that carry something, with the index each had on screen. */
function kept<T>(rows: readonly T[], hasContent: (row: T) => boolean): { row: T; index: number }[] {
  return rows.map((row, index) => ({ row, index })).filter(({ row }) => hasContent(row));
}

/** What {@link toProfileInput} gives: the request body, and how to put the server's errors back on screen. */
export interface Submission {
  input: ProfileInput;
  /**
   * Maps a field path of the request (`offices.1.placeId`) to the field on screen: blank rows are not sent,
   * so the request's row 1 may be the screen's row 2.
   */
  fieldOf: (path: string) => string;
  /** Problems found before sending (field name → translation key): offices without a chosen place. */
  problems: Record<string, string>;
}

/**
 * Builds the PUT body from the editor's state: text is trimmed, blank rows are left out, empty optional
 * values become null, and every field's visibility is sent so the saved profile is exactly what was shown.
 */
export function toProfileInput(state: EditorState): Submission {
  const lists: Record<string, number[]> = {};
  const problems: Record<string, string> = {};
  const remember = <T>(name: string, rows: { row: T; index: number }[]) => {
    lists[name] = rows.map((r) => r.index);
    return rows.map((r) => r.row);
  };

  const otherNames = remember(
    'otherNames',
    kept(state.otherNames, (r) => r.value.trim() !== ''),
  );
  const networks = remember(
    'networks',
    kept(state.networks, (r) => r.value.trim() !== ''),
  );
  const descriptions = remember(
    'descriptions',
    kept(state.descriptions, (r) => r.short.trim() !== '' || r.long.trim() !== ''),
  );
  const offices = remember(
    'offices',
    kept(state.offices, (r) => r.label.trim() !== '' || r.place !== null || r.street.trim() !== ''),
  );
  const hotlines = remember(
    'hotlines',
    kept(state.hotlines, (r) => r.number.trim() !== '' || r.hours.trim() !== ''),
  );
  const contacts = remember(
    'contacts',
    kept(state.contacts, (r) => r.label.trim() !== '' || r.email.trim() !== '' || r.phone.trim() !== ''),
  );

  offices.forEach((office, index) => {
    if (office.place?.id === null || office.place === null) {
      problems[`offices.${lists.offices?.[index] ?? index}.placeId`] = office.place
        ? 'directory.editor.errors.placeAgain'
        : 'directory.editor.errors.placeMissing';
    }
  });

  const input: ProfileInput = {
    otherNames: otherNames.map((r) => r.value.trim()),
    descriptions: descriptions.map((d) => ({
      language: d.language,
      short: d.short.trim(),
      long: d.long.trim(),
    })),
    focus: [...state.focus],
    services: [...state.services],
    populations: [...state.populations],
    exploitationTypes: [...state.exploitationTypes],
    industries: [...state.industries],
    countries: [...state.countries],
    // A region is kept only while its country is: removing Kenya removes Kenya's counties too.
    regions: state.regions.map((r) => r.code).filter((code) => state.countries.includes(code.slice(0, 2))),
    offices: offices.map((office) => ({
      label: office.label.trim(),
      placeId: office.place?.id ?? -1,
      street: office.street.trim() || null,
      postalCode: office.postalCode.trim() || null,
      phone: compactPhone(office.phone) || null,
      isMain: office.isMain,
    })),
    languages: [...state.languages],
    hotlines: hotlines.map((h) => ({
      channel: h.channel,
      number: h.number.trim(),
      hours: h.hours.trim(),
      // A hotline can only answer in languages the organisation still lists.
      languages: h.languages.filter((code) => state.languages.includes(code)),
    })),
    networks: networks.map((r) => r.value.trim()),
    website: normaliseWebsite(state.website) ?? null,
    contacts: contacts.map((c) => ({
      label: c.label.trim(),
      email: c.email.trim() || null,
      phone: compactPhone(c.phone) || null,
    })),
    visibility: { ...state.visibility },
    listed: state.listed,
    hideExactLocation: state.hideExactLocation,
  };

  const fieldOf = (path: string) => {
    const [list, index, ...rest] = path.split('.');
    const rows = list === undefined ? undefined : lists[list];
    if (rows === undefined || index === undefined || !/^\d+$/.test(index)) return path;
    const screen = rows[Number(index)];
    return screen === undefined ? path : [list, String(screen), ...rest].join('.');
  };

  return { input, fieldOf, problems };
}

/** Whether a saved office's place is this gazetteer place (same name and point). */
export function isSamePlace(
  place: PlaceChoice,
  candidate: { name: string; latitude: number; longitude: number },
) {
  if (place.latitude === null || place.longitude === null) return place.name === candidate.name;
  return (
    Math.abs(place.latitude - candidate.latitude) < 1e-6 &&
    Math.abs(place.longitude - candidate.longitude) < 1e-6
  );
}
