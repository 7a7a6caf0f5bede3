import { useDeferredValue, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FALLBACK_LANGUAGE } from '../../../../i18n/languages';
import { VisuallyHidden } from '../../../../ui';
import { countriesFor, countryName, searchCountries, sortCodesByName } from '../countries';
import { FieldText, RequiredMark, fieldClass, useFieldFrame } from './fields';

/** Props of {@link CountryPicker}. */
export interface CountryPickerProps {
  /** The field's name in its Form: errors for it show here, and the error summary links to the search box. */
  name: string;
  legend: string;
  hint?: string;
  error?: string;
  required?: boolean;
  /** Selected ISO 3166-1 alpha-2 codes. */
  value: readonly string[];
  onChange: (codes: string[]) => void;
}

/**
 * Picks any number of countries from about 250. It is a search box over a list of native checkboxes rather
 * than an ARIA combobox: checkboxes behave the same in every browser and screen reader, including the old
 * phones many of Cairn's readers use, and stay usable with the keyboard, by touch and zoomed at 320px. The
 * chosen countries are listed above as buttons that remove them, so a choice never scrolls out of sight.
 */
export function CountryPicker({ name, legend, hint, error, required, value, onChange }: CountryPickerProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? FALLBACK_LANGUAGE;
  const frame = useFieldFrame(name, hint, error);
  const ids = useId();
  const countId = `${ids}-count`;
  const listId = `${ids}-list`;
  const selectedId = `${ids}-selected`;

  const countries = useMemo(() => countriesFor(language), [language]);
  const [query, setQuery] = useState('');
  // Filtering 250 names is quick, but typing should never wait for the list to re-render on a slow phone.
  const deferredQuery = useDeferredValue(query);
  const matches = useMemo(() => searchCountries(countries, deferredQuery), [countries, deferredQuery]);
  const selected = useMemo(() => new Set(value), [value]);
  const selectedInOrder = useMemo(() => sortCodesByName(value, language), [value, language]);

  const toggle = (code: string) =>
    onChange(selected.has(code) ? value.filter((c) => c !== code) : [...value, code]);

  // Enter in a text box would submit the whole form; here it picks the only match, which is what people
  // who typed a country's name expect.
  const onSearchKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const [only] = searchCountries(countries, query);
    if (only && searchCountries(countries, query).length === 1) {
      if (!selected.has(only.code)) onChange([...value, only.code]);
      setQuery('');
    }
  };

  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group orgs-countries')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">
        {legend}
        <RequiredMark required={required} />
      </legend>
      <FieldText frame={frame} hint={hint} />

      <p id={selectedId} className="orgs-countries__summary">
        {t('orgs.countries.selectedCount', { count: value.length })}
      </p>
      {value.length > 0 && (
        <ul className="orgs-chips" aria-labelledby={selectedId}>
          {selectedInOrder.map((code) => (
            <li key={code}>
              <button type="button" className="orgs-chip" onClick={() => toggle(code)}>
                <span aria-hidden="true">{countryName(code, language)}</span>
                <VisuallyHidden>
                  {t('orgs.countries.remove', { country: countryName(code, language) })}
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
        {t('orgs.countries.search')}
      </label>
      <input
        id={frame.id}
        type="search"
        className="field__input"
        value={query}
        autoComplete="off"
        spellCheck={false}
        aria-controls={listId}
        aria-describedby={countId}
        aria-invalid={frame.message ? true : undefined}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={onSearchKeyDown}
      />
      <p id={countId} className="orgs-countries__matches muted" aria-live="polite">
        {deferredQuery.trim() === '' ? '' : t('orgs.countries.matches', { count: matches.length })}
      </p>
      <div
        id={listId}
        className="orgs-countries__list"
        role="group"
        aria-label={t('orgs.countries.listLabel')}
      >
        {matches.length === 0 ? (
          <p className="orgs-countries__empty">{t('orgs.countries.noMatch')}</p>
        ) : (
          <ul>
            {matches.map((country) => {
              const id = `${ids}-${country.code}`;
              return (
                <li key={country.code} className="orgs-choice orgs-choice--compact">
                  <input
                    type="checkbox"
                    id={id}
                    checked={selected.has(country.code)}
                    onChange={() => toggle(country.code)}
                  />
                  <label htmlFor={id}>{country.name}</label>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </fieldset>
  );
}
