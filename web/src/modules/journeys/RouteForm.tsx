import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Button, Form, TextField, useToast } from '../../ui';
import { RECRUITMENT_METHODS, vocabularyKey as caseVocabularyKey } from '../cases/vocabulary';
import { CheckboxGroup } from '../directory/profile/editor/CheckboxGroup';
import type { Place } from '../directory/profile/api';
import { PlaceCombobox, type ComboboxPlace } from '../directory/search/PlaceCombobox';
import { vocabularyKey } from '../directory/vocabulary';
import { SelectField } from '../identity/organisations/components/fields';
import { countryName } from '../identity/organisations/countries';
import { useFormat } from '../identity/organisations/format';
import { useFormMutation } from '../identity/organisations/queries';
import {
  contributeRoute,
  journeyKeys,
  updateRoute,
  type Route,
  type RouteInput,
  type RoutePlace,
} from './api';
import { journeyPaths } from './paths';
import {
  AGE_BANDS,
  EARLIEST_YEAR,
  EXPLOITATION_TYPES,
  GENDER_BANDS,
  INDUSTRIES,
  MAX_EXPLOITATION,
  MAX_PEOPLE,
  MAX_TRANSITS,
  NATIONALITY_BANDS,
  TRANSPORT_MEANS,
  isOneOf,
  journeyVocabularyKey,
  type Transport,
} from './vocabulary';

/** A place as the form holds it: what goes to the server, and what the combobox shows. */
interface PlaceValue {
  placeId: number | null;
  country: string;
  region: string | null;
  shown: ComboboxPlace;
}

/** A transit point or a place of exploitation. */
interface StopValue {
  key: number;
  place: PlaceValue | null;
  borderCrossing: boolean;
  transport: Transport | '';
}

const FIELDS = [
  'origin',
  'destination',
  'transits',
  'exploitation',
  'year',
  'quarter',
  'exploitationTypes',
  'industry',
  'recruitmentMethod',
  'people',
  'genderBand',
  'ageBand',
  'nationalityBand',
] as const;

function fromPlace(place: Place): PlaceValue {
  return {
    placeId: place.id,
    country: place.country,
    region: place.region,
    shown: { id: place.id, name: place.name, country: place.country, regionName: place.regionName },
  };
}

function fromRoutePlace(place: RoutePlace, language: string): PlaceValue {
  return {
    placeId: place.placeId,
    country: place.country,
    region: place.region,
    shown: {
      id: place.placeId,
      name: place.placeName ?? place.regionName ?? countryName(place.country, language),
      country: place.placeName || place.regionName ? place.country : null,
      regionName: place.regionName,
    },
  };
}

function toInput(place: PlaceValue): RouteInput['origin'] {
  // A gazetteer city carries its own region; a country-level place keeps the region it was saved with.
  if (place.placeId !== null) return { placeId: place.placeId, country: place.country };
  return place.region ? { country: place.country, region: place.region } : { country: place.country };
}

/** The three bands of who the people were, as select fields. */
const BANDS = [
  { name: 'genderBand', vocabulary: 'genderBands', codes: GENDER_BANDS },
  { name: 'ageBand', vocabulary: 'ageBands', codes: AGE_BANDS },
  { name: 'nationalityBand', vocabulary: 'nationalityBands', codes: NATIONALITY_BANDS },
] as const;

let nextKey = 1;
const newStop = (): StopValue => ({ key: nextKey++, place: null, borderCrossing: false, transport: '' });

/**
 * The route form, to contribute a route or change one that waits for (or answers) a moderator. Places are
 * picked from the offline gazetteer as they are typed, in any script, with their country shown so "Doha"
 * in Qatar is not taken for Doha in India. Transit points keep the order they were travelled in.
 */
