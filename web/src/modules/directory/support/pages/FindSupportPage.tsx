import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Form, PageHeading, VisuallyHidden, useToast } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { RadioGroupField, SelectField } from '../../../identity/organisations/components/fields';
import { countriesFor } from '../../../identity/organisations/countries';
import { textOf } from '../../../identity/organisations/form-data';
import { useFormat } from '../../../identity/organisations/format';
import { useFormMutation } from '../../../identity/organisations/queries';
import { CheckboxGroup } from '../../profile/editor/CheckboxGroup';
import { LanguagePicker } from '../../profile/editor/LanguagePicker';
import type { Place } from '../../profile/api';
import { PlaceCombobox } from '../../search/PlaceCombobox';
import { AGE_BANDS, EXPLOITATION_TYPES, GENDERS, POPULATIONS, SERVICES, URGENCIES } from '../../vocabulary';
import {
  createSupportRequest,
  matchSupport,
  supportKeys,
  type Candidate,
  type MatchResult,
  type NeedInput,
} from '../api';
import { SupportTabs, supportPaths } from '../components';
import { percentText, reasonTexts } from '../present';
import '../../../identity/organisations/organisations.css';
import '../../profile/profile.css';
import '../../search/search.css';
import '../support.css';

/** The most organisations one request may go to (the server's maxSupportRecipients). */
const MAX_RECIPIENTS = 10;

const NEED_FIELDS = [
  'placeId',
  'country',
  'region',
  'services',
  'populations',
  'languages',
  'gender',
  'ageBand',
  'exploitationTypes',
  'urgency',
];

type Service = NeedInput['services'][number];
type Population = NonNullable<NeedInput['populations']>[number];
type Exploitation = NonNullable<NeedInput['exploitationTypes']>[number];

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T =>
  (list as readonly string[]).includes(value);

/**
 * "Find support for a case": the caseworker describes a need — never the person — and Cairn ranks the
 * member organisations that fit, with the reasons; the caseworker picks several and sends one request.
 */
export function FindSupportPage() {
  const { t } = useTranslation();
  return (
    <div className="page support-page">
      <PageHeading>{t('support.find.title')}</PageHeading>
      <SupportTabs />
      <RequireSignIn>
        <FindSupport />
      </RequireSignIn>
    </div>
  );
}

