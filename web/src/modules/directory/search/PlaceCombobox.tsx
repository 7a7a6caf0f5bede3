import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  FieldText,
  RequiredMark,
  fieldClass,
  useFieldFrame,
} from '../../identity/organisations/components/fields';
import { countryName } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { directoryKeys, fetchPlaces, type Place } from '../profile/api';

/** A place as the combobox shows and returns it. */
export interface ComboboxPlace {
  id: number | null;
  name: string;
  /** Null when `name` already is the whole label (a place remembered in the address). */
  country: string | null;
  regionName: string | null;
}

/** "Mombasa, Mombasa County, Kenya", in the reader's language for the country. */
export function placeLabel(place: ComboboxPlace, language: string): string {
  return [place.name, place.regionName, place.country ? countryName(place.country, language) : null]
    .filter((part, index, all) => part && all.indexOf(part) === index)
    .join(', ');
}

/** Props of {@link PlaceCombobox}. */
export interface PlaceComboboxProps {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  value: ComboboxPlace | null;
  onChange: (place: Place | null) => void;
  /** Only places in this country (ISO 3166 alpha-2). */
  country?: string;
}

const MIN_LENGTH = 2;
const DEBOUNCE_MS = 250;

/**
 * Picks a place from the server's offline gazetteer as the reader types (an ARIA 1.2 combobox with a list
 * box: arrows move, Enter picks, Escape closes). Nothing typed goes to an online geocoder. Requests wait for
 * a pause in typing, so a slow connection is not flooded with one request per letter.
 */
export function PlaceCombobox({
  name,
  label,
  hint,
  error,
  required,
  value,
  onChange,
  country,
}: PlaceComboboxProps) {
  const { t } = useTranslation();
  const format = useFormat();
  const frame = useFieldFrame(name, hint, error);
  const ids = useId();
  const listId = `${ids}-list`;
  const statusId = `${ids}-status`;
  const [text, setText] = useState(value ? placeLabel(value, format.language) : '');
  const [debounced, setDebounced] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  // Whether the reader has typed since the last place was chosen: their text then stays in the box.
  const [typed, setTyped] = useState(false);
  // A value set from outside (a saved office, a filter removed elsewhere) replaces what the box shows.
  const shownValue = value ? placeLabel(value, format.language) : '';
  const [lastValue, setLastValue] = useState(shownValue);
  if (shownValue !== lastValue) {
    setLastValue(shownValue);
    if (value !== null || !typed) setText(shownValue);
  }

  // What should be looked up now: nothing while a place is chosen or fewer than two letters are typed.
  const trimmed = text.trim();
  const wanted = value === null && trimmed.length >= MIN_LENGTH ? trimmed : '';
  useEffect(() => {
    if (wanted === '') return;
    const timer = setTimeout(() => setDebounced(wanted), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [wanted]);
  const query = wanted === '' ? '' : debounced;

  const places = useQuery({
    queryKey: directoryKeys.places(query, country),
    queryFn: ({ signal }) => fetchPlaces(query, { country, signal }),
    enabled: query !== '',
    staleTime: 5 * 60_000,
    // The previous answer stays listed while the next is on its way, so the list does not flicker.
    placeholderData: keepPreviousData,
  });
  const options = query === '' ? [] : (places.data ?? []);
  const expanded = open && options.length > 0;

  const choose = (place: Place) => {
    onChange(place);
    setTyped(false);
    setText(placeLabel(place, format.language));
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((current) => (options.length === 0 ? -1 : (current + 1) % options.length));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      setActive((current) => (options.length === 0 ? -1 : (current - 1 + options.length) % options.length));
    } else if (event.key === 'Enter') {
      // Enter in a text box would submit the surrounding form; here it picks the highlighted place.
      if (expanded) {
        event.preventDefault();
        const place = options[active] ?? (options.length === 1 ? options[0] : undefined);
        if (place) choose(place);
      }
    } else if (event.key === 'Escape') {
      if (expanded) {
        event.preventDefault();
        setOpen(false);
        setActive(-1);
      }
    }
  };

  let status = '';
  if (query !== '' && places.isFetching) status = t('directory.place.searching');
  else if (query !== '' && places.isError) status = t('directory.place.failed');
  else if (query !== '' && places.data) status = t('directory.place.results', { count: options.length });

  return (
    <div className={fieldClass(frame.message, 'dir-combobox')}>
      <label className="field__label" htmlFor={frame.id}>
        {label}
        <RequiredMark required={required} />
      </label>
      <FieldText frame={frame} hint={hint} />
      <input
        id={frame.id}
        type="text"
        role="combobox"
        className="field__input"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${ids}-option-${active}` : undefined}
        aria-invalid={frame.message ? true : undefined}
        aria-describedby={[frame.describedBy, statusId].filter(Boolean).join(' ')}
        required={required}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setTyped(true);
          setOpen(true);
          setActive(-1);
          if (value !== null) onChange(null);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label={label} className="dir-combobox__list" hidden={!expanded}>
        {options.map((place, index) => (
          <li
            key={place.id}
            id={`${ids}-option-${index}`}
            role="option"
            aria-selected={index === active}
            className="dir-combobox__option"
            // mousedown, not click: the input's blur would close the list before a click arrives.
            onMouseDown={(event) => {
              event.preventDefault();
              choose(place);
            }}
          >
            {placeLabel(place, format.language)}
          </li>
        ))}
      </ul>
      <p id={statusId} className="dir-combobox__status muted" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