export function RouteForm({ route }: { route?: Route }) {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const ids = useId();
  const language = format.language;
  const stopOf = (s: Route['transits'][number]): StopValue => ({
    key: nextKey++,
    place: fromRoutePlace(s, language),
    borderCrossing: s.borderCrossing,
    transport: s.transport ?? '',
  });

  const [origin, setOrigin] = useState<PlaceValue | null>(
    route ? fromRoutePlace(route.origin, language) : null,
  );
  const [destination, setDestination] = useState<PlaceValue | null>(
    route?.destination ? fromRoutePlace(route.destination, language) : null,
  );
  const [transits, setTransits] = useState<StopValue[]>(route ? route.transits.map(stopOf) : []);
  const [exploitation, setExploitation] = useState<StopValue[]>(
    route && route.exploitation.length > 0 ? route.exploitation.map(stopOf) : [newStop()],
  );
  const [types, setTypes] = useState<string[]>(route?.exploitationTypes ?? []);

  const mutation = useFormMutation(
    (body: RouteInput) =>
      route ? updateRoute(route.id, { ...body, version: route.version }) : contributeRoute(body),
    {
      fields: FIELDS,
      rename: (name) => name.split('.')[0] ?? name,
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: journeyKeys.all });
        toast.show(t(route ? 'journeys.form.saved' : 'journeys.form.contributed'), { tone: 'success' });
        await navigate(journeyPaths.contributions);
      },
    },
  );

  const submit = (data: FormData) => {
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : '';
    };
    const errors: Record<string, string> = {};
    if (!origin) errors.origin = t('journeys.form.errors.origin');
    if (exploitation.some((s) => !s.place)) errors.exploitation = t('journeys.form.errors.place');
    if (transits.some((s) => !s.place)) errors.transits = t('journeys.form.errors.place');
    if (types.length === 0) errors.exploitationTypes = t('journeys.form.errors.types');
    const year = Number(data.get('year'));
    if (!Number.isInteger(year) || year < EARLIEST_YEAR || year > new Date().getUTCFullYear())
      errors.year = t('journeys.form.errors.year', { from: EARLIEST_YEAR });
    const people = Number(data.get('people'));
    if (!Number.isInteger(people) || people < 1 || people > MAX_PEOPLE)
      errors.people = t('journeys.form.errors.people', { max: MAX_PEOPLE });
    for (const band of ['genderBand', 'ageBand', 'nationalityBand'] as const) {
      if (!data.get(band)) errors[band] = t('journeys.form.errors.required');
    }
    if (Object.keys(errors).length > 0 || !origin) {
      mutation.setErrors({ fieldErrors: errors, formError: undefined });
      return;
    }
    const stop = (s: StopValue) => ({
      ...toInput(s.place!),
      borderCrossing: s.borderCrossing,
      ...(s.transport ? { transport: s.transport } : {}),
    });
    const quarter = Number(data.get('quarter'));
    const industry = text('industry');
    const recruitment = text('recruitmentMethod');
    mutation.mutate({
      origin: toInput(origin),
      ...(destination ? { destination: toInput(destination) } : {}),
      transits: transits.map(stop),
      exploitation: exploitation.map(stop),
      year,
      ...(quarter >= 1 && quarter <= 4 ? { quarter } : {}),
      exploitationTypes: types as RouteInput['exploitationTypes'],
      ...(isOneOf(INDUSTRIES, industry) ? { industry } : {}),
      ...(isOneOf(RECRUITMENT_METHODS, recruitment) ? { recruitmentMethod: recruitment } : {}),
      people,
      genderBand: text('genderBand') as RouteInput['genderBand'],
      ageBand: text('ageBand') as RouteInput['ageBand'],
      nationalityBand: text('nationalityBand') as RouteInput['nationalityBand'],
    });
  };

  return (
    <Form
      className="journeys-form"
      errors={mutation.errors.fieldErrors}
      formError={mutation.errors.formError}
      onSubmit={submit}
    >
      <p className="muted">{t('journeys.form.privacy')}</p>
      <section className="journeys-form__section" aria-labelledby={`${ids}-places`}>
        <h2 id={`${ids}-places`}>{t('journeys.form.places')}</h2>
        <p className="field__hint">{t('journeys.form.placesHint')}</p>
        <PlaceCombobox
          name="origin"
          label={t('journeys.form.origin')}
          required
          value={origin?.shown ?? null}
          onChange={(place) => setOrigin(place ? fromPlace(place) : null)}
        />
        <PlaceCombobox
          name="destination"
          label={t('journeys.form.destination')}
          hint={t('journeys.form.destinationHint')}
          value={destination?.shown ?? null}
          onChange={(place) => setDestination(place ? fromPlace(place) : null)}
        />
        <Stops
          name="transits"
          legend={t('journeys.form.transits')}
          hint={t('journeys.form.transitsHint')}
          itemLabel={(n) => t('journeys.form.transitN', { n })}
          addLabel={t('journeys.form.addTransit')}
          stops={transits}
          onChange={setTransits}
          min={0}
          max={MAX_TRANSITS}
          ordered
        />
        <Stops
          name="exploitation"
          legend={t('journeys.form.exploitation')}
          hint={t('journeys.form.exploitationHint')}
          itemLabel={(n) => t('journeys.form.exploitationN', { n })}
          addLabel={t('journeys.form.addExploitation')}
          stops={exploitation}
          onChange={setExploitation}
          min={1}
          max={MAX_EXPLOITATION}
        />
      </section>

      <section className="journeys-form__section" aria-labelledby={`${ids}-what`}>
        <h2 id={`${ids}-what`}>{t('journeys.form.what')}</h2>
        <CheckboxGroup
          name="exploitationTypes"
          legend={t('journeys.form.exploitationTypes')}
          required
          options={EXPLOITATION_TYPES.map((code) => ({
            value: code,
            label: t(vocabularyKey('exploitationTypes', code)),
          }))}
          value={types as (typeof EXPLOITATION_TYPES)[number][]}
          onChange={setTypes}
        />
        <SelectField
          name="industry"
          label={t('journeys.form.industry')}
          placeholder={t('journeys.form.notKnown')}
          options={INDUSTRIES.map((code) => ({ value: code, label: t(vocabularyKey('industries', code)) }))}
          defaultValue={route?.industry ?? ''}
        />
        <SelectField
          name="recruitmentMethod"
          label={t('journeys.form.recruitmentMethod')}
          placeholder={t('journeys.form.notKnown')}
          options={RECRUITMENT_METHODS.map((code) => ({
            value: code,
            label: t(caseVocabularyKey('recruitmentMethods', code)),
          }))}
          defaultValue={route?.recruitmentMethod ?? ''}
        />
      </section>

      <section className="journeys-form__section" aria-labelledby={`${ids}-who`}>
        <h2 id={`${ids}-who`}>{t('journeys.form.whenWho')}</h2>
        <div className="journeys-form__row">
          <TextField
            name="year"
            label={t('journeys.form.year')}
            type="number"
            inputMode="numeric"
            min={EARLIEST_YEAR}
            max={new Date().getUTCFullYear()}
            required
            defaultValue={route?.year ?? ''}
          />
          <SelectField
            name="quarter"
            label={t('journeys.form.quarter')}
            placeholder={t('journeys.form.notKnown')}
            options={[1, 2, 3, 4].map((q) => ({
              value: String(q),
              label: t('journeys.form.quarterN', { n: q }),
            }))}
            defaultValue={route?.quarter ? String(route.quarter) : ''}
          />
          <TextField
            name="people"
            label={t('journeys.form.people')}
            hint={t('journeys.form.peopleHint')}
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_PEOPLE}
            required
            defaultValue={route?.people ?? ''}
          />
        </div>
        <div className="journeys-form__row">
          {BANDS.map(({ name, vocabulary, codes }) => (
            <SelectField
              key={name}
              name={name}
              label={t(`journeys.form.${name}`)}
              required
              placeholder={t('journeys.form.choose')}
              options={codes.map((code) => ({
                value: code,
                label: t(journeyVocabularyKey(vocabulary, code)),
              }))}
              defaultValue={route?.[name] ?? ''}
            />
          ))}
        </div>
      </section>
      <Button type="submit" busy={mutation.isPending}>
        {t(route ? 'journeys.form.save' : 'journeys.form.submit')}
      </Button>
    </Form>
  );
}

