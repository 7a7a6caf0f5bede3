import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../../../api/client';
import { Button, Form, Loading, PageHeading, TextField, useToast } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { CountryPicker } from '../../../identity/organisations/components/CountryPicker';
import { RadioGroupField, TextAreaField } from '../../../identity/organisations/components/fields';
import { LoadError } from '../../../identity/organisations/components/notices';
import { textOf } from '../../../identity/organisations/form-data';
import { useFormat } from '../../../identity/organisations/format';
import { required, useFormMutation } from '../../../identity/organisations/queries';
import { FOCUS_AREAS, SERVICES } from '../../vocabulary';
import { CheckboxGroup } from '../../profile/editor/CheckboxGroup';
import { LanguagePicker } from '../../profile/editor/LanguagePicker';
import {
  peopleKeys,
  useMyPersonProfile,
  type Expertise,
  type MyPersonProfile,
  type PersonProfileInput,
} from '../api';
import { expertiseKey, peoplePaths } from '../people';
import { PeopleTabs } from './PeopleTabs';
import '../../../identity/organisations/organisations.css';
import '../../profile/profile.css';
import '../people.css';

const FIELDS = ['published', 'jobTitle', 'bio', 'expertise', 'languages', 'countries'] as const;

/** "My professional profile": what other members see of me in the people directory, opt-in. */
export function MyProfilePage() {
  const { t } = useTranslation();
  return (
    <div className="page page--narrow">
      <PageHeading>{t('people.mine.title')}</PageHeading>
      <RequireSignIn>
        <PeopleTabs />
        <MyProfileLoader />
      </RequireSignIn>
    </div>
  );
}

function MyProfileLoader() {
  const profile = useMyPersonProfile();
  if (profile.isPending) return <Loading />;
  if (profile.isError) return <LoadError error={profile.error} onRetry={() => void profile.refetch()} />;
  // Re-mounted after each save, so the form starts from what the server now holds.
  return <MyProfileForm key={profile.data.updatedAt ?? 'new'} profile={profile.data} />;
}

function MyProfileForm({ profile }: { profile: MyPersonProfile }) {
  const { t } = useTranslation();
  const format = useFormat();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [expertise, setExpertise] = useState<Expertise[]>(profile.expertise);
  const [languages, setLanguages] = useState<string[]>(profile.languages);
  const [countries, setCountries] = useState<string[]>(profile.countries);

  const save = useFormMutation(
    (body: PersonProfileInput) => required(api.PUT('/api/directory/people/me', { body })),
    {
      fields: FIELDS,
      onSuccess: async (saved) => {
        queryClient.setQueryData(peopleKeys.mine, saved);
        // Search results and my own page show the profile too.
        await queryClient.invalidateQueries({ queryKey: peopleKeys.all });
        toast.show(t(saved.published ? 'people.mine.savedPublished' : 'people.mine.savedHidden'), {
          tone: 'success',
        });
      },
    },
  );

  const onSubmit = (data: FormData) =>
    save.mutate({
      published: textOf(data, 'published') === 'yes',
      jobTitle: textOf(data, 'jobTitle'),
      bio: textOf(data, 'bio'),
      expertise,
      languages,
      countries,
    });

  const focusOptions = FOCUS_AREAS.map((code) => ({ value: code, label: t(expertiseKey(code)) }));
  const serviceOptions = SERVICES.map((code) => ({ value: code, label: t(expertiseKey(code)) }));
  const focusChosen = expertise.filter((code) => (FOCUS_AREAS as readonly string[]).includes(code));
  const servicesChosen = expertise.filter((code) => (SERVICES as readonly string[]).includes(code));

  return (
    <>
      <p className="orgs-lead">{t('people.mine.intro', { organisation: profile.organisation.name })}</p>
      <p className="people-meta">
        {profile.updatedAt
          ? t('people.updated', { date: format.date(profile.updatedAt) })
          : t('people.mine.neverSaved')}
        {profile.updatedAt && profile.published && (
          <>
            {' · '}
            <Link to={peoplePaths.person(profile.personId)}>{t('people.mine.viewAsOthers')}</Link>
          </>
        )}
      </p>
      <Form
        errors={save.errors.fieldErrors}
        formError={save.errors.formError}
        onSubmit={onSubmit}
        aria-label={t('people.mine.title')}
      >
        <RadioGroupField
          name="published"
          legend={t('people.mine.published.legend')}
          defaultValue={profile.published ? 'yes' : 'no'}
          options={[
            {
              value: 'yes',
              label: t('people.mine.published.yes'),
              description: t('people.mine.published.yesHint'),
            },
            {
              value: 'no',
              label: t('people.mine.published.no'),
              description: t('people.mine.published.noHint'),
            },
          ]}
        />
        <TextField
          name="jobTitle"
          label={t('people.fields.jobTitle')}
          hint={t('people.mine.jobTitleHint')}
          defaultValue={profile.jobTitle}
          maxLength={150}
          autoComplete="organization-title"
        />
        <TextAreaField
          name="bio"
          label={t('people.fields.bio')}
          hint={t('people.mine.bioHint')}
          defaultValue={profile.bio}
          maxLength={2000}
        />
        <CheckboxGroup<Expertise>
          name="expertise"
          legend={t('people.mine.focusLegend')}
          hint={t('people.mine.expertiseHint')}
          options={focusOptions}
          value={focusChosen}
          onChange={(chosen) => setExpertise([...chosen, ...servicesChosen])}
        />
        <CheckboxGroup<Expertise>
          name="expertiseServices"
          legend={t('people.mine.servicesLegend')}
          options={serviceOptions}
          value={servicesChosen}
          onChange={(chosen) => setExpertise([...focusChosen, ...chosen])}
        />
        <LanguagePicker
          name="languages"
          legend={t('people.fields.languages')}
          value={languages}
          onChange={setLanguages}
        />
        <CountryPicker
          name="countries"
          legend={t('people.fields.countries')}
          hint={t('people.mine.countriesHint')}
          value={countries}
          onChange={setCountries}
        />
        <div className="actions">
          <Button type="submit" busy={save.isPending}>
            {t('people.mine.save')}
          </Button>
        </div>
      </Form>
    </>
  );
}
