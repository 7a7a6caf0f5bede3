import { readFileSync } from 'node:fs';
import path from 'node:path';
import i18next, { type TFunction } from 'i18next';
import ICU from 'i18next-icu';
import Negotiator from 'negotiator';
import { localesFolder } from '../../paths.js';

/** Languages Cairn ships; the web app ships the same list (a test keeps them equal). */
export const supportedLanguages = ['en', 'es', 'fr', 'ar'] as const;
export type Language = (typeof supportedLanguages)[number];
export const defaultLanguage: Language = 'en';

/** Loads one locale file; exported for the completeness test. */
export function loadLocale(language: Language): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(localesFolder, `${language}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
}

const instance = i18next.createInstance();
void instance.use(ICU).init({
  // Synchronous init: resources are in memory, so t() is ready as soon as this module loads.
  initAsync: false,
  resources: Object.fromEntries(supportedLanguages.map((lang) => [lang, { translation: loadLocale(lang) }])),
  lng: defaultLanguage,
  fallbackLng: defaultLanguage,
  supportedLngs: [...supportedLanguages],
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** A translation function fixed to one language. */
export function translator(language: Language): TFunction {
  return instance.getFixedT(language);
}

/** Picks the best shipped language for an Accept-Language header, English when nothing fits. */
export function negotiateLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return defaultLanguage;
  const chosen = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language([
    ...supportedLanguages,
  ]);
  return (chosen as Language | undefined) ?? defaultLanguage;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (supportedLanguages as readonly string[]).includes(value);
}
