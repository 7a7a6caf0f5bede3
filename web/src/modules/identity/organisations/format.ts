import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { FALLBACK_LANGUAGE } from '../../../i18n/languages';
import { formatCountryList } from './countries';

/** Date and list formatting in the reader's language, for table cells and details (sentences use ICU). */
export function useFormat() {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? FALLBACK_LANGUAGE;
  return useMemo(() => {
    const date = new Intl.DateTimeFormat([language], { dateStyle: 'medium' });
    const dateTime = new Intl.DateTimeFormat([language], { dateStyle: 'medium', timeStyle: 'short' });
    return {
      language,
      date: (iso: string) => date.format(new Date(iso)),
      dateTime: (iso: string) => dateTime.format(new Date(iso)),
      countries: (codes: readonly string[]) => formatCountryList(codes, language),
    };
  }, [language]);
}
