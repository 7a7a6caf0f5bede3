import { languageName } from '../profile/present';

/** The part of i18next's t these helpers use (so tests can pass a stand-in). */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** A matcher reason split into its code and value: `within_km:37` → { code: 'within_km', value: '37' }. */
export function parseReason(reason: string): { code: string; value: string | null } {
  const colon = reason.indexOf(':');
  return colon < 0
    ? { code: reason, value: null }
    : { code: reason.slice(0, colon), value: reason.slice(colon + 1) };
}

/** `2/3` → [2, 3]; anything else → null. */
function fraction(value: string | null): [number, number] | null {
  const match = /^(\d+)\/(\d+)$/.exec(value ?? '');
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * One reason the matcher gave, as a sentence in the reader's language, or null for a code this version of
 * the web does not know (a newer server may add some; an unknown reason is left out rather than shown raw).
 */
export function reasonText(reason: string, t: Translate, language: string): string | null {
  const { code, value } = parseReason(reason);
  switch (code) {
    case 'offers_all_services':
    case 'serves_population':
    case 'works_in_region':
    case 'works_in_country':
    case 'verified_frontline':
    case 'verified':
      return t(`support.reasons.${code}`);
    case 'offers_some_services':
    case 'serves_some_populations': {
      const parts = fraction(value);
      return parts ? t(`support.reasons.${code}`, { met: parts[0], total: parts[1] }) : null;
    }
    case 'speaks_language':
      return value ? t('support.reasons.speaks_language', { language: languageName(value, language) }) : null;
    case 'within_km': {
      const km = Number(value);
      return Number.isFinite(km) ? t('support.reasons.within_km', { km }) : null;
    }
    case 'works_on_exploitation':
      return value
        ? t('support.reasons.works_on_exploitation', {
            type: t(`directory.vocabulary.exploitationTypes.${value}`),
          })
        : null;
    default:
      return null;
  }
}

/** Every reason a match came with, as sentences, unknown ones left out. */
export function reasonTexts(reasons: readonly string[], t: Translate, language: string): string[] {
  return reasons.map((r) => reasonText(r, t, language)).filter((text): text is string => text !== null);
}

/** A span of minutes in the largest unit that reads naturally: minutes, hours, then days. */
export function durationText(minutes: number, t: Translate): string {
  if (minutes < 90) return t('support.duration.minutes', { count: Math.max(1, Math.round(minutes)) });
  if (minutes < 48 * 60) return t('support.duration.hours', { count: Math.round(minutes / 60) });
  return t('support.duration.days', { count: Math.round(minutes / (24 * 60)) });
}

/** A share (0–1) as a whole percentage in the reader's language. */
export function percentText(share: number, language: string): string {
  return new Intl.NumberFormat([language], { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
