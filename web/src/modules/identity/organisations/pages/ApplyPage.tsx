import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../../../api/client';
import { Button, Form, Loading, PageHeading, TextField, useToast } from '../../../../ui';
import { signInPathFor } from '../../auth/navigation';
import { useMe, type Me } from '../../auth/useMe';
import { orgKeys, type OrganisationApplication, type OrganisationType } from '../api';
import { CountryPicker } from '../components/CountryPicker';
import { SelectField, TextAreaField } from '../components/fields';
import { missingFields, normaliseWebsite, passwordOf, textOf } from '../form-data';
import { useFormMutation } from '../queries';
import { ORGANISATION_TYPES } from '../vocabulary';
import '../organisations.css';

const ORGANISATION_FIELDS = [
  'organisation.name',
  'organisation.type',
  'organisation.countries',
  'organisation.website',
  'organisation.referee',
] as const;
const ACCOUNT_FIELDS = ['account.displayName', 'account.email', 'account.password'] as const;

/** Apply for an organisation: publicly with a new account, or from the account one is signed in with. */
export function ApplyPage() {
  const { t } = useTranslation();
  const me = useMe();
  const [sentTo, setSentTo] = useState<string | null>(null);
  // Signed in fully: apply from the account. A half-finished sign-in counts as signed out here.
  const person = me.data?.level === 'full' ? me.data : null;

  return (
    <div className="page page--narrow">
      <PageHeading>{t('orgs.apply.title')}</PageHeading>
      {me.isPending ? (
        <Loading />
      ) : sentTo !== null ? (
        <ApplicationSent email={sentTo} />
      ) : (
        <>
          <p className="orgs-lead">{t('orgs.apply.intro')}</p>
          <p>{t('orgs.apply.vetting')}</p>
          <ApplyForm person={person} onSent={setSentTo} />
        </>
      )}
    </div>
  );
}

