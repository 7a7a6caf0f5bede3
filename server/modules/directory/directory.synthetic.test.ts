import { describe, expect, it } from 'vitest';
import { isCountryCode, organisationTypes } from '../identity/index.js';
import { placeById } from './directory.gazetteer.js';
import { profileInputSchema } from './directory.profiles.schemas.js';
import { syntheticOrganisation, syntheticOrganisations } from './directory.synthetic.js';
import { countrySpecs, languagePacks } from './directory.synthetic.text.js';
import { isLanguageCode } from './directory.vocabulary.js';

describe('synthetic directory organisations', () => {
  const first = syntheticOrganisations(7, 1000);

  it('is deterministic: the same seed and index give the same organisation, whatever came before', () => {
    expect(syntheticOrganisations(7, 50)).toEqual(first.slice(0, 50));
    expect(syntheticOrganisations(7, 10, 500)).toEqual(first.slice(500, 510));
    expect(syntheticOrganisation(7, 999)).toEqual(first[999]);
    // Another seed is another directory.
    const other = syntheticOrganisations(8, 50);
    expect(other.map((o) => o.organisation.name)).not.toEqual(
      first.slice(0, 50).map((o) => o.organisation.name),
    );
  });

  it('covers at least 115 countries in the first 1,000, weighted towards where the work concentrates', () => {
    const homes = first.map((o) => o.profile.countries[0]!);
    expect(new Set(homes).size).toBeGreaterThanOrEqual(115);
    const count = (code: string) => homes.filter((c) => c === code).length;
    // Thailand (weight 7) has many more than Iceland (weight 0.3), which still appears.
    expect(count('TH')).toBeGreaterThan(3 * count('IS'));
    expect(count('IS')).toBeGreaterThanOrEqual(1);
  });

  it('makes profiles the profile editor accepts, unchanged by its schema', () => {
    for (const { organisation, profile } of first) {
      const parsed = profileInputSchema.safeParse(profile);
      expect(parsed.success, `${organisation.name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      // Nothing trimmed, defaulted or dropped: what is generated is what gets stored.
      expect(parsed.data).toEqual(profile);
      expect(organisationTypes).toContain(organisation.type);
      expect(organisation.countries).toEqual(profile.countries);
      expect(organisation.name.length).toBeGreaterThan(3);
    }
  });

  it('places offices on real places of the home country, with one main office', () => {
    for (const { profile } of first.slice(0, 300)) {
      expect(profile.offices.length).toBeGreaterThanOrEqual(1);
      expect(profile.offices.length).toBeLessThanOrEqual(3);
      expect(profile.offices.filter((o) => o.isMain)).toHaveLength(1);
      for (const office of profile.offices) {
        expect(placeById(office.placeId)?.country).toBe(profile.countries[0]);
      }
    }
  });

  it('names and describes organisations in the languages of their country, in their scripts', () => {
    const khmer = first.filter((o) => o.profile.countries[0] === 'KH');
    expect(khmer.length).toBeGreaterThan(0);
    for (const o of khmer) {
      expect(o.profile.descriptions[0]?.language).toBe('km');
      expect(o.profile.descriptions[0]?.short).toMatch(/[\u1780-\u17ff]/);
    }
    // Organisations named after a theme (most NGOs) also carry their Khmer name.
    const khmerNamed = khmer.filter((o) => o.profile.otherNames.some((n) => /[\u1780-\u17ff]/.test(n)));
    expect(khmerNamed.length / khmer.length).toBeGreaterThan(0.4);
    const ethiopian = first.find((o) => o.profile.countries[0] === 'ET')!;
    expect(ethiopian.profile.descriptions[0]?.short).toMatch(/[\u1200-\u137f]/);
    const languages = new Set(first.flatMap((o) => o.profile.descriptions.map((d) => d.language)));
    for (const language of ['km', 'th', 'vi', 'sw', 'am', 'ar', 'es', 'fr', 'pt', 'en', 'ne', 'bn', 'ru'])
      expect(languages).toContain(language);
    // Descriptions are sentences, not placeholders.
    for (const o of first) {
      for (const d of o.profile.descriptions) {
        expect(d.short).not.toMatch(/[{}]|undefined|null/);
        expect(d.long).not.toMatch(/[{}]|undefined|null/);
        expect(d.long.length).toBeGreaterThan(d.short.length);
      }
    }
  });

  it('varies visibility: some hide their exact location, some are unlisted, some keep fields to members', () => {
    const hidden = first.filter((o) => o.profile.hideExactLocation).length;
    const unlisted = first.filter((o) => !o.profile.listed).length;
    expect(hidden).toBeGreaterThan(20);
    expect(hidden).toBeLessThan(100);
    expect(unlisted).toBeGreaterThan(10);
    expect(unlisted).toBeLessThan(60);
    expect(first.some((o) => o.profile.visibility.hotlines === 'members')).toBe(true);
    expect(first.some((o) => o.profile.visibility.contacts === 'partners')).toBe(true);
    expect(first.some((o) => o.profile.countries.length > 1)).toBe(true);
    expect(first.some((o) => o.profile.networks.length > 0)).toBe(true);
    expect(first.some((o) => o.profile.hotlines.length > 0)).toBe(true);
  });

  it('never gives a number that can be dialled or a website outside example.org', () => {
    const numbers = first.flatMap((o) => [
      ...o.profile.offices.flatMap((office) => (office.phone ? [office.phone] : [])),
      ...o.profile.contacts.flatMap((c) => (c.phone ? [c.phone] : [])),
      ...o.profile.hotlines.filter((h) => h.number.startsWith('+')).map((h) => h.number),
    ]);
    expect(numbers.length).toBeGreaterThan(100);
    for (const number of numbers) {
      const country = countrySpecs.find((c) => number.startsWith(`+${c.callingCode}00`));
      expect(country, number).toBeDefined();
    }
    for (const o of first) {
      if (o.profile.website) expect(new URL(o.profile.website).hostname).toMatch(/\.example\.org$/);
    }
  });

  it('uses only valid countries, languages and complete language packs', () => {
    for (const country of countrySpecs) {
      expect(isCountryCode(country.code), country.code).toBe(true);
      for (const language of country.spoken) expect(isLanguageCode(language), language).toBe(true);
      for (const language of country.written) expect(languagePacks[language], language).toBeDefined();
      expect(languagePacks[country.nameLanguage]?.placed, country.code).toBeDefined();
    }
    expect(new Set(countrySpecs.map((c) => c.code)).size).toBe(countrySpecs.length);
  });
});
