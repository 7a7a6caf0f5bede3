import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../../api/client';
import { Button, Form, Loading, PageHeading, TextField, useToast } from '../../../ui';
import { RequireSignIn } from '../../identity/auth/RequireSignIn';
import { CountryPicker } from '../../identity/organisations/components/CountryPicker';
import { SelectField, TextAreaField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { formStateOf, noFormErrors, type FormState } from '../../identity/organisations/errors';
import { useFormat } from '../../identity/organisations/format';
import { required } from '../../identity/organisations/queries';
import { placeLabel, PlaceCombobox } from '../search/PlaceCombobox';
import {
  EXPLOITATION_TYPES,
  FOCUS_AREAS,
  HOTLINE_CHANNELS,
  INDUSTRIES,
  LANGUAGE_CODES,
  POPULATIONS,
  PROFILE_FIELDS,
  SERVICES,
  isOneOf,
  vocabularyKey,
  type ProfileField,
} from '../vocabulary';
import { directoryKeys, fetchPlaces, usePartners, useProfile, type Profile } from './api';
import {
  editorStateOf,
  fieldsNotSent,
  isSamePlace,
  toProfileInput,
  type EditorState,
  type Submission,
  type TextRow,
} from './editor-state';
import { CheckboxGroup } from './editor/CheckboxGroup';
import { LanguagePicker } from './editor/LanguagePicker';
import { PartnersSection } from './editor/PartnersSection';
import { PhoneField } from './editor/PhoneField';
import { RegionPicker } from './editor/RegionPicker';
import { rowEditing, type ListName, type RowOf } from './editor/row-lists';
import { CheckboxField, RowList } from './editor/rows';
import { VisibilityField } from './editor/VisibilityField';
import { languageName } from './present';
import '../../identity/organisations/organisations.css';
import '../search/search.css';
import './profile.css';

/** The editor of an organisation's directory profile, for its admins (and platform admins). */
export function ProfileEditPage() {
  return (
    <RequireSignIn>
      <EditorLoader />
    </RequireSignIn>
  );
}

/**
 * Saved offices carry their place's name and point but not its gazetteer id (ids are not stored, as they
 * change between gazetteer releases), so each is looked up again before editing starts.
 */
async function findSavedPlaces(profile: Profile): Promise<Record<string, number | null>> {
  const offices = profile.offices ?? [];
  const found = await Promise.all(
    offices.map(async (office) => {
      if (!office.placeName) return [office.id, null] as const;
      const place = { ...office, id: null, name: office.placeName };
      const candidates = await fetchPlaces(office.placeName, { country: office.country, limit: 25 });
      return [office.id, candidates.find((c) => isSamePlace(place, c))?.id ?? null] as const;
    }),
  );
  return Object.fromEntries(found);
}

function EditorLoader() {
  const { t } = useTranslation();
  const { organisationId = '' } = useParams();
  // The editor starts from answers fetched since the page opened: a cached profile or partner list may be
  // older than the last save. Later refetches (a language change) do not restart it, so no edit is lost.
  const [openedAt] = useState(() => Date.now());
  const refreshing = (query: { fetchStatus: string; dataUpdatedAt: number }) =>
    query.fetchStatus === 'fetching' && query.dataUpdatedAt < openedAt;
  const profile = useProfile(organisationId);
  const canEdit = profile.data?.abilities.edit === true;
  const partners = usePartners(organisationId, canEdit);
  const places = useQuery({
    queryKey: ['directory', 'saved-places', organisationId, profile.data?.updatedAt],
    queryFn: () => findSavedPlaces(profile.data!),
    enabled: canEdit,
    staleTime: Infinity,
  });

  const frame = (body: ReactNode) => (
    <div className="page page--narrow">
      <PageHeading>{t('directory.editor.title')}</PageHeading>
      {body}
    </div>
  );
  if (profile.isPending || refreshing(profile)) return frame(<Loading />);
  if (profile.isError)
    return frame(<LoadError error={profile.error} onRetry={() => void profile.refetch()} />);
  if (!canEdit) {
    return frame(
      <div className="notice notice--error" role="alert">
        <p>{t('directory.editor.notAllowed')}</p>
        <p>
          <Link to={`/directory/organisations/${organisationId}`}>{t('directory.editor.backToProfile')}</Link>
        </p>
      </div>,
    );
  }
  // The partner list may be closed to platform staff who are not the organisation's admins; the rest of the
  // profile can still be edited.
  if (places.isPending || (partners.isPending && partners.fetchStatus !== 'idle') || refreshing(partners)) {
    return frame(<Loading />);
  }
  if (places.isError) return frame(<LoadError error={places.error} onRetry={() => void places.refetch()} />);

  const initial = editorStateOf(profile.data);
  for (const [index, office] of (profile.data.offices ?? []).entries()) {
    const row = initial.offices[index];
    if (row?.place) row.place.id = places.data[office.id] ?? null;
  }
  return (
    <Editor
      key={profile.data.updatedAt}
      profile={profile.data}
      initial={initial}
      initialPartners={partners.data?.organisationIds ?? null}
    />
  );
}

/** Every field name the form shows, so the server's errors land beside the right control. */
function fieldNamesOf(state: EditorState): string[] {
  const rows = (list: string, count: number, parts: string[]) =>
    Array.from({ length: count }, (_, i) => parts.map((part) => `${list}.${i}.${part}`)).flat();
  return [
    ...PROFILE_FIELDS,
    ...PROFILE_FIELDS.map((field) => `visibility.${field}`),
    ...rows('descriptions', state.descriptions.length, ['language', 'short', 'long']),
    ...rows('offices', state.offices.length, ['label', 'placeId', 'street', 'postalCode', 'phone', 'isMain']),
    ...rows('hotlines', state.hotlines.length, ['channel', 'number', 'hours', 'languages']),
    ...rows('contacts', state.contacts.length, ['label', 'email', 'phone']),
    'listed',
    'hideExactLocation',
    'partners',
  ];
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function Editor({
  profile,
  initial,
  initialPartners,
}: {
  profile: Profile;
  initial: EditorState;
  initialPartners: string[] | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [state, setState] = useState(initial);
  const [partners, setPartners] = useState<string[]>(initialPartners ?? []);
  const [errors, setErrors] = useState<FormState>(noFormErrors);
  const hidden = fieldsNotSent(profile);
  const profilePath = `/directory/organisations/${profile.organisationId}`;

  const set = <K extends keyof EditorState>(key: K, value: EditorState[K]) =>
    setState((current) => ({ ...current, [key]: value }));
  const rows = rowEditing(setState);

  const save = useMutation({
    mutationFn: async ({
      submission,
      partnerIds,
    }: {
      submission: Submission;
      partnerIds: string[] | null;
    }) => {
      const saved = await required(
        api.PUT('/api/directory/organisations/{organisationId}', {
          params: { path: { organisationId: profile.organisationId } },
          body: submission.input,
        }),
      );
      if (partnerIds) {
        try {
          await required(
            api.PUT('/api/directory/organisations/{organisationId}/partners', {
              params: { path: { organisationId: profile.organisationId } },
              body: { organisationIds: partnerIds },
            }),
          );
        } catch {
          // The profile is saved; only the partner list needs sending again (saving again does both).
          throw new PartnersNotSaved();
        }
      }
      return saved;
    },
    onMutate: () => setErrors(noFormErrors),
    onError: (error, { submission }) => {
      if (error instanceof PartnersNotSaved) {
        setErrors({ fieldErrors: { partners: t('directory.editor.partners.notSaved') } });
        return;
      }
      setErrors(formStateOf(error, t, { fields: fieldNamesOf(state), rename: submission.fieldOf }));
    },
    onSuccess: async (saved) => {
      toast.show(t('directory.editor.saved'), { tone: 'success' });
      // The profile page opens at once with what the server answered (the editor is left first, so it does
      // not start loading the new version itself); search, map and partners refresh.
      await navigate(profilePath);
      queryClient.setQueryData(directoryKeys.profile(profile.organisationId), saved);
      for (const area of ['search', 'map', 'partners'])
        void queryClient.invalidateQueries({ queryKey: [...directoryKeys.all, area] });
    },
  });

  const onSubmit = () => {
    const submission = toProfileInput(state);
    const problems: Record<string, string> = Object.fromEntries(
      Object.entries(submission.problems).map(([field, key]) => [field, t(key)]),
    );
    if (state.countries.length === 0) problems.countries = t('directory.editor.errors.countries');
    if (Object.keys(problems).length > 0) {
      setErrors({ fieldErrors: problems });
      return;
    }
    const partnersChanged = initialPartners !== null && !sameList(initialPartners, partners);
    save.mutate({ submission, partnerIds: partnersChanged ? partners : null });
  };

  const visibility = (field: ProfileField) => (
    <VisibilityField
      field={field}
      value={state.visibility[field]}
      onChange={(level) => set('visibility', { ...state.visibility, [field]: level })}
    />
  );

  /**
   * What every repeated group has alike: its texts (`directory.fields.<list>`, `directory.editor.<list>Hint`,
   * `directory.editor.rows.<item>`, `directory.editor.add.<item>`), rows, removing, limit and visibility.
   */
  const rowList = <K extends ListName>(list: K, item: string, max: number) => ({
    name: list,
    legend: t(`directory.fields.${list}`),
    hint: t(`directory.editor.${list}Hint`),
    rows: state[list] as RowOf<K>[],
    rowLegend: (i: number) => t(`directory.editor.rows.${item}`, { number: i + 1 }),
    addLabel: t(`directory.editor.add.${item}`),
    onRemove: (key: string) => rows.remove(list, key),
    max,
    children: visibility(list),
  });

  /** A row of a list of names: the profile's other names, or its networks. */
  const nameRow = (list: 'otherNames' | 'networks') => (row: TextRow, i: number) => (
    <TextField
      name={`${list}.${i}`}
      label={t('directory.editor.name')}
      maxLength={200}
      dir="auto"
      value={row.value}
      onChange={(event) => rows.update(list, row.key, { value: event.target.value })}
    />
  );

  const vocabularyGroup = <
    K extends 'focus' | 'services' | 'populations' | 'exploitationTypes' | 'industries',
  >(
    field: K,
    codes: readonly EditorState[K][number][],
    hint?: string,
  ) => (
    <CheckboxGroup
      name={field}
      legend={t(`directory.fields.${field}`)}
      hint={hint}
      options={codes.map((code) => ({ value: code, label: t(vocabularyKey(field, code)) }))}
      value={state[field]}
      onChange={(value) => set(field, value as EditorState[K])}
    >
      {visibility(field)}
    </CheckboxGroup>
  );

  const languageOptions = useMemo(() => {
    const collator = new Intl.Collator([format.language]);
    return LANGUAGE_CODES.map((code) => ({ value: code, label: languageName(code, format.language) })).sort(
      (a, b) => collator.compare(a.label, b.label),
    );
  }, [format.language]);

  const newDescriptionLanguage = () => {
    const used = new Set(state.descriptions.map((d) => d.language));
    return [format.language, 'en', ...LANGUAGE_CODES].find((code) => !used.has(code)) ?? 'en';
  };

  return (
    <div className="page dir-editor">
      <p className="orgs-back">
        <Link to={profilePath}>{t('directory.editor.backToProfile')}</Link>
      </p>
      <PageHeading>{t('directory.editor.titleFor', { name: profile.name })}</PageHeading>
      <p className="orgs-lead">{t('directory.editor.intro')}</p>
      <p className="muted">{t('directory.profile.lastUpdated', { date: format.date(profile.updatedAt) })}</p>
      {hidden.length > 0 && (
        <div className="notice orgs-notice--warning">
          <p>
            {t('directory.editor.hiddenFields', {
              fields: hidden.map((field) => t(`directory.fields.${field}`)).join(', '),
            })}
          </p>
        </div>
      )}

      <Form errors={errors.fieldErrors} formError={errors.formError} onSubmit={onSubmit}>
        <EditorSection id="editor-about" title={t('directory.editor.sections.about')}>
          <RowList
            {...rowList('otherNames', 'otherName', 20)}
            onAdd={() => rows.add('otherNames', { value: '' })}
            renderRow={nameRow('otherNames')}
          />

          <RowList
            {...rowList('descriptions', 'description', 12)}
            rowLegend={(i) =>
              t('directory.editor.rows.description', {
                language: languageName(state.descriptions[i]?.language ?? '', format.language),
              })
            }
            onAdd={() =>
              rows.add('descriptions', { language: newDescriptionLanguage(), short: '', long: '' })
            }
            renderRow={rows.fields('descriptions', (row, text) => (
              <>
                <SelectField
                  {...text('language')}
                  label={t('directory.editor.language')}
                  options={languageOptions}
                />
                <TextField
                  {...text('short')}
                  label={t('directory.editor.short')}
                  hint={t('directory.editor.shortHint')}
                  maxLength={300}
                  required
                  lang={row.language}
                  dir="auto"
                />
                <TextAreaField
                  {...text('long')}
                  label={t('directory.editor.long')}
                  maxLength={5000}
                  lang={row.language}
                  dir="auto"
                />
              </>
            ))}
          />
        </EditorSection>

        <EditorSection id="editor-work" title={t('directory.editor.sections.work')}>
          {vocabularyGroup('services', SERVICES)}
          {vocabularyGroup('populations', POPULATIONS)}
          {vocabularyGroup('exploitationTypes', EXPLOITATION_TYPES)}
          {vocabularyGroup('focus', FOCUS_AREAS)}
          {vocabularyGroup('industries', INDUSTRIES, t('directory.editor.industriesHint'))}
        </EditorSection>

        <EditorSection id="editor-where" title={t('directory.editor.sections.where')}>
          <div className="dir-editor__group">
            <CountryPicker
              name="countries"
              legend={t('directory.fields.countries')}
              hint={t('directory.editor.countriesHint')}
              required
              value={state.countries}
              onChange={(countries) =>
                setState((current) => ({
                  ...current,
                  countries,
                  regions: current.regions.filter((r) => countries.includes(r.code.slice(0, 2))),
                }))
              }
            />
            {visibility('countries')}
          </div>
          <RegionPicker
            name="regions"
            legend={t('directory.fields.regions')}
            hint={t('directory.editor.regionsHint')}
            countries={state.countries}
            value={state.regions}
            onChange={(regions) => set('regions', regions)}
          />
          {visibility('regions')}

          <RowList
            {...rowList('offices', 'office', 50)}
            onAdd={() =>
              rows.add('offices', {
                label: '',
                place: null,
                street: '',
                postalCode: '',
                phone: '',
                isMain: state.offices.length === 0,
              })
            }
            renderRow={rows.fields('offices', (row, text, i) => (
              <>
                <TextField
                  {...text('label')}
                  label={t('directory.editor.officeLabel')}
                  hint={t('directory.editor.officeLabelHint')}
                  maxLength={200}
                  required
                />
                <PlaceCombobox
                  name={`offices.${i}.placeId`}
                  label={t('directory.editor.place')}
                  hint={
                    row.place && row.place.id === null
                      ? t('directory.editor.placeAgain', { place: placeLabel(row.place, format.language) })
                      : t('directory.editor.placeHint')
                  }
                  required
                  value={row.place}
                  onChange={(place) =>
                    rows.update('offices', row.key, {
                      place: place && {
                        id: place.id,
                        name: place.name,
                        country: place.country,
                        region: place.region,
                        regionName: place.regionName,
                        latitude: place.latitude,
                        longitude: place.longitude,
                      },
                    })
                  }
                />
                <TextField
                  {...text('street')}
                  label={t('directory.editor.street')}
                  maxLength={300}
                  autoComplete="off"
                />
                <TextField
                  {...text('postalCode')}
                  label={t('directory.editor.postalCode')}
                  maxLength={30}
                  autoComplete="off"
                />
                <PhoneField {...text('phone')} />
                <CheckboxField
                  name={`offices.${i}.isMain`}
                  label={t('directory.editor.mainOffice')}
                  description={t('directory.editor.mainOfficeHint')}
                  checked={row.isMain}
                  onChange={(checked) =>
                    // One main office: choosing this one unchooses the others.
                    setState((current) => ({
                      ...current,
                      offices: current.offices.map((o) => ({
                        ...o,
                        isMain: o.key === row.key ? checked : checked ? false : o.isMain,
                      })),
                    }))
                  }
                />
              </>
            ))}
          />
        </EditorSection>

        <EditorSection id="editor-reach" title={t('directory.editor.sections.reach')}>
          <LanguagePicker
            name="languages"
            legend={t('directory.fields.languages')}
            hint={t('directory.editor.languagesHint')}
            value={state.languages}
            onChange={(languages) => set('languages', languages)}
          >
            {visibility('languages')}
          </LanguagePicker>

          <RowList
            {...rowList('hotlines', 'hotline', 20)}
            onAdd={() => rows.add('hotlines', { channel: 'phone', number: '', hours: '', languages: [] })}
            renderRow={rows.fields('hotlines', (row, text, i) => (
              <>
                <SelectField
                  name={`hotlines.${i}.channel`}
                  label={t('directory.editor.channel')}
                  options={HOTLINE_CHANNELS.map((c) => ({
                    value: c,
                    label: t(vocabularyKey('hotlineChannels', c)),
                  }))}
                  value={row.channel}
                  onChange={(event) => {
                    const channel = event.target.value;
                    if (isOneOf(HOTLINE_CHANNELS, channel)) rows.update('hotlines', row.key, { channel });
                  }}
                />
                <TextField
                  {...text('number')}
                  label={t('directory.editor.hotlineNumber')}
                  hint={t('directory.editor.hotlineNumberHint')}
                  maxLength={100}
                  required
                  dir="ltr"
                />
                <TextField
                  {...text('hours')}
                  label={t('directory.editor.hours')}
                  hint={t('directory.editor.hoursHint')}
                  maxLength={200}
                />
                {state.languages.length === 0 ? (
                  <p className="muted">{t('directory.editor.hotlineLanguagesFirst')}</p>
                ) : (
                  <CheckboxGroup
                    name={`hotlines.${i}.languages`}
                    legend={t('directory.editor.hotlineLanguages')}
                    options={state.languages.map((code) => ({
                      value: code,
                      label: languageName(code, format.language),
                    }))}
                    value={row.languages.filter((code) => state.languages.includes(code))}
                    onChange={(languages) => rows.update('hotlines', row.key, { languages })}
                  />
                )}
              </>
            ))}
          />

          <div className="dir-editor__group">
            <TextField
              name="website"
              label={t('directory.fields.website')}
              hint={t('directory.editor.websiteHint')}
              type="url"
              inputMode="url"
              maxLength={500}
              dir="ltr"
              value={state.website}
              onChange={(event) => set('website', event.target.value)}
            />
            {visibility('website')}
          </div>

          <RowList
            {...rowList('contacts', 'contact', 20)}
            onAdd={() => rows.add('contacts', { label: '', email: '', phone: '' })}
            renderRow={rows.fields('contacts', (row, text) => (
              <>
                <TextField
                  {...text('label')}
                  label={t('directory.editor.contactLabel')}
                  hint={t('directory.editor.contactLabelHint')}
                  maxLength={200}
                  required
                />
                <TextField
                  {...text('email')}
                  label={t('directory.editor.email')}
                  type="email"
                  dir="ltr"
                  maxLength={320}
                  autoComplete="off"
                />
                <PhoneField {...text('phone')} />
              </>
            ))}
          />
        </EditorSection>

        <EditorSection id="editor-networks" title={t('directory.editor.sections.networks')}>
          <RowList
            {...rowList('networks', 'network', 30)}
            onAdd={() => rows.add('networks', { value: '' })}
            renderRow={nameRow('networks')}
          />
          <PartnersSection
            name="partners"
            organisationId={profile.organisationId}
            value={partners}
            onChange={setPartners}
            unavailable={initialPartners === null ? t('directory.editor.partners.unavailable') : undefined}
          />
        </EditorSection>

        <EditorSection id="editor-safety" title={t('directory.editor.sections.safety')}>
          <CheckboxField
            name="listed"
            label={t('directory.editor.listed')}
            description={t('directory.editor.listedHint')}
            checked={state.listed}
            onChange={(listed) => set('listed', listed)}
          />
          <CheckboxField
            name="hideExactLocation"
            label={t('directory.editor.hideExactLocation')}
            description={t('directory.editor.hideExactLocationHint')}
            checked={state.hideExactLocation}
            onChange={(hideExactLocation) => set('hideExactLocation', hideExactLocation)}
          />
          <details className="orgs-role-help">
            <summary>{t('directory.editor.visibilityHelp.title')}</summary>
            <dl className="orgs-details">
              {(['public', 'members', 'partners'] as const).map((level) => (
                <div key={level}>
                  <dt>{t(vocabularyKey('visibility', level))}</dt>
                  <dd>{t(`directory.editor.visibilityHelp.${level}`)}</dd>
                </div>
              ))}
            </dl>
          </details>
        </EditorSection>

        <div className="actions dir-editor__actions">
          <Button type="submit" busy={save.isPending}>
            {t('directory.editor.save')}
          </Button>
          <Link to={profilePath}>{t('directory.editor.cancel')}</Link>
        </div>
      </Form>
    </div>
  );
}

/** A save of the profile that went through while the partner list's did not. */
class PartnersNotSaved extends Error {
  constructor() {
    super('The profile was saved, the partner list was not');
    this.name = 'PartnersNotSaved';
  }
}

/** A headed part of the long form. */
function EditorSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="dir-editor__section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