/** An ordered list of places, each with how it was reached and whether a border was crossed on the way. */
function Stops({
  name,
  legend,
  hint,
  itemLabel,
  addLabel,
  stops,
  onChange,
  min,
  max,
  ordered = false,
}: {
  name: string;
  legend: string;
  hint: string;
  itemLabel: (n: number) => string;
  addLabel: string;
  stops: StopValue[];
  onChange: (stops: StopValue[]) => void;
  min: number;
  max: number;
  ordered?: boolean;
}) {
  const { t } = useTranslation();
  const change = (index: number, patch: Partial<StopValue>) =>
    onChange(stops.map((s, i) => (i === index ? { ...s, ...patch } : s)));
  const move = (index: number, by: -1 | 1) => {
    const next = [...stops];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    onChange(next);
  };
  return (
    <fieldset className="orgs-group journeys-stops">
      <legend className="field__label">{legend}</legend>
      <p className="field__hint">{hint}</p>
      <ol className="journeys-stops__list">
        {stops.map((stop, index) => {
          const label = itemLabel(index + 1);
          return (
            <li key={stop.key} className="journeys-stops__item">
              <PlaceCombobox
                name={index === 0 ? name : `${name}-${stop.key}`}
                label={label}
                required
                value={stop.place?.shown ?? null}
                onChange={(place) => change(index, { place: place ? fromPlace(place) : null })}
              />
              <div className="journeys-form__row">
                <SelectField
                  name={`${name}-${stop.key}-transport`}
                  label={t('journeys.form.transport', { place: label })}
                  placeholder={t('journeys.form.notKnown')}
                  options={TRANSPORT_MEANS.map((code) => ({
                    value: code,
                    label: t(journeyVocabularyKey('transport', code)),
                  }))}
                  value={stop.transport}
                  onChange={(event) =>
                    change(index, {
                      transport: isOneOf(TRANSPORT_MEANS, event.target.value) ? event.target.value : '',
                    })
                  }
                />
                <div className="orgs-choice orgs-choice--compact journeys-stops__border">
                  <input
                    type="checkbox"
                    id={`${name}-${stop.key}-border`}
                    checked={stop.borderCrossing}
                    onChange={(event) => change(index, { borderCrossing: event.target.checked })}
                  />
                  <label htmlFor={`${name}-${stop.key}-border`}>
                    {t('journeys.form.borderCrossing', { place: label })}
                  </label>
                </div>
              </div>
              <div className="journeys-stops__actions">
                {ordered && index > 0 && (
                  <Button variant="quiet" onClick={() => move(index, -1)}>
                    {t('journeys.form.moveUp', { place: label })}
                  </Button>
                )}
                {ordered && index < stops.length - 1 && (
                  <Button variant="quiet" onClick={() => move(index, 1)}>
                    {t('journeys.form.moveDown', { place: label })}
                  </Button>
                )}
                {stops.length > min && (
                  <Button variant="quiet" onClick={() => onChange(stops.filter((_, i) => i !== index))}>
                    {t('journeys.form.remove', { place: label })}
                  </Button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {stops.length < max && (
        <Button variant="secondary" onClick={() => onChange([...stops, newStop()])}>
          {addLabel}
        </Button>
      )}
    </fieldset>
  );
}
