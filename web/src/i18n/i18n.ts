import i18next, { type BackendModule, type ResourceKey } from 'i18next';
import ICU from 'i18next-icu';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { FALLBACK_LANGUAGE, LANGUAGE_CODES, directionOf } from './languages';

/** Where the chosen language is remembered between visits. */
export const LANGUAGE_STORAGE_KEY = 'cairn.language';

// Each locale becomes its own small chunk, so a reader downloads only the languages they use.
const localeLoaders = import.meta.glob<ResourceKey>('./locales/*.json', { import: 'default' });

const lazyLocaleBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language, _namespace, callback) {
    const load = localeLoaders[`./locales/${language}.json`];
    if (!load) {
      callback(new Error(`No locale file for "${language}"`), false);
      return;
    }
    load().then(
      (resources) => callback(null, resources),
      // `true` asks i18next to retry, which matters on connections that drop requests.
      (error: unknown) => callback(error instanceof Error ? error : String(error), true),
    );
  },
};

/** The application's i18next instance. */
export const i18n = i18next.createInstance();

/** Sets `<html lang>` and `<html dir>` so the browser, screen readers and CSS follow the language. */
function applyDocumentLanguage(): void {
  const language = i18n.resolvedLanguage ?? FALLBACK_LANGUAGE;
  const root = document.documentElement;
  root.lang = language;
  root.dir = directionOf(language);
}

/** Detects the reader's language, loads its translations and keeps `<html>` in step; call once at start. */
export async function initI18n(): Promise<void> {
  i18n.on('languageChanged', applyDocumentLanguage);
  await i18n
    .use(ICU)
    .use(LanguageDetector)
    .use(lazyLocaleBackend)
    .use(initReactI18next)
    .init({
      supportedLngs: [...LANGUAGE_CODES],
      fallbackLng: FALLBACK_LANGUAGE,
      load: 'languageOnly',
      ns: ['translation'],
      defaultNS: 'translation',
      detection: {
        order: ['localStorage', 'navigator'],
        lookupLocalStorage: LANGUAGE_STORAGE_KEY,
        caches: ['localStorage'],
        // Browsers report regional variants (es-MX, fr-CA, ar-EG); Cairn ships one file per language.
        convertDetectedLanguage: (language) => language.split('-')[0] ?? language,
      },
      // React escapes what it renders, so escaping here would show entities on screen.
      interpolation: { escapeValue: false },
      returnNull: false,
    });
  applyDocumentLanguage();
}
