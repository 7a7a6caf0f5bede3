import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading } from '../../../../ui';
import { FieldText, fieldClass, useFieldFrame } from '../../../identity/organisations/components/fields';
import { countryName } from '../../../identity/organisations/countries';
import { useFormat } from '../../../identity/organisations/format';
import { useRegions } from '../api';

type RegionChoice = { code: string; name: string };

/**
 * Regions of operation, chosen country by country. Each country's regions are fetched only when its list is
 * opened, so a profile with twenty countries does not download twenty lists it will not use.
 */
export function RegionPicker({
  name,
  legend,
  hint,
  countries,
  value,
  onChange,
}: {
  name: string;
  legend: string;
  hint?: string;
  countries: readonly string[];
  value: readonly RegionChoice[];
  onChange: (regions: RegionChoice[]) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const frame = useFieldFrame(name, hint, undefined);
  return (
    <fieldset
      className={fieldClass(frame.message, 'orgs-group dir-editor__group')}
      aria-describedby={frame.describedBy}
    >
      <legend className="field__label">{legend}</legend>
      <FieldText frame={frame} hint={hint} />
      {countries.length === 0 ? (
        <p className="muted" id={frame.id} tabIndex={-1}>
          {t('directory.editor.regionsNeedCountries')}
        </p>
      ) : (
        countries.map((country, index) => (
          <CountryRegions
            key={country}
            id={index === 0 ? frame.id : undefined}
            country={country}
            countryLabel={countryName(country, format.language)}
            value={value}
            onChange={onChange}
          />
        ))
      )}
    </fieldset>
  );
}

function CountryRegions({
  id,
  country,
  countryLabel,
  value,
  onChange,
}: {
  id?: string;
  country: string;
  countryLabel: string;
  value: readonly RegionChoice[];
  onChange: (regions: RegionChoice[]) => void;
}) {
  const { t } = useTranslation();
  const ids = useId();
  const chosenHere = value.filter((r) => r.code.startsWith(`${country}.`));
  const [open, setOpen] = useState(false);
  return (
    <details className="dir-regions" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary id={id}>
        {t('directory.editor.regionsOf', { country: countryLabel, count: chosenHere.length })}
      </summary>
      {open && <RegionList idPrefix={ids} country={country} value={value} onChange={onChange} />}
    </details>
  );
}

function RegionList({
  idPrefix,
  country,
  value,
  onChange,
}: {
  idPrefix: string;
  country: string;
  value: readonly RegionChoice[];
  onChange: (regions: RegionChoice[]) => void;
}) {
  const { t } = useTranslation();
  const regions = useRegions(country);
  const chosen = new Set(value.map((r) => r.code));
  if (regions.isPending) return <Loading />;
  if (regions.isError) return <p className="field__error">{t('directory.editor.regionsFailed')}</p>;
  if (regions.data.length === 0) return <p className="muted">{t('directory.editor.noRegions')}</p>;
  return (
    <ul className="dir-checkboxes">
      {regions.data.map((region) => (
        <li key={region.code} className="orgs-choice orgs-choice--compact">
          <input
            type="checkbox"
            id={`${idPrefix}-${region.code}`}
            checked={chosen.has(region.code)}
            onChange={() =>
              onChange(
                chosen.has(region.code) ? value.filter((r) => r.code !== region.code) : [...value, region],
              )
            }
          />
          <label htmlFor={`${idPrefix}-${region.code}`}>{region.name}</label>
        </li>
      ))}
    </ul>
  );
}
