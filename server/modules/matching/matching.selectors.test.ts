import { describe, expect, it } from 'vitest';
import type { Normalised } from './matching.normalise.js';
import {
  canonicalSelectors,
  lookupAllowed,
  type CanonicalSelectors,
  type SelectorInput,
} from './matching.selectors.js';

// Made-up people, numbers and companies only.

function selectors(input: SelectorInput): CanonicalSelectors {
  const result: Normalised<CanonicalSelectors> = canonicalSelectors(input);
  if (!result.ok) throw new Error(`expected selectors, got ${result.code}`);
  return result.value;
}

describe('compound person selectors', () => {
  it('a name with a birth year and a nationality gives both compounds and their phonetic twins', () => {
    const person = selectors({ type: 'person', name: 'Trần Văn Bảo', birthYear: 1994, nationality: 'vn' });
    expect(person.selectors).toEqual([
      { type: 'person_name_birth_year', canonical: 'bao tran van|1994' },
      { type: 'person_name_birth_year', canonical: '~FN P TRN|1994' },
      { type: 'person_name_nationality', canonical: 'bao tran van|VN' },
      { type: 'person_name_nationality', canonical: '~FN P TRN|VN' },
    ]);
    expect(person.name?.tokens).toEqual(['tran', 'van', 'bao']);
  });

  it('the same person in Cyrillic and in Latin, in another order, meets on the same selector', () => {
    const a = selectors({ type: 'person', name: 'Ольга Кузнецова', birthYear: 1988 });
    const b = selectors({ type: 'person', name: 'KUZNETSOVA Olga', birthYear: 1988 });
    expect(a.selectors).toEqual(b.selectors);
  });

  it('never a bare name: a name needs a birth year or a nationality, a one-word name both', () => {
    expect(canonicalSelectors({ type: 'person', name: 'Tesfaye Gebremariam' })).toEqual({
      ok: false,
      code: 'bare_first_name',
    });
    expect(canonicalSelectors({ type: 'person', name: 'Tesfaye', birthYear: 1990 })).toEqual({
      ok: false,
      code: 'bare_first_name',
    });
    expect(canonicalSelectors({ type: 'person', name: 'ተስፋዬ', nationality: 'ET' })).toEqual({
      ok: false,
      code: 'bare_first_name',
    });
    expect(
      selectors({ type: 'person', name: 'ተስፋዬ', birthYear: 1990, nationality: 'ET' }).selectors[0],
    ).toEqual({
      type: 'person_name_birth_year',
      canonical: 'tesfaye|1990',
    });
  });

  it('refuses impossible birth years and unknown nationalities', () => {
    for (const birthYear of [1899, 2101, 1990.5, Number.NaN])
      expect(canonicalSelectors({ type: 'person', name: 'Lina Haddad', birthYear })).toEqual({
        ok: false,
        code: 'birth_year_invalid',
      });
    expect(canonicalSelectors({ type: 'person', name: 'Lina Haddad', nationality: 'XX' })).toEqual({
      ok: false,
      code: 'country_invalid',
    });
  });
});

describe('single selectors', () => {
  it.each<[SelectorInput, string, string]>([
    [{ type: 'phone', number: '081-234-5678', defaultCountry: 'TH' }, 'phone', '+66812345678'],
    [{ type: 'email', address: 'Recruit.Asia+x@gmail.com' }, 'email', 'recruitasia@gmail.com'],
    [
      { type: 'identity_document', number: 'n 0123 4567', issuingCountry: 'KH' },
      'identity_document',
      'KH:N01234567',
    ],
    [
      { type: 'bank_account', account: 'DE89 3704 0044 0532 0130 00' },
      'bank_account',
      'IBAN:DE89370400440532013000',
    ],
    [{ type: 'vehicle_plate', plate: 'Х 123 АВ 77', country: 'RU' }, 'vehicle_plate', 'RU:X123AB77'],
    [{ type: 'organisation_name', name: 'PT Maju Jaya' }, 'organisation_name', 'maju jaya'],
    [{ type: 'online_handle', handle: 'https://t.me/jobs_abroad' }, 'online_handle', 'telegram:jobs_abroad'],
    [
      { type: 'address', address: '12 St. 21, Phnom Penh', country: 'KH' },
      'address',
      'KH:12 street 21 phnom penh',
    ],
  ])('%o → %s %s', (input, type, canonical) => {
    expect(selectors(input)).toEqual({ selectors: [{ type, canonical }] });
  });

  it('passes the normaliser’s error code through', () => {
    expect(canonicalSelectors({ type: 'phone', number: '0812345678' })).toEqual({
      ok: false,
      code: 'country_required',
    });
  });
});

describe('the lookup rule: two attributes or one strong selector', () => {
  const email = selectors({ type: 'email', address: 'someone@example.org' });
  const handle = selectors({ type: 'online_handle', handle: 'someone', platform: 'telegram' });
  const company = selectors({ type: 'organisation_name', name: 'Golden Bridge Sdn Bhd' });
  const phone = selectors({ type: 'phone', number: '+84912345678' });
  const document = selectors({ type: 'identity_document', number: 'C1234567', issuingCountry: 'VN' });
  const account = selectors({ type: 'bank_account', account: '1234567890', country: 'TH' });
  const person = selectors({ type: 'person', name: 'Lina Haddad', birthYear: 1991 });
  const refused = { allowed: false, reason: 'needs_two_attributes_or_strong_selector' };

  it('refuses nothing, or one weak attribute alone', () => {
    expect(lookupAllowed([])).toEqual(refused);
    expect(lookupAllowed([email])).toEqual(refused);
    expect(lookupAllowed([company])).toEqual(refused);
    expect(lookupAllowed([{ selectors: [] }])).toEqual(refused);
  });

  it('allows one strong selector alone', () => {
    for (const strong of [phone, document, account])
      expect(lookupAllowed([strong])).toEqual({ allowed: true });
  });

  it('allows two weak attributes, or a compound person (name + birth year or nationality)', () => {
    expect(lookupAllowed([email, handle])).toEqual({ allowed: true });
    expect(lookupAllowed([company, email])).toEqual({ allowed: true });
    expect(lookupAllowed([person])).toEqual({ allowed: true });
  });
});
