import { ApiError } from '../../api/problem';
import { fieldNameOf } from '../identity/organisations/errors';
import type { SelectorInput, SelectorType } from './api';

/** Every kind of selector, in the order the editor offers them. */
export const SELECTOR_TYPES = [
  'phone',
  'email',
  'person',
  'identity_document',
  'bank_account',
  'vehicle_plate',
  'organisation_name',
  'online_handle',
  'address',
] as const satisfies readonly SelectorType[];

/** How one field of a selector is typed: free text, a year, a country or a platform. */
export type SelectorFieldKind = 'text' | 'year' | 'country' | 'platform';

/** One field a kind of selector needs (or may have). */
export interface SelectorFieldSpec {
  name: string;
  kind: SelectorFieldKind;
  required: boolean;
}

const field = (name: string, kind: SelectorFieldKind = 'text', required = false): SelectorFieldSpec => ({
  name,
  kind,
  required,
});

/** The fields of each kind of selector, as the server's selectorInputSchema takes them. */
export const SELECTOR_FIELDS: Readonly<Record<SelectorType, readonly SelectorFieldSpec[]>> = {
  person: [field('name', 'text', true), field('birthYear', 'year'), field('nationality', 'country')],
  phone: [field('number', 'text', true), field('defaultCountry', 'country')],
  email: [field('address', 'text', true)],
  identity_document: [field('number', 'text', true), field('issuingCountry', 'country', true)],
  bank_account: [field('account', 'text', true), field('country', 'country')],
  vehicle_plate: [field('plate', 'text', true), field('country', 'country', true)],
  organisation_name: [field('name', 'text', true)],
  online_handle: [field('handle', 'text', true), field('platform', 'platform')],
  address: [field('address', 'text', true), field('country', 'country', true)],
};

/** The platforms a handle may be given for (the server's platformHosts). */
export const PLATFORMS = [
  'facebook',
  'instagram',
  'tiktok',
  'x',
  'telegram',
  'vk',
  'youtube',
  'linkedin',
  'snapchat',
  'line',
  'wechat',
  'viber',
  'whatsapp',
] as const;

/** One selector as the editor holds it: its kind and the text of each of its fields. */
export interface SelectorDraft {
  /** A stable React key; never sent. */
  key: number;
  type: SelectorType;
  values: Record<string, string>;
}

let nextKey = 1;

/** A new, empty selector of a kind. */
export function newSelector(type: SelectorType = 'phone'): SelectorDraft {
  return { key: nextKey++, type, values: {} };
}

/** Whether a string is a kind of selector. */
export function isSelectorType(value: string): value is SelectorType {
  return (SELECTOR_TYPES as readonly string[]).includes(value);
}

/** Whether a year field holds a whole number (or nothing). */
const isYear = (value: string) => value === '' || /^\d{1,4}$/.test(value);

/** Which fields of a selector are empty though required, or not a year though they should be (the server says the rest). */
export function invalidFields(draft: SelectorDraft): string[] {
  return SELECTOR_FIELDS[draft.type]
    .filter((spec) => {
      const value = (draft.values[spec.name] ?? '').trim();
      return (spec.required && value === '') || (spec.kind === 'year' && !isYear(value));
    })
    .map((spec) => spec.name);
}

/**
 * The selector the server takes: only the fields of its kind (a value typed under another kind is left out),
 * trimmed, empty optional fields dropped, the birth year as a number.
 */
export function toSelectorInput(draft: SelectorDraft): SelectorInput {
  const out: Record<string, string | number> = { type: draft.type };
  for (const spec of SELECTOR_FIELDS[draft.type]) {
    const value = (draft.values[spec.name] ?? '').trim();
    if (value === '') continue;
    if (spec.kind !== 'year') out[spec.name] = value;
    // A year that is not a whole number is left out; invalidFields stops the form before it is sent.
    else if (isYear(value)) out[spec.name] = Number(value);
  }
  return out as unknown as SelectorInput;
}

/** The selectors of the editor, in order, as the request body's list. */
export function selectorsBody(drafts: readonly SelectorDraft[]): SelectorInput[] {
  return drafts.map(toSelectorInput);
}

/** The form name of the n-th selector (0-based), under which its errors are shown. */
export const selectorField = (index: number) => `selectors.${index}`;

/** Errors placed on a form with a selector editor: per field, per selector, or for the form. */
export interface SelectorFormErrors {
  fieldErrors: Record<string, string>;
  formError?: string;
}

/**
 * Places the server's field errors: `body.selectors.2` (or `body.selectors.2.number`) beside the third
 * selector, `body.selectors` beside the list, other fields of `fields` beside themselves, the rest in the
 * form's message, so nothing the server said is dropped.
 */
export function placeErrors(error: unknown, fields: readonly string[]): SelectorFormErrors | null {
  if (!(error instanceof ApiError) || !error.problem) return null;
  const fieldErrors: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const item of error.problem.errors ?? []) {
    const path = item.path.replace(/^body\./, '');
    const selector = /^selectors\.(\d+)(\.|$)/.exec(path);
    const name = selector ? selectorField(Number(selector[1])) : fieldNameOf(item.path);
    if (selector || name === 'selectors' || fields.includes(name)) fieldErrors[name] ??= item.message;
    else unplaced.push(item.message);
  }
  if (Object.keys(fieldErrors).length > 0 && unplaced.length === 0) return { fieldErrors };
  const formError = unplaced.length > 0 ? unplaced.join(' ') : (error.problem.detail ?? error.problem.title);
  return { fieldErrors, formError };
}
