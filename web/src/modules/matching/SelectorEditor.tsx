import { useContext, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, FormContext, TextField } from '../../ui';
import { SelectField } from '../identity/organisations/components/fields';
import { countriesFor } from '../identity/organisations/countries';
import { useFormat } from '../identity/organisations/format';
import {
  PLATFORMS,
  SELECTOR_FIELDS,
  SELECTOR_TYPES,
  isSelectorType,
  newSelector,
  selectorField,
  type SelectorDraft,
} from './selectors';

/** Props of {@link SelectorEditor}. */
export interface SelectorEditorProps {
  selectors: SelectorDraft[];
  onChange: (selectors: SelectorDraft[]) => void;
  /** Fewest selectors the list may hold (a lookup needs one). */
  min: number;
  max: number;
  legend: string;
  hint: string;
}

/**
 * A repeatable list of selectors of every kind, each with the fields its kind needs. Inside a Form, the
 * server's error about the n-th selector (`selectors.n`) shows beside that selector's kind, and an error
 * about the list as a whole beside the list.
 */
export function SelectorEditor({ selectors, onChange, min, max, legend, hint }: SelectorEditorProps) {
  const { t } = useTranslation();
  const form = useContext(FormContext);
  const format = useFormat();
  const countries = useMemo(
    () => countriesFor(format.language).map((c) => ({ value: c.code, label: c.name })),
    [format.language],
  );
  const listError = form?.errors.selectors;
  const listErrorId = form ? form.fieldId('selectors') : undefined;
  const change = (index: number, next: SelectorDraft) =>
    onChange(selectors.map((s, i) => (i === index ? next : s)));

  return (
    <fieldset
      className={['orgs-group', 'matching-selectors', listError ? 'field--invalid' : undefined]
        .filter(Boolean)
        .join(' ')}
      aria-describedby={listError ? `${listErrorId}-error` : undefined}
    >
      <legend className="field__label">{legend}</legend>
      <p className="field__hint">{hint}</p>
      {listError && (
        <p id={`${listErrorId}-error`} className="field__error">
          <span id={listErrorId} tabIndex={-1}>
            {listError}
          </span>
        </p>
      )}
      <ol className="matching-selectors__list">
        {selectors.map((selector, index) => {
          const label = t('matching.selectors.item', { n: index + 1 });
          const base = selectorField(index);
          return (
            <li key={selector.key} className="matching-selectors__item">
              <fieldset className="matching-selector">
                <legend>{label}</legend>
                <SelectField
                  name={base}
                  label={t('matching.selectors.kind', { selector: label })}
                  options={SELECTOR_TYPES.map((type) => ({
                    value: type,
                    label: t(`matching.selectorTypes.${type}`),
                  }))}
                  value={selector.type}
                  onChange={(event) => {
                    const type = event.target.value;
                    if (isSelectorType(type)) change(index, { ...selector, type });
                  }}
                />
                <div className="matching-selector__fields">
                  {SELECTOR_FIELDS[selector.type].map((spec) => {
                    const name = `${base}.${spec.name}`;
                    const fieldLabel = t(`matching.selectors.fields.${selector.type}.${spec.name}`);
                    const value = selector.values[spec.name] ?? '';
                    const set = (next: string) =>
                      change(index, { ...selector, values: { ...selector.values, [spec.name]: next } });
                    if (spec.kind === 'country' || spec.kind === 'platform')
                      return (
                        <SelectField
                          key={name}
                          name={name}
                          label={fieldLabel}
                          required={spec.required}
                          placeholder={t(
                            spec.required ? 'matching.selectors.choose' : 'matching.selectors.notKnown',
                          )}
                          options={
                            spec.kind === 'country'
                              ? countries
                              : PLATFORMS.map((p) => ({ value: p, label: t(`matching.platforms.${p}`) }))
                          }
                          value={value}
                          onChange={(event) => set(event.target.value)}
                        />
                      );
                    return (
                      <TextField
                        key={name}
                        name={name}
                        label={fieldLabel}
                        required={spec.required}
                        autoComplete="off"
                        {...(spec.kind === 'year'
                          ? { inputMode: 'numeric' as const, maxLength: 4 }
                          : { dir: 'auto' })}
                        value={value}
                        onChange={(event) => set(event.target.value)}
                      />
                    );
                  })}
                </div>
                {selectors.length > min && (
                  <Button variant="quiet" onClick={() => onChange(selectors.filter((_, i) => i !== index))}>
                    {t('matching.selectors.remove', { selector: label })}
                  </Button>
                )}
              </fieldset>
            </li>
          );
        })}
      </ol>
      {selectors.length < max && (
        <Button variant="secondary" onClick={() => onChange([...selectors, newSelector()])}>
          {t('matching.selectors.add')}
        </Button>
      )}
    </fieldset>
  );
}