function ApplyForm({ person, onSent }: { person: Me | null; onSent: (email: string) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [countries, setCountries] = useState<string[]>([]);

  type Submission = {
    organisation: OrganisationApplication;
    account?: { displayName: string; email: string; password: string };
  };

  const submit = useFormMutation(
    async ({ organisation, account }: Submission) => {
      if (account) await unwrap(api.POST('/api/identity/applications', { body: { organisation, account } }));
      else await unwrap(api.POST('/api/identity/organisations/apply', { body: organisation }));
    },
    {
      fields: [...ORGANISATION_FIELDS, ...ACCOUNT_FIELDS],
      // Signed in, the organisation is the whole body, so the server names its fields without a prefix.
      rename: (name) => (person && !name.startsWith('organisation.') ? `organisation.${name}` : name),
      byCode: { conflict: t('orgs.apply.errors.tooMany') },
      onSuccess: async (_result, { account }) => {
        if (account) {
          onSent(account.email);
          return;
        }
        await queryClient.invalidateQueries({ queryKey: orgKeys.myApplications });
        toast.show(t('orgs.apply.sentSignedIn'), { tone: 'success' });
        await navigate('/applications');
      },
    },
  );

  const onSubmit = (data: FormData) => {
    const values = {
      'organisation.name': textOf(data, 'organisation.name'),
      'organisation.type': textOf(data, 'organisation.type'),
      'organisation.countries': countries,
      'organisation.referee': textOf(data, 'organisation.referee'),
      ...(person
        ? {}
        : {
            'account.displayName': textOf(data, 'account.displayName'),
            'account.email': textOf(data, 'account.email'),
            'account.password': passwordOf(data, 'account.password'),
          }),
    };
    // Empty required fields are caught here, before a round trip that may take long on a slow connection;
    // everything else (lengths, formats, password strength) is judged by the server, in one place.
    const missing = missingFields(values, {
      'organisation.name': t('orgs.apply.errors.name'),
      'organisation.type': t('orgs.apply.errors.type'),
      'organisation.countries': t('orgs.apply.errors.countries'),
      'organisation.referee': t('orgs.apply.errors.referee'),
      ...(person
        ? {}
        : {
            'account.displayName': t('orgs.apply.errors.displayName'),
            'account.email': t('orgs.apply.errors.email'),
            'account.password': t('orgs.apply.errors.password'),
          }),
    });
    if (Object.keys(missing).length > 0) {
      submit.setErrors({ fieldErrors: missing });
      return;
    }
    const organisation: OrganisationApplication = {
      name: values['organisation.name'],
      type: values['organisation.type'] as OrganisationType,
      countries,
      website: normaliseWebsite(textOf(data, 'organisation.website')),
      referee: values['organisation.referee'],
    };
    submit.mutate({
      organisation,
      account: person
        ? undefined
        : {
            displayName: values['account.displayName'] ?? '',
            email: values['account.email'] ?? '',
            password: values['account.password'] ?? '',
          },
    });
  };

  const typeOptions = ORGANISATION_TYPES.map((type) => ({ value: type, label: t(`orgs.types.${type}`) }));

  return (
    <Form errors={submit.errors.fieldErrors} formError={submit.errors.formError} onSubmit={onSubmit}>
      <section className="orgs-section" aria-labelledby="apply-organisation">
        <h2 id="apply-organisation">{t('orgs.apply.organisationHeading')}</h2>
        <TextField
          name="organisation.name"
          label={t('orgs.apply.name')}
          required
          autoComplete="organization"
          maxLength={200}
        />
        <SelectField
          name="organisation.type"
          label={t('orgs.apply.type')}
          hint={t('orgs.apply.typeHint')}
          options={typeOptions}
          placeholder={t('orgs.apply.typePlaceholder')}
          defaultValue=""
          required
        />
        <CountryPicker
          name="organisation.countries"
          legend={t('orgs.apply.countries')}
          hint={t('orgs.apply.countriesHint')}
          value={countries}
          onChange={setCountries}
          required
        />
        <TextField
          name="organisation.website"
          label={t('orgs.apply.website')}
          hint={t('orgs.apply.websiteHint')}
          type="url"
          inputMode="url"
          autoComplete="url"
          maxLength={500}
        />
        <TextAreaField
          name="organisation.referee"
          label={t('orgs.apply.referee')}
          hint={t('orgs.apply.refereeHint')}
          required
          maxLength={1000}
        />
      </section>

      {person ? (
        <div className="notice">
          <p>{t('orgs.apply.signedInAs', { name: person.person.displayName, email: person.person.email })}</p>
        </div>
      ) : (
        <section className="orgs-section" aria-labelledby="apply-account">
          <h2 id="apply-account">{t('orgs.apply.accountHeading')}</h2>
          <p>{t('orgs.apply.accountIntro')}</p>
          <TextField
            name="account.displayName"
            label={t('orgs.apply.displayName')}
            required
            autoComplete="name"
            maxLength={100}
          />
          <TextField
            name="account.email"
            label={t('orgs.apply.email')}
            hint={t('orgs.apply.emailHint')}
            type="email"
            autoComplete="email"
            spellCheck={false}
            required
          />
          <TextField
            name="account.password"
            label={t('orgs.apply.password')}
            hint={t('orgs.apply.passwordHint')}
            type="password"
            autoComplete="new-password"
            required
          />
          <p>
            {t('orgs.apply.haveAccount')}{' '}
            <Link to={signInPathFor('/organisations/apply')}>{t('orgs.apply.signInFirst')}</Link>
          </p>
        </section>
      )}

      <Button type="submit" busy={submit.isPending}>
        {t('orgs.apply.submit')}
      </Button>
    </Form>
  );
}

/** Shown after a public application: the same words whether or not the address already had an account. */
function ApplicationSent({ email }: { email: string }) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  // The form the reader was on has gone; their screen reader should land on what replaced it.
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="orgs-panel orgs-panel--success">
      <h2 ref={heading} tabIndex={-1}>
        {t('orgs.apply.sentTitle')}
      </h2>
      <p>{t('orgs.apply.sentBody', { email })}</p>
      <p>{t('orgs.apply.sentExisting')}</p>
      <p>
        <Link to={signInPathFor('/applications')} className="button button--primary">
          {t('orgs.apply.sentSignIn')}
        </Link>
      </p>
    </div>
  );
}
