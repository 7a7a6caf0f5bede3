import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { countryName } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { languageName } from '../profile/present';
import { vocabularyKey, type VocabularyName } from '../vocabulary';
import type { Filter } from './url-state';

/** The vocabulary each coded filter's values come from. */
const vocabularyOf: Partial<Record<Filter, VocabularyName>> = {
  service: 'services',
  population: 'populations',
  exploitation: 'exploitationTypes',
  focus: 'focus',
  industry: 'industries',
};

/** Names a filter value in the reader's language: services by the vocabulary, countries by the browser… */
export function useFilterLabel(regionNames?: ReadonlyMap<string, string>) {
  const { t } = useTranslation();
  const format = useFormat();
  return useCallback(
    (filter: Filter, value: string): string => {
      const vocabulary = vocabularyOf[filter];
      if (vocabulary) return t(vocabularyKey(vocabulary, value));
      switch (filter) {
        case 'country':
          return countryName(value, format.language);
        case 'language':
          return languageName(value, format.language);
        case 'type':
          return t(`orgs.types.${value}`);
        case 'tier':
          return t(`orgs.tiers.${value}.name`);
        case 'region':
          return regionNames?.get(value) ?? value;
        default:
          return value;
      }
    },
    [t, format.language, regionNames],
  );
}