function FindSupport() {
  const { t } = useTranslation();
  const format = useFormat();
  const countries = useMemo(() => countriesFor(format.language), [format.language]);
  const [place, setPlace] = useState<Place | null>(null);
  const [country, setCountry] = useState('');
  const [services, setServices] = useState<Service[]>([]);
  const [populations, setPopulations] = useState<Population[]>([]);
  const [languages, setLanguages] = useState<string[]>([]);
  const [exploitation, setExploitation] = useState<Exploitation[]>([]);
  const [result, setResult] = useState<{ need: NeedInput; match: MatchResult } | null>(null);
  const resultsRef = useRef<HTMLHeadingElement>(null);

  const match = useFormMutation((need: NeedInput) => matchSupport(need).then((m) => ({ need, match: m })), {
    fields: NEED_FIELDS,
    rename: (name) => name.replace(/^need\./, ''),
    onSuccess: (found) => {
      setResult(found);
      // The results replace nothing on screen above them: move the reader there, as a new page would.
      requestAnimationFrame(() => resultsRef.current?.focus());
    },
  });

  const onSubmit = (data: FormData) => {
    const gender = textOf(data, 'gender');
    const ageBand = textOf(data, 'ageBand');
    const urgency = textOf(data, 'urgency');
    const errors: Record<string, string> = {};
    if (!country) errors.country = t('support.find.errors.country');
    if (services.length === 0) errors.services = t('support.find.errors.services');
    if (!isOneOf(GENDERS, gender))
      errors.gender = t('support.find.errors.gender', {
        unspecified: t('directory.vocabulary.genders.unspecified'),
      });
    if (!isOneOf(AGE_BANDS, ageBand))
      errors.ageBand = t('support.find.errors.ageBand', {
        unknown: t('directory.vocabulary.ageBands.unknown'),
      });
    if (!isOneOf(URGENCIES, urgency)) errors.urgency = t('support.find.errors.urgency');
    if (
      Object.keys(errors).length > 0 ||
      !isOneOf(GENDERS, gender) ||
      !isOneOf(AGE_BANDS, ageBand) ||
      !isOneOf(URGENCIES, urgency)
    ) {
      match.setErrors({ fieldErrors: errors });
      return;
    }
    match.mutate({
      ...(place ? { placeId: place.id } : {}),
      country,
      services,
      populations,
      languages,
      gender,
      ageBand,
      exploitationTypes: exploitation,
      urgency,
    });
  };

  const choosePlace = (chosen: Place | null) => {
    setPlace(chosen);
    if (chosen) setCountry(chosen.country);
  };

  return (
    <>
      <p className="orgs-lead">{t('support.find.intro')}</p>
      <div className="notice" role="note">
        <p>{t('support.find.privacy')}</p>
      </div>
      <Form
        errors={match.errors.fieldErrors}
        formError={match.errors.formError}
        onSubmit={onSubmit}
        aria-labelledby="support-need-heading"
      >
        <h2 id="support-need-heading">{t('support.find.needHeading')}</h2>
        <PlaceCombobox
          name="placeId"
          label={t('support.find.place')}
          hint={t('support.find.placeHint')}
          value={place}
          onChange={choosePlace}
        />
        <SelectField
          name="country"
          label={t('support.find.country')}
          required
          placeholder={t('support.find.chooseCountry')}
          options={countries.map((c) => ({ value: c.code, label: c.name }))}
          value={country}
          onChange={(event) => {
            setCountry(event.target.value);
            // A place belongs to one country; choosing another country lets go of it.
            if (place && place.country !== event.target.value) setPlace(null);
          }}
        />
        <CheckboxGroup
          name="services"
          legend={t('support.find.services')}
          required
          options={SERVICES.map((value) => ({ value, label: t(`directory.vocabulary.services.${value}`) }))}
          value={services}
          onChange={setServices}
        />
        <div className="support-pair">
          <SelectField
            name="gender"
            label={t('support.find.gender')}
            required
            placeholder={t('support.find.choose')}
            options={GENDERS.map((value) => ({ value, label: t(`directory.vocabulary.genders.${value}`) }))}
          />
          <SelectField
            name="ageBand"
            label={t('support.find.ageBand')}
            required
            placeholder={t('support.find.choose')}
            options={AGE_BANDS.map((value) => ({
              value,
              label: t(`directory.vocabulary.ageBands.${value}`),
            }))}
          />
        </div>
        <CheckboxGroup
          name="populations"
          legend={t('support.find.populations')}
          hint={t('support.find.populationsHint')}
          options={POPULATIONS.map((value) => ({
            value,
            label: t(`directory.vocabulary.populations.${value}`),
          }))}
          value={populations}
          onChange={setPopulations}
        />
        <LanguagePicker
          name="languages"
          legend={t('support.find.languages')}
          hint={t('support.find.languagesHint')}
          value={languages}
          onChange={setLanguages}
        />
        <CheckboxGroup
          name="exploitationTypes"
          legend={t('support.find.exploitation')}
          hint={t('support.find.exploitationHint')}
          options={EXPLOITATION_TYPES.map((value) => ({
            value,
            label: t(`directory.vocabulary.exploitationTypes.${value}`),
          }))}
          value={exploitation}
          onChange={setExploitation}
        />
        <RadioGroupField
          name="urgency"
          legend={t('support.find.urgency')}
          required
          options={URGENCIES.map((value) => ({ value, label: t(`directory.vocabulary.urgencies.${value}`) }))}
        />
        <div className="actions">
          <Button type="submit" busy={match.isPending}>
            {t('support.find.submit')}
          </Button>
        </div>
      </Form>

      {result && <Results key={JSON.stringify(result.need)} result={result} headingRef={resultsRef} />}
    </>
  );
}

