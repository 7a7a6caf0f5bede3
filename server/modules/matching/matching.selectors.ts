import {
  normaliseAddress,
  normaliseBankAccount,
  normaliseCountry,
  normaliseEmail,
  normaliseIdentityDocument,
  normaliseOnlineHandle,
  normaliseOrganisationName,
  normalisePersonName,
  normalisePhone,
  normaliseVehiclePlate,
  type Normalised,
  type NormalisedName,
  type SelectorErrorCode,
  type SelectorType,
} from './matching.normalise.js';

/**
 * Selectors as the matching module compares them: a type and one canonical string (what is blind indexed), built
 * from raw input by the normalisers. Names are only ever compound: a person is a name with a birth year or a
 * nationality (a name made of one word needs both), so a bare first name can never be looked up or matched.
 */

/** What a user or a case file gives for one selector, before normalisation. */
export type SelectorInput =
  | { type: 'person'; name: string; birthYear?: number; nationality?: string }
  | { type: 'phone'; number: string; defaultCountry?: string }
  | { type: 'email'; address: string }
  | { type: 'identity_document'; number: string; issuingCountry: string }
  | { type: 'bank_account'; account: string; country?: string }
  | { type: 'vehicle_plate'; plate: string; country: string }
  | { type: 'organisation_name'; name: string }
  | { type: 'online_handle'; handle: string; platform?: string }
  | { type: 'address'; address: string; country: string };

/** The selector kinds compared across organisations; persons come as two compound kinds. */
export type CanonicalSelectorType =
  Exclude<SelectorType, 'person_name'> | 'person_name_birth_year' | 'person_name_nationality';

export interface CanonicalSelector {
  type: CanonicalSelectorType;
  /** The canonical text, never shown, logged or stored: only its blind index leaves this process. */
  canonical: string;
}

/** One person input gives one canonical selector per compound it allows, plus the name itself for fuzzy matching. */
export interface CanonicalSelectors {
  selectors: CanonicalSelector[];
  /** Present for a person: the normalised name, input to the Bloom-filter encoding (matching.blind.ts). */
  name?: NormalisedName;
}

/** The oldest and newest birth year accepted (a person noted today may be a child). */
export const birthYears = { min: 1900, max: 2100 } as const;

/**
 * The canonical selectors of one input. A person gives `person_name_birth_year` and/or `person_name_nationality`
 * (name tokens sorted, then `|1990` or `|VN`), plus phonetic twins (`~` + Double Metaphone codes) so a spelling
 * variant with the same sound still meets exactly.
 */
export function canonicalSelectors(input: SelectorInput): Normalised<CanonicalSelectors> {
  const single = (type: CanonicalSelectorType, result: Normalised<string>): Normalised<CanonicalSelectors> =>
    result.ok ? { ok: true, value: { selectors: [{ type, canonical: result.value }] } } : result;
  switch (input.type) {
    case 'person':
      return personSelectors(input);
    case 'phone':
      return single('phone', normalisePhone(input.number, input.defaultCountry));
    case 'email':
      return single('email', normaliseEmail(input.address));
    case 'identity_document':
      return single('identity_document', normaliseIdentityDocument(input.number, input.issuingCountry));
    case 'bank_account':
      return single('bank_account', normaliseBankAccount(input.account, input.country));
    case 'vehicle_plate':
      return single('vehicle_plate', normaliseVehiclePlate(input.plate, input.country));
    case 'organisation_name':
      return single('organisation_name', normaliseOrganisationName(input.name));
    case 'online_handle':
      return single('online_handle', normaliseOnlineHandle(input.handle, input.platform));
    case 'address':
      return single('address', normaliseAddress(input.address, input.country));
  }
}

function personSelectors(input: Extract<SelectorInput, { type: 'person' }>): Normalised<CanonicalSelectors> {
  const name = normalisePersonName(input.name);
  if (!name.ok) return name;
  const fail = (code: SelectorErrorCode): Normalised<CanonicalSelectors> => ({ ok: false, code });
  let year: number | undefined;
  if (input.birthYear !== undefined) {
    if (
      !Number.isInteger(input.birthYear) ||
      input.birthYear < birthYears.min ||
      input.birthYear > birthYears.max
    )
      return fail('birth_year_invalid');
    year = input.birthYear;
  }
  let nationality: string | undefined;
  if (input.nationality !== undefined) {
    const country = normaliseCountry(input.nationality);
    if (!country.ok) return country;
    nationality = country.value;
  }
  // Never a bare first name: a name needs a birth year or a nationality; a one-word name needs both.
  const qualifiers = (year === undefined ? 0 : 1) + (nationality === undefined ? 0 : 1);
  if (qualifiers === 0 || (name.value.tokens.length < 2 && qualifiers < 2)) return fail('bare_first_name');
  const selectors: CanonicalSelector[] = [];
  const compound = (suffix: string, type: CanonicalSelectorType): void => {
    selectors.push({ type, canonical: `${name.value.key}|${suffix}` });
    if (name.value.phonetic !== '') selectors.push({ type, canonical: `~${name.value.phonetic}|${suffix}` });
  };
  if (year !== undefined) compound(String(year), 'person_name_birth_year');
  if (nationality !== undefined) compound(nationality, 'person_name_nationality');
  return { ok: true, value: { selectors, name: name.value } };
}

/** Selector kinds that identify on their own: one of them is enough for a lookup. */
export const strongSelectorTypes: readonly CanonicalSelectorType[] = [
  'identity_document',
  'phone',
  'bank_account',
];

export type LookupDecision =
  { allowed: true } | { allowed: false; reason: 'needs_two_attributes_or_strong_selector' };

/**
 * The abuse rule of issue 8: a lookup needs at least two attributes or one strong selector (document, phone,
 * account). Counted on inputs that normalised successfully. A person counts as two attributes — a name with its
 * birth year or nationality — since canonicalSelectors already refuses a bare name; two values of the same weak
 * type (two e-mails) count as two attributes.
 */
export function lookupAllowed(inputs: readonly CanonicalSelectors[]): LookupDecision {
  let attributes = 0;
  for (const input of inputs) {
    const first = input.selectors[0];
    if (!first) continue;
    if (strongSelectorTypes.includes(first.type)) return { allowed: true };
    attributes += input.name ? 2 : 1;
  }
  return attributes >= 2
    ? { allowed: true }
    : { allowed: false, reason: 'needs_two_attributes_or_strong_selector' };
}
