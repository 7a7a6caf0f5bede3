import { useMemo } from 'react';
import { useFormat } from '../identity/organisations/format';

/**
 * A calendar date (YYYY-MM-DD) in the reader's language. Such dates have no time zone: they are formatted
 * as UTC so that a follow-up due on the 5th never reads as the 4th west of Greenwich.
 */
export function formatDay(iso: string, language: string): string {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat([language], { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** The identity module's formatting (dates with times, country lists), plus calendar dates and numbers. */
export function useCaseFormat() {
  const format = useFormat();
  return useMemo(() => {
    const number = new Intl.NumberFormat([format.language]);
    return {
      ...format,
      day: (iso: string) => formatDay(iso, format.language),
      number: (value: number) => number.format(value),
    };
  }, [format]);
}
