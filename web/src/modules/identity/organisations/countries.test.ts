import { describe, expect, it } from 'vitest';
import {
  COUNTRY_CODES,
  countriesFor,
  countryName,
  foldForSearch,
  formatCountryList,
  searchCountries,
  sortCodesByName,
} from './countries';

const codesOf = (list: { code: string }[]) => list.map((country) => country.code);

describe('COUNTRY_CODES', () => {
  it('lists 250 distinct two-letter codes (ISO 3166-1 and XK), sorted', () => {
    expect(COUNTRY_CODES).toHaveLength(250);
    expect(new Set(COUNTRY_CODES).size).toBe(250);
    expect(COUNTRY_CODES.every((code) => /^[A-Z]{2}$/.test(code))).toBe(true);
    expect([...COUNTRY_CODES].sort()).toEqual([...COUNTRY_CODES]);
    expect(COUNTRY_CODES).toContain('XK');
  });
});

describe('countryName', () => {
  it('names countries in the reader’s language', () => {
    expect(countryName('KE', 'en')).toBe('Kenya');
    expect(countryName('DE', 'es')).toBe('Alemania');
    expect(countryName('DE', 'fr')).toBe('Allemagne');
    expect(countryName('EG', 'ar')).toBe('مصر');
  });
});

describe('foldForSearch', () => {
  it('ignores case, accents and punctuation', () => {
    expect(foldForSearch('Côte d’Ivoire')).toBe('cote d ivoire');
    expect(foldForSearch("Côte d'Ivoire")).toBe('cote d ivoire');
    expect(foldForSearch('  PERÚ ')).toBe('peru');
  });

  it('treats Arabic letter variants and short vowels as the same letter', () => {
    expect(foldForSearch('إثيوبيا')).toBe(foldForSearch('اثيوبيا'));
    expect(foldForSearch('مِصْر')).toBe('مصر');
    expect(foldForSearch('السعودية')).toBe(foldForSearch('السعوديه'));
  });
});

describe('searchCountries', () => {
  const english = countriesFor('en');
  const arabic = countriesFor('ar');

  it('returns every country for an empty query', () => {
    expect(searchCountries(english, '  ')).toHaveLength(250);
  });

  it('matches the start of any word of the name, without accents', () => {
    expect(codesOf(searchCountries(english, 'congo')).sort()).toEqual(['CD', 'CG']);
    expect(codesOf(searchCountries(english, 'ivo'))).toEqual(['CI']);
    expect(codesOf(searchCountries(english, 'cote'))).toEqual(['CI']);
    expect(codesOf(searchCountries(english, "côte d'iv"))).toEqual(['CI']);
    expect(codesOf(searchCountries(english, 'leste'))).toContain('TL');
    expect(codesOf(searchCountries(english, 'enya'))).toEqual([]);
  });

  it('matches two-letter ISO codes', () => {
    expect(codesOf(searchCountries(english, 'KE'))).toContain('KE');
    expect(codesOf(searchCountries(english, 'ke'))[0]).toBeDefined();
  });

  it('finds countries by their Arabic name, and by their English name in the Arabic interface', () => {
    expect(codesOf(searchCountries(arabic, 'مصر'))).toEqual(['EG']);
    expect(codesOf(searchCountries(arabic, 'kenya'))).toEqual(['KE']);
  });
});

describe('countriesFor', () => {
  it('sorts by the name in the reader’s language', () => {
    const spanish = countriesFor('es').map((country) => country.name);
    const sorted = [...spanish].sort(new Intl.Collator('es').compare);
    expect(spanish).toEqual(sorted);
  });
});

describe('sortCodesByName and formatCountryList', () => {
  it('sorts codes by their localised names and joins them the local way', () => {
    expect(sortCodesByName(['UG', 'KE', 'DE'], 'en')).toEqual(['DE', 'KE', 'UG']);
    expect(sortCodesByName(['UG', 'KE', 'DE'], 'es')).toEqual(['DE', 'KE', 'UG']);
    expect(formatCountryList(['UG', 'KE', 'TZ'], 'en')).toBe('Kenya, Tanzania, and Uganda');
    expect(formatCountryList(['KE'], 'fr')).toBe('Kenya');
  });
});
