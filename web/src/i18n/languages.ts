/** Text direction of a language's script. */
export type TextDirection = 'ltr' | 'rtl';

/** One language Cairn ships a full translation for. */
export interface Language {
  /** BCP 47 code, also the locale file's name. */
  code: string;
  /**
   * The language's name written in itself. It is deliberately not translated: people look for their own
   * language by how it is written in it, whatever the interface language currently is.
   */
  autonym: string;
  dir: TextDirection;
}

/** The one list of shipped languages: the switcher offers these and a test checks the locale files match. */
export const LANGUAGES = [
  { code: 'en', autonym: 'English', dir: 'ltr' },
  { code: 'es', autonym: 'Español', dir: 'ltr' },
  { code: 'fr', autonym: 'Français', dir: 'ltr' },
  { code: 'ar', autonym: 'العربية', dir: 'rtl' },
] as const satisfies readonly Language[];

/** A code from {@link LANGUAGES}. */
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

/** The language every other one falls back to, and the source language for translators. */
export const FALLBACK_LANGUAGE: LanguageCode = 'en';

/** Codes of every shipped language, in switcher order. */
export const LANGUAGE_CODES: readonly LanguageCode[] = LANGUAGES.map((language) => language.code);

/** Whether a string names a shipped language exactly. */
export function isLanguageCode(value: string): value is LanguageCode {
  return (LANGUAGE_CODES as readonly string[]).includes(value);
}

/** Text direction for a shipped language, left-to-right for anything unknown. */
export function directionOf(code: string): TextDirection {
  return LANGUAGES.find((language) => language.code === code)?.dir ?? 'ltr';
}
