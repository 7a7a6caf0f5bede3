import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import en from '../../i18n/locales/en.json';
import ISO6391 from 'iso-639-1';
import { LANGUAGE_CODES, VOCABULARIES, isOneOf, vocabularyKey, type VocabularyName } from './vocabulary';

// The web keeps its own copy of the server's code lists (it never imports server code). These tests are
// what keeps the copy honest: against the published API, and against the server's source for the lists
// the API does not carry yet.
const root = new URL('../../../../', import.meta.url);
const openapi: unknown = JSON.parse(readFileSync(new URL('docs/openapi.json', root), 'utf8'));
const serverVocabulary = readFileSync(
  new URL('server/modules/directory/directory.vocabulary.ts', root),
  'utf8',
);

/** Every `enum` array anywhere in the OpenAPI document. */
function enumsOf(node: unknown, into: string[][] = []): string[][] {
  if (Array.isArray(node)) {
    for (const item of node) enumsOf(item, into);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' && Array.isArray(value) && value.every((v) => typeof v === 'string')) {
        into.push(value);
      } else {
        enumsOf(value, into);
      }
    }
  }
  return into;
}

/** The string items of `export const <name> = [ ... ] as const` in the server's vocabulary file. */
function serverList(name: string): string[] {
  const match = new RegExp(`export const ${name} = \\[([^\\]]*)\\] as const`).exec(serverVocabulary);
  if (!match?.[1]) throw new Error(`directory.vocabulary.ts has no list "${name}"`);
  return [...match[1].matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
}

const apiEnums = enumsOf(openapi);
const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, index) => value === b[index]);

// Each list, the server's name for it, one of its values to find the API's enums by, and whether the API
// must carry it.
const lists: Record<VocabularyName, { server: string; anchor: string; inApi: boolean }> = {
  services: { server: 'services', anchor: 'legal_aid', inApi: true },
  populations: { server: 'populations', anchor: 'fishers', inApi: true },
  exploitationTypes: { server: 'exploitationTypes', anchor: 'ForcedCriminality', inApi: true },
  industries: { server: 'industries', anchor: 'F_Construction', inApi: true },
  focus: { server: 'focusAreas', anchor: 'prosecution', inApi: true },
  hotlineChannels: { server: 'hotlineChannels', anchor: 'whatsapp', inApi: true },
  visibility: { server: 'visibilityLevels', anchor: 'partners', inApi: true },
  genders: { server: 'genders', anchor: 'non_binary', inApi: true },
  ageBands: { server: 'ageBands', anchor: '60_plus', inApi: true },
  urgencies: { server: 'urgencies', anchor: 'within_days', inApi: true },
  declineReasons: { server: 'declineReasons', anchor: 'population_not_served', inApi: true },
};

describe('directory vocabularies', () => {
  for (const [name, { server, anchor, inApi }] of Object.entries(lists) as [
    VocabularyName,
    (typeof lists)[VocabularyName],
  ][]) {
    const list: readonly string[] = VOCABULARIES[name];

    it(`${name}: same codes, same order as the server`, () => {
      expect([...list]).toEqual(serverList(server));
    });

    it(`${name}: the API's enum is exactly this list, and every enum built with it holds all of it`, () => {
      const matching = apiEnums.filter((values) => values.includes(anchor));
      if (inApi) expect(matching.some((values) => sameList(values, list))).toBe(true);
      // Some enums join several vocabularies (a person's expertise: focus areas and services); this list
      // must appear in them whole and in order.
      for (const values of matching) {
        const start = values.indexOf(list[0] ?? '');
        expect(values.slice(start, start + list.length)).toEqual([...list]);
      }
    });

    it(`${name}: every code has an English name, and no name is left for a code that went`, () => {
      const names = (en.directory.vocabulary as Record<string, Record<string, string>>)[name] ?? {};
      expect(Object.keys(names).sort()).toEqual([...list].sort());
      for (const code of list) expect(vocabularyKey(name, code)).toBe(`directory.vocabulary.${name}.${code}`);
    });
  }
});

describe('LANGUAGE_CODES', () => {
  it('is the ISO 639-1 list the server accepts', () => {
    expect([...LANGUAGE_CODES]).toEqual(ISO6391.getAllCodes());
  });
});

describe('isOneOf', () => {
  it('accepts the list’s values only', () => {
    expect(isOneOf(VOCABULARIES.services, 'shelter')).toBe(true);
    expect(isOneOf(VOCABULARIES.services, 'Shelter')).toBe(false);
    expect(isOneOf(VOCABULARIES.services, null)).toBe(false);
    expect(isOneOf(VOCABULARIES.services, undefined)).toBe(false);
  });
});
