import { useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FALLBACK_LANGUAGE, LANGUAGES } from '../i18n/languages';

/** The header's language menu; i18next remembers the choice and updates `<html lang dir>`. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  // Holds the chosen language while its translations download, so the menu does not jump back meanwhile.
  const [pending, setPending] = useState<string | null>(null);
  const current = pending ?? i18n.resolvedLanguage ?? FALLBACK_LANGUAGE;

  const change = (event: ChangeEvent<HTMLSelectElement>) => {
    const language = event.target.value;
    setPending(language);
    i18n
      .changeLanguage(language)
      .catch((error: unknown) => console.error('Could not switch language', error))
      .finally(() => setPending(null));
  };

  return (
    <div className="language-switcher">
      <label htmlFor="language-switcher">{t('language.label')}</label>
      <select id="language-switcher" value={current} onChange={change}>
        {LANGUAGES.map((language) => (
          <option key={language.code} value={language.code} lang={language.code} dir={language.dir}>
            {language.autonym}
          </option>
        ))}
      </select>
    </div>
  );
}
