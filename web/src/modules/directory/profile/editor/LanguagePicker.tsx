import { useDeferredValue, useId, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { VisuallyHidden } from '../../../../ui';
import { FieldText, fieldClass, useFieldFrame } from '../../../identity/organisations/components/fields';
import { foldForSearch } from '../../../identity/organisations/countries';
import { useFormat } from '../../../identity/organisations/format';
import { LANGUAGE_CODES } from '../../vocabulary';
import { languageName } from '../present';

/** Every ISO 639-1 language, named in the reader's language (and in English, for typing in Latin letters). */
function languagesFor(language: string) {
  const collator = new Intl.Collator([language]);
  return LANGUAGE_CODES.map((code) => {
    const name = languageName(code, language);
    const english = language === 'en' ? '' : languageName(code, 'en');
    return { code, name, searchKey: ` ${foldForSearch(`${name} ${english} ${code}`)}` };
  }).sort((a, b) => collator.compare(a.name, b.name));
}

/**
 * Picks any number of languages from the 183 of ISO 639-1: a search box over native checkboxes (like the
 * country picker), with the chosen ones listed above as buttons that remove them.
 */
export function LanguagePicker({
  name,
  legend,
  hint,
  value,
  onChange,
  children,
}: {
  name: string;
  legend: string;
  hint?: string;
  value: readonly string[];
  onChange: (codes: string[]) => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const frame = useFieldFrame(name, hint, undefined);
  const ids = useId();
  const all = useMemo(() => languagesFor(format.language), [format.language]);
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const folded = foldForSearch(deferred);
  const matches = folded === '' ? all : all.filter((l) => l.searchKey.includes(` ${folded}`));
  const chosen = new Set(value);
  const toggle = (code: string) =>
    onChange(chosen.has(code) ? value.filter((c) => c !== code) : [...value, code]);

  // Enter would submit the whole form; with a single match it picks that language instead.
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if (matches.length === 1 && matches[0] && !chosen.has(matches[0].code)) {
      onChange([...value, matches[0].code]);
      setQuery('');
    }
  };

  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group dir-editor__group')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">{legend}</legend>
      <FieldText frame={frame} hint={hint} />
      <p id={`${ids}-selected`} className="orgs-countries__summary">
        {t('directory.editor.languagesChosen', { count: value.length })}
      </p>
      {value.length > 0 && (
        <ul className="orgs-chips" aria-labelledby={`${ids}-selected`}>
          {value.map((code) => (
            <li key={code}>
              <button type="button" className="orgs-chip" onClick={() => toggle(code)}>
                <span aria-hidden="true">{languageName(code, format.language)}</span>
                <VisuallyHidden>
                  {t('directory.editor.removeLanguage', { language: languageName(code, format.language) })}
                </VisuallyHidden>
                <span aria-hidden="true" className="orgs-chip__remove">
                  ×
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <label className="orgs-countries__search-label" htmlFor={frame.id}>
        {t('directory.editor.searchLanguages')}
      </label>
      <input
        id={frame.id}
        type="search"
        className="field__input"
        value={query}
        autoComplete="off"
        spellCheck={false}
        aria-controls={`${ids}-list`}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div
        id={`${ids}-list`}
        className="orgs-countries__list"
        role="group"
        aria-label={t('directory.editor.languageList')}
      >
        {matches.length === 0 ? (
          <p className="orgs-countries__empty">{t('directory.editor.noLanguage')}</p>
        ) : (
          <ul>
            {matches.map((language) => (
              <li key={language.code} className="orgs-choice orgs-choice--compact">
                <input
                  type="checkbox"
                  id={`${ids}-${language.code}`}
                  checked={chosen.has(language.code)}
                  onChange={() => toggle(language.code)}
                />
                <label htmlFor={`${ids}-${language.code}`}>{language.name}</label>
              </li>
            ))}
          </ul>
        )}
      </div>
      {children}
    </fieldset>
  );
}