function Results({
  result,
  headingRef,
}: {
  result: { need: NeedInput; match: MatchResult };
  headingRef: React.RefObject<HTMLHeadingElement | null>;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string[]>([]);
  const { candidates } = result.match;

  const send = useFormMutation((ids: string[]) => createSupportRequest(result.need, ids), {
    fields: ['recipientOrganisationIds'],
    onSuccess: async (request) => {
      toast.show(t('support.results.sent', { count: request.recipients?.length ?? chosen.length }), {
        tone: 'success',
      });
      await queryClient.invalidateQueries({ queryKey: supportKeys.all });
      await navigate(supportPaths.request(request.id));
    },
  });

  const toggle = (id: string) =>
    setChosen((current) => (current.includes(id) ? current.filter((c) => c !== id) : [...current, id]));

  const onSend = () => {
    if (chosen.length === 0) send.setErrors({ fieldErrors: {}, formError: t('support.results.chooseOne') });
    else send.mutate(chosen);
  };

  return (
    <section className="support-results" aria-labelledby="support-results-heading">
      <h2 id="support-results-heading" ref={headingRef} tabIndex={-1}>
        {t('support.results.heading')}
      </h2>
      <p aria-live="polite">{t('support.results.count', { count: candidates.length })}</p>
      {candidates.length === 0 ? (
        <div className="orgs-empty">
          <p>{t('support.results.none')}</p>
        </div>
      ) : (
        <>
          <p>{t('support.results.howTo', { max: MAX_RECIPIENTS })}</p>
          <ol className="support-results__list">
            {candidates.map((candidate) => (
              <CandidateItem
                key={candidate.organisationId}
                candidate={candidate}
                checked={chosen.includes(candidate.organisationId)}
                disabled={!chosen.includes(candidate.organisationId) && chosen.length >= MAX_RECIPIENTS}
                onToggle={() => toggle(candidate.organisationId)}
              />
            ))}
          </ol>
          {send.errors.formError && (
            <div className="notice notice--error" role="alert">
              <p>{send.errors.formError}</p>
            </div>
          )}
          {send.errors.fieldErrors.recipientOrganisationIds && (
            <div className="notice notice--error" role="alert">
              <p>{send.errors.fieldErrors.recipientOrganisationIds}</p>
            </div>
          )}
          <div className="actions support-results__send">
            <Button busy={send.isPending} onClick={onSend}>
              {t('support.results.send', { count: chosen.length })}
            </Button>
          </div>
        </>
      )}
    </section>
  );
}

function CandidateItem({
  candidate,
  checked,
  disabled,
  onToggle,
}: {
  candidate: Candidate;
  checked: boolean;
  disabled: boolean;
  onToggle: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const id = `support-choose-${candidate.organisationId}`;
  const reasons = reasonTexts(candidate.reasons, t, format.language);
  return (
    <li className="support-result">
      <div className="support-result__head">
        <input
          type="checkbox"
          id={id}
          checked={checked}
          disabled={disabled}
          onChange={onToggle}
          aria-describedby={`${id}-fit`}
        />
        <label htmlFor={id} className="support-result__name">
          <VisuallyHidden>{`${t('support.results.ask')} `}</VisuallyHidden>
          {candidate.name}
        </label>
      </div>
      <p id={`${id}-fit`} className="support-result__fit">
        <strong>
          {t('support.results.fit', { score: percentText(candidate.score / 100, format.language) })}
        </strong>
        {candidate.tier && (
          <span className={`orgs-badge orgs-badge--${candidate.tier}`}>
            {t(`orgs.tiers.${candidate.tier}.name`)}
          </span>
        )}
      </p>
      {reasons.length > 0 && (
        <ul className="support-reasons" aria-label={t('support.results.why', { name: candidate.name })}>
          {reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <p className="support-result__link">
        <Link to={`/directory/organisations/${candidate.organisationId}`}>
          {t('support.results.profile')}
          <VisuallyHidden>{` ${candidate.name}`}</VisuallyHidden>
        </Link>
      </p>
    </li>
  );
}
