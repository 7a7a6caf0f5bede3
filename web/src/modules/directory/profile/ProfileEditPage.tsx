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
  type VocabularyName,
} from '../vocabulary';
import { directoryKeys, fetchPlaces, usePartners, useProfile, type Profile } from './api';
import {
  editorStateOf,
  fieldsNotSent,
  isSamePlace,
  rowKey,
  toProfileInput,
  type EditorState,
  type Submission,
} from './editor-state';
import { CheckboxGroup } from './editor/CheckboxGroup';
import { LanguagePicker } from './editor/LanguagePicker';
import { PartnersSection } from './editor/PartnersSection';
import { RegionPicker } from './editor/RegionPicker';
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
  const updateRow = <
    K extends 'otherNames' | 'descriptions' | 'offices' | 'hotlines' | 'networks' | 'contacts',
  >(
    list: K,
    key: string,
    patch: Partial<EditorState[K][number]>,
  ) =>
    setState((current) => ({
      ...current,
      [list]: (current[list] as EditorState[K][number][]).map((row) =>
        row.key === key ? { ...row, ...patch } : row,
      ),
    }));
  const removeRow = (
    list: 'otherNames' | 'descriptions' | 'offices' | 'hotlines' | 'networks' | 'contacts',
    key: string,
  ) =>
    setState((current) => ({
      ...current,
      [list]: (current[list] as { key: string }[]).filter((row) => row.key !== key),
    }));

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

  const vocabularyGroup = <
    K extends 'focus' | 'services' | 'populations' | 'exploitationTypes' | 'industries',
  >(
    field: K,
    vocabulary: VocabularyName,
    codes: readonly EditorState[K][number][],
    hint?: string,
  ) => (
    <CheckboxGroup
      name={field}
      legend={t(`directory.fields.${field}`)}
      hint={hint}
      options={codes.map((code) => ({ value: code, label: t(vocabularyKey(vocabulary, code)) }))}
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
            name="otherNames"
            legend={t('directory.fields.otherNames')}
            hint={t('directory.editor.otherNamesHint')}
            rows={state.otherNames}
            rowLegend={(i) => t('directory.editor.rows.otherName', { number: i + 1 })}
            addLabel={t('directory.editor.add.otherName')}
            onAdd={() => set('otherNames', [...state.otherNames, { key: rowKey(), value: '' }])}
            onRemove={(key) => removeRow('otherNames', key)}
            max={20}
            renderRow={(row, i) => (
              <TextField
                name={`otherNames.${i}`}
                label={t('directory.editor.name')}
                maxLength={200}
                dir="auto"
                value={row.value}
                onChange={(event) => updateRow('otherNames', row.key, { value: event.target.value })}
              />
            )}
          >
            {visibility('otherNames')}
          </RowList>

          <RowList
            name="descriptions"
            legend={t('directory.fields.descriptions')}
            hint={t('directory.editor.descriptionsHint')}
            rows={state.descriptions}
            rowLegend={(i) =>
              t('directory.editor.rows.description', {
                language: languageName(state.descriptions[i]?.language ?? '', format.language),
              })
            }
            addLabel={t('directory.editor.add.description')}
            onAdd={() =>
              set('descriptions', [
                ...state.descriptions,
                { key: rowKey(), language: newDescriptionLanguage(), short: '', long: '' },
              ])
            }
            onRemove={(key) => removeRow('descriptions', key)}
            max={12}
            renderRow={(row, i) => (
              <>
                <SelectField
                  name={`descriptions.${i}.language`}
                  label={t('directory.editor.language')}
                  options={languageOptions}
                  value={row.language}
                  onChange={(event) => updateRow('descriptions', row.key, { language: event.target.value })}
                />
                <TextField
                  name={`descriptions.${i}.short`}
                  label={t('directory.editor.short')}
                  hint={t('directory.editor.shortHint')}
                  maxLength={300}
                  required
                  lang={row.language}
                  dir="auto"
                  value={row.short}
                  onChange={(event) => updateRow('descriptions', row.key, { short: event.target.value })}
                />
                <TextAreaField
                  name={`descriptions.${i}.long`}
                  label={t('directory.editor.long')}
                  maxLength={5000}
                  lang={row.language}
                  dir="auto"
                  value={row.long}
                  onChange={(event) => updateRow('descriptions', row.key, { long: event.target.value })}
                />
              </>
            )}
          >
            {visibility('descriptions')}
          </RowList>
        </EditorSection>

        <EditorSection id="editor-work" title={t('directory.editor.sections.work')}>
          {vocabularyGroup('services', 'services', SERVICES)}
          {vocabularyGroup('populations', 'populations', POPULATIONS)}
          {vocabularyGroup('exploitationTypes', 'exploitationTypes', EXPLOITATION_TYPES)}
          {vocabularyGroup('focus', 'focus', FOCUS_AREAS)}
          {vocabularyGroup('industries', 'industries', INDUSTRIES, t('directory.editor.industriesHint'))}
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
            name="offices"
            legend={t('directory.fields.offices')}
            hint={t('directory.editor.officesHint')}
            rows={state.offices}
            rowLegend={(i) => t('directory.editor.rows.office', { number: i + 1 })}
            addLabel={t('directory.editor.add.office')}
            onAdd={() =>
              set('offices', [
                ...state.offices,
                {
                  key: rowKey(),
                  label: '',
                  place: null,
                  street: '',
                  postalCode: '',
                  phone: '',
                  isMain: state.offices.length === 0,
                },
              ])
            }
            onRemove={(key) => removeRow('offices', key)}
            max={50}
            renderRow={(row, i) => (
              <>
                <TextField
                  name={`offices.${i}.label`}
                  label={t('directory.editor.officeLabel')}
                  hint={t('directory.editor.officeLabelHint')}
                  maxLength={200}
                  required
                  value={row.label}
                  onChange={(event) => updateRow('offices', row.key, { label: event.target.value })}
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
                    updateRow('offices', row.key, {
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
                  name={`offices.${i}.street`}
                  label={t('directory.editor.street')}
                  maxLength={300}
                  autoComplete="off"
                  value={row.street}
                  onChange={(event) => updateRow('offices', row.key, { street: event.target.value })}
                />
                <TextField
                  name={`offices.${i}.postalCode`}
                  label={t('directory.editor.postalCode')}
                  maxLength={30}
                  autoComplete="off"
                  value={row.postalCode}
                  onChange={(event) => updateRow('offices', row.key, { postalCode: event.target.value })}
                />
                <TextField
                  name={`offices.${i}.phone`}
                  label={t('directory.editor.phone')}
                  hint={t('directory.editor.phoneHint')}
                  type="tel"
                  dir="ltr"
                  maxLength={30}
                  autoComplete="off"
                  value={row.phone}
                  onChange={(event) => updateRow('offices', row.key, { phone: event.target.value })}
                />
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
            )}
          >
            {visibility('offices')}
          </RowList>
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
            name="hotlines"
            legend={t('directory.fields.hotlines')}
            hint={t('directory.editor.hotlinesHint')}
            rows={state.hotlines}
            rowLegend={(i) => t('directory.editor.rows.hotline', { number: i + 1 })}
            addLabel={t('directory.editor.add.hotline')}
            onAdd={() =>
              set('hotlines', [
                ...state.hotlines,
                { key: rowKey(), channel: 'phone', number: '', hours: '', languages: [] },
              ])
            }
            onRemove={(key) => removeRow('hotlines', key)}
            max={20}
            renderRow={(row, i) => (
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
                    if (isOneOf(HOTLINE_CHANNELS, channel)) updateRow('hotlines', row.key, { channel });
                  }}
                />
                <TextField
                  name={`hotlines.${i}.number`}
                  label={t('directory.editor.hotlineNumber')}
                  hint={t('directory.editor.hotlineNumberHint')}
                  maxLength={100}
                  required
                  dir="ltr"
                  value={row.number}
                  onChange={(event) => updateRow('hotlines', row.key, { number: event.target.value })}
                />
                <TextField
                  name={`hotlines.${i}.hours`}
                  label={t('directory.editor.hours')}
                  hint={t('directory.editor.hoursHint')}
                  maxLength={200}
                  value={row.hours}
                  onChange={(event) => updateRow('hotlines', row.key, { hours: event.target.value })}
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
                    onChange={(languages) => updateRow('hotlines', row.key, { languages })}
                  />
                )}
              </>
            )}
          >
            {visibility('hotlines')}
          </RowList>

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
            name="contacts"
            legend={t('directory.fields.contacts')}
            hint={t('directory.editor.contactsHint')}
            rows={state.contacts}
            rowLegend={(i) => t('directory.editor.rows.contact', { number: i + 1 })}
            addLabel={t('directory.editor.add.contact')}
            onAdd={() =>
              set('contacts', [...state.contacts, { key: rowKey(), label: '', email: '', phone: '' }])
            }
            onRemove={(key) => removeRow('contacts', key)}
            max={20}
            renderRow={(row, i) => (
              <>
                <TextField
                  name={`contacts.${i}.label`}
                  label={t('directory.editor.contactLabel')}
                  hint={t('directory.editor.contactLabelHint')}
                  maxLength={200}
                  required
                  value={row.label}
                  onChange={(event) => updateRow('contacts', row.key, { label: event.target.value })}
                />
                <TextField
                  name={`contacts.${i}.email`}
                  label={t('directory.editor.email')}
                  type="email"
                  dir="ltr"
                  maxLength={320}
                  autoComplete="off"
                  value={row.email}
                  onChange={(event) => updateRow('contacts', row.key, { email: event.target.value })}
                />
                <TextField
                  name={`contacts.${i}.phone`}
                  label={t('directory.editor.phone')}
                  hint={t('directory.editor.phoneHint')}
                  type="tel"
                  dir="ltr"
                  maxLength={30}
                  autoComplete="off"
                  value={row.phone}
                  onChange={(event) => updateRow('contacts', row.key, { phone: event.target.value })}
                />
              </>
            )}
          >
            {visibility('contacts')}
          </RowList>
        </EditorSection>

        <EditorSection id="editor-networks" title={t('directory.editor.sections.networks')}>
          <RowList
            name="networks"
            legend={t('directory.fields.networks')}
            hint={t('directory.editor.networksHint')}
            rows={state.networks}
            rowLegend={(i) => t('directory.editor.rows.network', { number: i + 1 })}
            addLabel={t('directory.editor.add.network')}
            onAdd={() => set('networks', [...state.networks, { key: rowKey(), value: '' }])}
            onRemove={(key) => removeRow('networks', key)}
            max={30}
            renderRow={(row, i) => (
              <TextField
                name={`networks.${i}`}
                label={t('directory.editor.name')}
                maxLength={200}
                dir="auto"
                value={row.value}
                onChange={(event) => updateRow('networks', row.key, { value: event.target.value })}
              />
            )}
          >
            {visibility('networks')}
          </RowList>
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
